"""Audit background work: walking the whole hash chain, so the audit page need not."""

import logging

from celery import shared_task

from compliance.audit.selectors import audit_chain_walk

log = logging.getLogger(__name__)


@shared_task(acks_late=True)
def audit_chain_walk_task() -> bool:
    report = audit_chain_walk()
    if not report.ok:
        log.error(
            "audit chain BROKEN at event #%s: %s (%s of %s events broken)",
            report.broken_event_id,
            report.reason,
            report.broken_count,
            report.checked,
        )
    return report.ok
