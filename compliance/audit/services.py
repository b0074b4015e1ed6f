from django.db import connection, transaction
from django.utils import timezone

from compliance.audit.chain import GENESIS_HASH, event_hash, json_safe
from compliance.audit.middleware import current_request_id
from compliance.audit.models import AuditEvent

# Any constant works; it names the advisory lock that serializes appends to the chain.
_CHAIN_LOCK_KEY = 7_246_921_301


def _lock_chain():
    # Two concurrent appends must not both chain onto the same previous event. On SQLite the
    # IMMEDIATE transaction mode already serializes writers.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])


def audit_record(
    *,
    actor,
    action: str,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    before=None,
    after=None,
    rationale: str = "",
) -> AuditEvent:
    """Append one event to the chain. Must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside the service's transaction")
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = str(obj.pk)
    actor_user = actor if getattr(actor, "pk", None) else None
    actor_label = actor.get_username() if actor_user else str(actor or "system")
    before, after = json_safe(before), json_safe(after)
    request_id = current_request_id()

    return _append(
        AuditEvent,
        actor=actor_user,
        actor_label=actor_label,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
        rationale=rationale,
        request_id=request_id,
    )


def audit_record_in_migration(apps, *, actor_label: str, action: str, obj, before, after, rationale: str):
    """:func:`audit_record` for a data migration: the historical AuditEvent model, no request."""
    return _append(
        apps.get_model("audit", "AuditEvent"),
        actor=None,
        actor_label=actor_label,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        before=json_safe(before),
        after=json_safe(after),
        rationale=rationale,
        request_id="",
    )


def _append(model, *, actor, **fields):
    """Chain one event onto the last: lock, read its hash, hash the new event, insert."""
    _lock_chain()
    prev_hash = model.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS_HASH
    fields["created_at"] = timezone.now()
    digest = event_hash(prev_hash=prev_hash, **fields)
    return model.objects.create(actor=actor, prev_hash=prev_hash, hash=digest, **fields)
