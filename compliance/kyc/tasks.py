"""KYC background work: a case's automatic checks, and the daily expiry of approved cases."""

from celery import shared_task

from compliance.kyc import services


@shared_task(acks_late=True)
def kyc_case_run_checks(case_id: int) -> str | None:
    case = services.case_run_checks(case_id=case_id)
    return case.state if case else None


@shared_task(acks_late=True)
def kyc_expire_cases() -> int:
    return services.cases_expire()
