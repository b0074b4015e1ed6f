from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from compliance.audit.chain import GENESIS_HASH, event_hash
from compliance.audit.models import AuditEvent
from config.cache import CACHE_UNAVAILABLE


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    broken_event_id: int | None = None  # the first broken event
    reason: str = ""
    broken_count: int = 0  # every broken event: the walk goes on past the first
    last_id: int = 0  # the last event walked, and its hash: where the next walk may resume
    last_hash: str = GENESIS_HASH
    whole_chain_walked_at: datetime | None = None  # None: this report walked the whole chain


@dataclass(frozen=True)
class ChainCheckpoint:
    """The end of the chain when it last verified, and when the whole chain was last walked."""

    last_id: int
    last_hash: str
    checked: int
    whole_chain_walked_at: datetime


CHECKPOINT_KEY = "audit:chain-checkpoint"


def events_for(obj):
    return AuditEvent.objects.for_object(obj).select_related("actor")


def audit_chain_verify(since: ChainCheckpoint | None = None) -> ChainReport:
    """Walk the chain in order; report the first broken event and how many are broken.

    The walk does not stop at a break: each event is also checked against its own stored
    predecessor, so tampering after a first break is still found and counted. ``since`` walks
    only the events after a checkpoint, chained onto its hash.
    """
    expected_prev = since.last_hash if since else GENESIS_HASH
    checked = since.checked if since else 0
    last_id = since.last_id if since else 0
    first_id, first_reason, broken = None, "", 0
    for event in AuditEvent.objects.filter(id__gt=last_id).order_by("id").iterator(chunk_size=2000):
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
        last_id = event.id
        checked += 1
    return ChainReport(
        broken == 0,
        checked,
        first_id,
        first_reason,
        broken,
        last_id,
        expected_prev,
        since.whole_chain_walked_at if since else None,
    )


def audit_chain_status() -> ChainReport:
    """What the audit page shows, without re-hashing the whole chain on every view.

    The events since the last checkpoint are walked on each call; the whole chain is walked by
    the hourly task (``compliance.audit.tasks.audit_chain_walk``) and whenever no checkpoint is
    on record (it lasts ``ATTEST_AUDIT_FULL_WALK_SECONDS`` from its whole walk). A broken chain
    leaves no checkpoint, so every view walks it all again and shows the break.
    """
    checkpoint = _cached_checkpoint()
    if checkpoint and not AuditEvent.objects.filter(id=checkpoint.last_id, hash=checkpoint.last_hash).exists():
        checkpoint = None  # its end is gone or changed (or the database was replaced): walk it all
    report = audit_chain_verify(since=checkpoint)
    if report.ok:
        walked_at = checkpoint.whole_chain_walked_at if checkpoint else timezone.now()
        _store_checkpoint(ChainCheckpoint(report.last_id, report.last_hash, report.checked, walked_at))
    return report


def audit_chain_walk() -> ChainReport:
    """Walk the whole chain and, if it verifies, start a new checkpoint from it."""
    report = audit_chain_verify()
    if report.ok:
        _store_checkpoint(ChainCheckpoint(report.last_id, report.last_hash, report.checked, timezone.now()))
    else:
        _forget_checkpoint()
    return report


def _cached_checkpoint() -> ChainCheckpoint | None:
    try:
        checkpoint = cache.get(CHECKPOINT_KEY)
    except CACHE_UNAVAILABLE:
        return None  # walk it all
    return checkpoint if isinstance(checkpoint, ChainCheckpoint) else None


def _store_checkpoint(checkpoint: ChainCheckpoint) -> None:
    lasts = (
        settings.ATTEST_AUDIT_FULL_WALK_SECONDS - (timezone.now() - checkpoint.whole_chain_walked_at).total_seconds()
    )
    try:
        if lasts > 0:
            cache.set(CHECKPOINT_KEY, checkpoint, int(lasts) + 1)
    except CACHE_UNAVAILABLE:
        pass


def _forget_checkpoint() -> None:
    try:
        cache.delete(CHECKPOINT_KEY)
    except CACHE_UNAVAILABLE:
        pass
