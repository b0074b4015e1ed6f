"""Celery tasks of the rules app: thin, take ids, idempotent, acknowledged late.

`ATTEST_RULES_TEST_DELAY` (seconds, environment; unset in production) makes each
jurisdiction task sleep before it evaluates, so tests can kill a worker in the middle of a run.
"""

import os
import time

from celery import group, shared_task
from django.db import InterfaceError, OperationalError

from compliance.rules import services

# Lost connections, deadlocks and serialization failures: worth another try after a pause.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)
RETRY = dict(
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=1,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=8,
)


def _test_delay() -> None:
    delay = float(os.environ.get("ATTEST_RULES_TEST_DELAY") or 0)
    if delay > 0:
        time.sleep(delay)


@shared_task(**RETRY)
def rules_check_jurisdiction(run_id: int, jurisdiction: str) -> str:
    """Evaluate one jurisdiction of a run; the last one completes the run."""
    _test_delay()
    return services.run_check_jurisdiction(run_id=run_id, jurisdiction=jurisdiction)


@shared_task(**RETRY)
def rules_finish_run(run_id: int) -> str:
    return "completed" if services.run_finish_if_done(run_id=run_id) else "skipped"


def fan_out(run_id: int) -> None:
    """One task per jurisdiction still pending (a Celery group; gathered in the database)."""
    pending = services.pending_jurisdictions(run_id)
    if not pending:
        rules_finish_run.delay(run_id)
        return
    group(rules_check_jurisdiction.si(run_id, jurisdiction) for jurisdiction in pending).apply_async()


@shared_task(**RETRY)
def rules_rerun_stale() -> str:
    """Re-run the checks of applications in review judged under pack versions no longer in
    force (e.g. the day a successor loaded in advance takes effect). Schedule it daily."""
    run_ids = services.applications_rerun_stale()
    return f"{len(run_ids)} re-run(s)"
