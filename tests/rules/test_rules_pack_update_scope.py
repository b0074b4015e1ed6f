"""Which applications a change of the packs in force re-checks (`pack_update` runs).

Every application whose latest run used pack versions that are no longer in force today gets a
re-run: those in review when the packs load, those whose checks were waiting or in flight when
their run completes, and (daily sweep) those overtaken by a successor that takes effect later.
"""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from compliance.rules import services
from compliance.rules.gates import rules_approval_gate
from compliance.rules.models import RuleRun, RunReason, RunStatus
from config.errors import IllegalTransition
from products import services as product_services
from products.models import ApplicationState, ApplicationVersion
from tests.rules.support import submitted_application, us_pack_variant, write_pack

pytestmark = pytest.mark.django_db

COLLATERAL = 'condition: product.settlement_type == "physical" && product.collateral_pct < 100.0'
BLOCKS_COLLATERAL = (f"{COLLATERAL}\n    outcome: warn", f"{COLLATERAL}\n    outcome: block")


@pytest.fixture(autouse=True)
def _rules_gate_only(settings):
    settings.ATTEST_REQUIRE_ISSUER_KYB = False


@pytest.fixture
def packs():
    call_command("load_rule_packs")


def submitted_yesterday(symbol):
    application = submitted_application(jurisdictions=["US"], symbol=symbol)
    ApplicationVersion.objects.filter(application=application).update(
        submitted_at=timezone.now() - dt.timedelta(days=1)
    )
    return application


def successor(tmp_path, starts: dt.date):
    """US 2026.1 closed on `starts` and US 2026.2 from then, whose collateral rule blocks."""
    old = write_pack(
        tmp_path,
        "us-2026.1.yaml",
        us_pack_variant(version="2026.1", effective_from="2026-01-01", effective_to=starts.isoformat()),
    )
    new = write_pack(
        tmp_path,
        "us-2026.2.yaml",
        us_pack_variant(version="2026.2", effective_from=starts.isoformat(), edit=BLOCKS_COLLATERAL),
    )
    return [old, new]


def runs_of(application):
    return list(RuleRun.objects.filter(application=application).order_by("started_at", "id"))


def blocked_by_collateral(application) -> bool:
    return any("US-COMPUTE-COLLATERAL" in reason for reason in rules_approval_gate(application))


def test_a_run_in_flight_when_a_new_version_loads_is_rerun_when_it_completes(
    packs, tmp_path, officer, django_capture_on_commit_callbacks
):
    in_review = submitted_yesterday("H100-A")
    in_flight = submitted_yesterday("H100-B")
    services.run_execute(services.run_begin_for_submission(application_id=in_review.pk))
    submission = services.run_begin_for_submission(application_id=in_flight.pk)  # tasks not run yet

    with django_capture_on_commit_callbacks(execute=False):
        report = services.packs_load(paths=successor(tmp_path, timezone.now().date()))
    assert len(report.reruns) == 1  # the application in review; the one in flight is not done yet
    assert RuleRun.objects.get(pk=report.reruns[0]).application == in_review

    # The in-flight run evaluates as of the submission day (US 2026.1) and completes...
    services.run_execute(submission)
    in_flight.refresh_from_db()
    assert in_flight.state == ApplicationState.IN_REVIEW
    first, rerun = runs_of(in_flight)
    assert (first.reason, first.pack_versions) == (RunReason.SUBMISSION, {"US": "2026.1"})
    # ...and, judged under a version no longer in force, is re-run at once under today's.
    assert rerun.reason == RunReason.PACK_UPDATE and rerun.previous_run == first
    assert rerun.as_of == timezone.now().date() and rerun.status == RunStatus.RUNNING
    with pytest.raises(IllegalTransition):
        product_services.application_approve(application=in_flight, actor=officer, rationale="ok")

    services.run_execute(rerun)
    assert RuleRun.objects.get(pk=rerun.pk).pack_versions == {"US": "2026.2"}
    assert blocked_by_collateral(in_flight)
    assert len(runs_of(in_flight)) == 2  # a run under the packs in force is not re-run again


def test_an_application_waiting_for_its_checks_is_rerun_when_they_complete(packs, tmp_path):
    waiting = submitted_yesterday("H100-C")  # submitted, no run yet

    report = services.packs_load(paths=successor(tmp_path, timezone.now().date()))
    assert report.reruns == []

    services.run_execute(services.run_begin_for_submission(application_id=waiting.pk))
    first, rerun = runs_of(waiting)
    assert first.pack_versions == {"US": "2026.1"} and rerun.reason == RunReason.PACK_UPDATE
    services.run_execute(rerun)
    waiting.refresh_from_db()
    assert waiting.state == ApplicationState.IN_REVIEW and blocked_by_collateral(waiting)


def test_checks_under_the_packs_in_force_are_not_rerun(packs, tmp_path):
    app = submitted_yesterday("H100-D")
    services.run_execute(services.run_begin_for_submission(application_id=app.pk))
    tomorrow = timezone.now().date() + dt.timedelta(days=1)

    report = services.packs_load(paths=successor(tmp_path, tomorrow))
    assert report.loaded == ["US 2026.2"] and report.reruns == []
    assert len(runs_of(app)) == 1
    later = submitted_yesterday("H100-E")
    services.run_execute(services.run_begin_for_submission(application_id=later.pk))
    assert [r.reason for r in runs_of(later)] == [RunReason.SUBMISSION]


def test_the_daily_sweep_reruns_applications_when_a_scheduled_successor_takes_effect(packs, tmp_path, monkeypatch):
    app = submitted_yesterday("H100-F")
    services.run_execute(services.run_begin_for_submission(application_id=app.pk))
    tomorrow = timezone.now().date() + dt.timedelta(days=1)
    services.packs_load(paths=successor(tmp_path, tomorrow))
    assert services.applications_rerun_stale() == []  # today, 2026.1 is still in force

    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + dt.timedelta(days=1))
    call_command("rerun_stale_rule_checks")
    first, rerun = runs_of(app)
    assert rerun.reason == RunReason.PACK_UPDATE and rerun.as_of == tomorrow
    assert services.applications_rerun_stale() == []  # a run in flight is compared when it completes
    services.run_execute(rerun)
    assert blocked_by_collateral(app)
    assert services.applications_rerun_stale() == []
