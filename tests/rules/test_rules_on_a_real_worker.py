"""Rule checks through real worker processes, PostgreSQL and Redis."""

import time

import pytest
from django.conf import settings
from django.core.management import call_command

from compliance.rules.models import Finding, JurisdictionResult, Rule, RuleRun, RunStatus
from products import services
from products.models import ApplicationState, ProductApplication
from tests.factories import IssuerFactory, UserFactory, VenueFactory, product_terms
from tests.worker import WorkerProcess, can_run_worker, wait_until

pytestmark = pytest.mark.slow

SIX = ["US", "EU", "GB", "CH", "SG", "HK"]


@pytest.fixture
def redis_broker(transactional_db):
    if not can_run_worker():
        pytest.skip("a worker process needs the PostgreSQL test database (set DATABASE_URL)")
    if not settings.REDIS_AVAILABLE:
        pytest.skip("redelivery after a lost worker needs Redis (set REDIS_URL)")
    call_command("load_rule_packs")


def submit(jurisdictions):
    issuer = IssuerFactory()
    user = UserFactory(role="issuer", issuer=issuer)
    VenueFactory()
    product = services.product_create(actor=user, issuer=issuer, **product_terms(jurisdictions=jurisdictions))
    app = services.application_create(actor=user, product=product)
    services.application_submit(application=app, actor=user)  # queues the checks on commit
    return app


def state(app):
    return ProductApplication.objects.get(pk=app.pk).state


def assert_one_finding_per_rule(app, jurisdictions):
    run = RuleRun.objects.get(application=app)
    assert run.status == RunStatus.COMPLETED
    expected = sorted(Rule.objects.filter(pack__jurisdiction__in=jurisdictions).values_list("rule_id", flat=True))
    assert sorted(Finding.objects.filter(run=run).values_list("rule_code", flat=True)) == expected
    return run


def test_a_submission_reaches_in_review_with_findings_for_six_jurisdictions(redis_broker):
    worker = WorkerProcess(concurrency=2).start()
    try:
        app = submit(SIX)
        assert wait_until(lambda: state(app) == ApplicationState.IN_REVIEW, timeout=60), worker.output()[-3000:]
    finally:
        worker.stop()
    run = assert_one_finding_per_rule(app, SIX)
    assert run.pack_versions == dict.fromkeys(SIX, "2026.1")
    assert Finding.objects.filter(run=run, fired=True).exists()
    assert worker.output().count("rules_check_jurisdiction[") >= len(SIX)


def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(redis_broker, monkeypatch):
    # Each jurisdiction task sleeps 3 s before it evaluates, and Redis hands an unacknowledged
    # message back after 5 s: the first worker dies inside a task, the second picks it up.
    monkeypatch.setenv("ATTEST_RULES_TEST_DELAY", "3")
    monkeypatch.setenv("ATTEST_BROKER_VISIBILITY_TIMEOUT", "5")
    jurisdictions = ["US", "GB", "EU"]
    first = WorkerProcess().start()
    app = submit(jurisdictions)

    def inside_a_jurisdiction_task():
        # A jurisdiction task received after the fan-out (not the banner's task list).
        log = first.output()
        fanned_out = log.find("application_run_checks[")
        return fanned_out >= 0 and "rules_check_jurisdiction[" in log[fanned_out:]

    assert wait_until(inside_a_jurisdiction_task, timeout=30), first.output()[-3000:]
    time.sleep(1)  # inside the first jurisdiction task's delay
    first.kill()
    first.stop()

    run = RuleRun.objects.get(application=app)
    assert run.status == RunStatus.RUNNING and state(app) == ApplicationState.CHECKS_RUNNING
    assert JurisdictionResult.objects.filter(run=run, status="pending").count() == len(jurisdictions)

    second = WorkerProcess().start()
    try:
        assert wait_until(lambda: state(app) == ApplicationState.IN_REVIEW, timeout=90), second.output()[-3000:]
    finally:
        second.stop()
    assert_one_finding_per_rule(app, jurisdictions)
    assert RuleRun.objects.filter(application=app).count() == 1
