from dataclasses import dataclass

from compliance.audit.chain import GENESIS_HASH, event_hash
from compliance.audit.models import AuditEvent


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    broken_event_id: int | None = None  # the first broken event
    reason: str = ""
    broken_count: int = 0  # every broken event: the walk goes on past the first


def events_for(obj):
    return AuditEvent.objects.for_object(obj).select_related("actor")


def audit_chain_verify() -> ChainReport:
    """Walk the whole chain in order; report the first broken event and how many are broken.

    The walk does not stop at a break: each event is also checked against its own stored
    predecessor, so tampering after a first break is still found and counted.
    """
    expected_prev = GENESIS_HASH
    checked = 0
    first_id, first_reason, broken = None, "", 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        reason = ""
        if event.prev_hash != expected_prev:
            reason = "previous-hash link does not match"
        elif (
            event_hash(
                prev_hash=event.prev_hash,
                created_at=event.created_at,
                actor_label=event.actor_label,
                action=event.action,
                object_type=event.object_type,
                object_id=event.object_id,
                before=event.before,
                after=event.after,
                rationale=event.rationale,
                request_id=event.request_id,
            )
            != event.hash
        ):
            reason = "content does not match its hash"
        if reason:
            broken += 1
            if first_id is None:
                first_id, first_reason = event.id, reason
        expected_prev = event.hash
        checked += 1
    return ChainReport(broken == 0, checked, first_id, first_reason, broken)
