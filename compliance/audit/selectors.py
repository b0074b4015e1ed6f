from dataclasses import dataclass

from compliance.audit.chain import GENESIS_HASH, event_hash
from compliance.audit.models import AuditEvent


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    broken_event_id: int | None = None
    reason: str = ""


def events_for(obj):
    return AuditEvent.objects.for_object(obj).select_related("actor")


def audit_chain_verify() -> ChainReport:
    """Walk the chain in order and report the first event whose link or content is broken."""
    expected_prev = GENESIS_HASH
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != expected_prev:
            return ChainReport(False, checked, event.id, "previous-hash link does not match")
        recomputed = event_hash(
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
        if recomputed != event.hash:
            return ChainReport(False, checked, event.id, "content does not match its hash")
        expected_prev = event.hash
        checked += 1
    return ChainReport(True, checked)
