"""Celery tasks of the products app: thin, take ids, idempotent."""

from celery import shared_task

from compliance.rules.tasks import RETRY


@shared_task(**RETRY)
def application_run_checks(application_id: int) -> str:
    """Start the jurisdiction checks of a submitted application and fan them out.

    Moves the application to checks_running and creates its rule run
    (compliance.rules.services.run_begin_for_submission), then queues one task per
    jurisdiction of offer; the last of them moves the application to in_review. A redelivered
    message fans out again only the jurisdictions still pending; one for an application past
    checks_running does nothing.
    """
    from compliance.rules import services as rules_services
    from compliance.rules.tasks import fan_out

    run = rules_services.run_begin_for_submission(application_id=application_id)
    if run is None:
        return "skipped"
    fan_out(run.pk)
    return f"rule run {run.pk}"
