import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from compliance.audit.models import AuditEvent
from compliance.rules import selectors, services
from compliance.rules.gates import rules_approval_gate
from compliance.rules.models import Finding, FindingOutcome, PartStatus, RuleRun, RunReason, RunStatus
from compliance.rules.tasks import rules_check_jurisdiction
from config.errors import IllegalTransition, NotPermitted
from products import services as product_services
from products.models import ApplicationState, ApplicationVersion
from products.tasks import application_run_checks
from tests.rules.support import NO_REMEDY, submitted_application, us_pack_variant, write_pack

pytestmark = pytest.mark.django_db

COLLATERAL = 'condition: product.settlement_type == "physical" && product.collateral_pct < 100.0'


@pytest.fixture
def eager():
    """Celery runs the fanned-out tasks inline, so a test sees the whole run complete."""
    from config.celery import app

    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = False, False


@pytest.fixture
def packs():
    call_command("load_rule_packs")


@pytest.fixture(autouse=True)
def _rules_gate_only(settings):
    # The KYC app's issuer gate is not what these tests judge.
    settings.ATTEST_REQUIRE_ISSUER_KYB = False


def checked(application):
    application_run_checks(application.pk)
    application.refresh_from_db()
    return application


def submitted_yesterday(application):
    """Judged as of yesterday, so a successor pack may start today (a period may not end on or
    before a day a run was checked under it)."""
    ApplicationVersion.objects.filter(application=application).update(
        submitted_at=timezone.now() - dt.timedelta(days=1)
    )
    return application


def test_checks_reach_in_review_with_one_finding_per_rule(packs, eager):
    app = checked(submitted_application(jurisdictions=["US", "GB"]))
    assert app.state == ApplicationState.IN_REVIEW
    run = RuleRun.objects.get(application=app)
    assert run.status == RunStatus.COMPLETED and run.finished_at >= run.started_at
    assert run.pack_versions == {"US": "2026.1", "GB": "2026.1"}
    assert run.findings.count() == 19 + 16
    assert run.application_attributes["venue_types"] == ["dcm"]
    index = run.findings.get(rule_code="US-COMPUTE-COLLATERAL")
    assert index.fired and index.evidence == {"product.settlement_type": "physical", "product.collateral_pct": 25.0}


def test_a_redelivered_task_replaces_its_findings(packs, eager):
    app = checked(submitted_application(jurisdictions=["US"]))
    run = RuleRun.objects.get(application=app)
    before = sorted(run.findings.values_list("rule_code", "fired", "evidence"))
    assert application_run_checks(app.pk) == "skipped"
    # A jurisdiction task delivered twice while its run is still open re-evaluates in place.
    RuleRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    run.results.update(status=PartStatus.PENDING)
    rules_check_jurisdiction(run.pk, "US")
    rules_check_jurisdiction(run.pk, "US")
    assert sorted(run.findings.values_list("rule_code", "fired", "evidence")) == before
    assert RuleRun.objects.filter(application=app).count() == 1


def test_a_jurisdiction_without_a_pack_is_a_blocking_finding(packs, eager):
    app = checked(submitted_application(jurisdictions=["US", "JP"]))
    finding = Finding.objects.get(run__application=app, jurisdiction="JP")
    assert (finding.rule_code, finding.outcome, finding.fired) == ("JP-NO-PACK", FindingOutcome.NO_PACK, True)
    assert selectors.distribution_constraints_for(app)["JP"]["jurisdiction_blocked"] is True
    assert any("JP-NO-PACK" in reason for reason in rules_approval_gate(app))


def test_a_blocking_finding_prevents_approval(packs, eager, officer):
    app = checked(submitted_application(jurisdictions=["US"], **NO_REMEDY))
    with pytest.raises(IllegalTransition, match="US-COMPUTE-SHORTFALL-REMEDY"):
        product_services.application_approve(application=app, actor=officer, rationale="Looks fine.")


def test_only_a_senior_may_override_and_only_with_a_rationale(packs, eager, officer, senior, second_officer):
    app = checked(submitted_application(jurisdictions=["US"], **NO_REMEDY))
    finding = Finding.objects.get(run__application=app, rule_code="US-COMPUTE-SHORTFALL-REMEDY")
    with pytest.raises(NotPermitted):
        services.finding_override(finding=finding, actor=officer, rationale="I say so.")
    with pytest.raises(ValidationError):
        services.finding_override(finding=finding, actor=senior, rationale="  ")
    services.finding_override(finding=finding, actor=senior, rationale="Make-whole agreed in side letter 7.")
    event = AuditEvent.objects.get(action="finding.override")
    assert event.actor == senior and event.rationale == "Make-whole agreed in side letter 7."
    assert selectors.distribution_constraints_for(app)["US"]["jurisdiction_blocked"] is False
    assert rules_approval_gate(app) == []
    product_services.application_approve(application=app, actor=officer, rationale="Reviewed.")
    product_services.application_approve(application=app, actor=second_officer, rationale="Reviewed too.")
    app.refresh_from_db()
    assert app.state == ApplicationState.APPROVED


def test_distribution_constraints_are_stored_per_jurisdiction(packs, eager):
    app = checked(submitted_application(jurisdictions=["GB", "US"], target_market="retail"))
    constraints = selectors.distribution_constraints_for(app)
    assert set(constraints) == {"GB", "US"}
    gb = constraints["GB"]
    assert set(gb) == {
        "allowed_investor_categories",
        "appropriateness_required",
        "acknowledgement_required",
        "jurisdiction_blocked",
        "disclosure_sections",
        "required_artifacts",
        "pack_version",
        "run_id",
    }
    fired = Finding.objects.filter(run__application=app, jurisdiction="GB", fired=True).select_related("rule")
    expected_sections = list(dict.fromkeys(s for f in fired for s in f.rule.disclosure_sections))
    assert gb["disclosure_sections"] == expected_sections and expected_sections
    assert gb["pack_version"] == "2026.1"


def test_no_constraints_before_a_completed_run(packs):
    app = submitted_application()
    assert selectors.distribution_constraints_for(app) == {}
    assert rules_approval_gate(app) == []


def test_a_new_pack_version_reruns_applications_in_review_and_records_the_diff(
    packs, eager, tmp_path, django_capture_on_commit_callbacks
):
    app = checked(submitted_yesterday(submitted_application(jurisdictions=["US"])))
    first = RuleRun.objects.get(application=app)
    today = timezone.now().date().isoformat()
    old = write_pack(
        tmp_path, "us-2026.1.yaml", us_pack_variant(version="2026.1", effective_from="2026-01-01", effective_to=today)
    )
    new = write_pack(
        tmp_path,
        "us-2026.2.yaml",
        us_pack_variant(
            version="2026.2",
            effective_from=today,
            edit=(f"{COLLATERAL}\n    outcome: warn", f"{COLLATERAL}\n    outcome: block"),
        ),
    )

    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_rule_packs", str(old), str(new))
    rerun = RuleRun.objects.filter(application=app).exclude(pk=first.pk).get()
    assert rerun.reason == RunReason.PACK_UPDATE and rerun.previous_run == first
    assert rerun.status == RunStatus.COMPLETED and rerun.as_of == dt.date.fromisoformat(today)
    assert rerun.diff["packs"] == {"US": {"before": "2026.1", "after": "2026.2"}}
    assert rerun.diff["changes"] == [
        {
            "jurisdiction": "US",
            "rule": "US-COMPUTE-COLLATERAL",
            "change": "outcome_changed",
            "before": {"fired": True, "outcome": "warn", "evidence": rerun.diff["changes"][0]["before"]["evidence"]},
            "after": {"fired": True, "outcome": "block", "evidence": rerun.diff["changes"][0]["after"]["evidence"]},
        }
    ]
    assert any("US-COMPUTE-COLLATERAL" in reason for reason in rules_approval_gate(app))


def test_a_finding_of_an_earlier_run_cannot_be_overridden(packs, eager, senior):
    app = checked(submitted_application(jurisdictions=["US"], **NO_REMEDY))
    finding = Finding.objects.get(run__application=app, rule_code="US-COMPUTE-SHORTFALL-REMEDY")
    RuleRun.objects.create(
        application=app,
        version_number=app.version,
        reason=RunReason.PACK_UPDATE,
        status=RunStatus.RUNNING,
        as_of=timezone.now().date(),
        started_at=timezone.now(),
    )
    with pytest.raises(IllegalTransition, match="not the latest"):
        services.finding_override(finding=finding, actor=senior, rationale="Side letter 7.")
    assert not AuditEvent.objects.filter(action="finding.override").exists()


def test_a_finding_of_a_withdrawn_application_cannot_be_overridden(packs, eager, senior):
    app = checked(submitted_application(jurisdictions=["US"], **NO_REMEDY))
    finding = Finding.objects.get(run__application=app, rule_code="US-COMPUTE-SHORTFALL-REMEDY")
    product_services.application_withdraw(application=app, actor=app.created_by, rationale="Not now.")
    with pytest.raises(IllegalTransition, match="withdrawn"):
        services.finding_override(finding=finding, actor=senior, rationale="Side letter 7.")


def test_an_override_of_something_that_does_not_block_is_refused(packs, eager, senior):
    app = checked(submitted_application(jurisdictions=["US"]))
    warning = Finding.objects.get(run__application=app, rule_code="US-COMPUTE-COLLATERAL")
    with pytest.raises(IllegalTransition):
        services.finding_override(finding=warning, actor=senior, rationale="Not needed.")


@pytest.mark.parametrize(
    ("venue_type", "country", "expected"),
    [
        ("dcm", "US", "dcm"),
        ("regulated_market", "DE", "eu_rm"),
        ("regulated_market", "GB", "uk_rie"),
        ("mtf", "FR", "eu_mtf"),
        ("mtf", "CH", "ch_mtf"),
        ("recognised_exchange", "SG", "sg_ae"),
        ("otf", "US", None),
    ],
)
def test_venue_types_map_to_the_rules_vocabulary(venue_type, country, expected):
    assert selectors.venue_type_for(venue_type, country) == expected


def test_an_application_with_no_requested_venue_is_otc():
    assert selectors.venue_types_for([]) == ["otc"]


def test_the_demo_seed_gives_reviewed_applications_rule_runs():
    call_command("seed_demo")
    runs = RuleRun.objects.select_related("application")
    assert runs.exists()
    assert {r.application.state for r in runs} <= {
        "checks_running",  # its submission run, in progress
        "in_review",
        "changes_requested",
        "rejected",
        "approved",
        "listed",
        "suspended",
        "delisted",
    }
    count = runs.count()
    call_command("seed_demo")
    assert RuleRun.objects.count() == count
    for run in runs.filter(application__state__in=["approved", "listed"]):
        assert not selectors.blocking_findings(run)


def test_a_rerun_withdraws_the_approvals_given_on_the_findings_it_replaces(
    packs, eager, tmp_path, officer, second_officer, django_capture_on_commit_callbacks
):
    app = checked(submitted_yesterday(submitted_application(jurisdictions=["US"])))
    product_services.application_approve(application=app, actor=officer, rationale="Looks fine.")
    today = timezone.now().date().isoformat()
    old = write_pack(
        tmp_path, "us-2026.1.yaml", us_pack_variant(version="2026.1", effective_from="2026-01-01", effective_to=today)
    )
    new = write_pack(tmp_path, "us-2026.2.yaml", us_pack_variant(version="2026.2", effective_from=today))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_rule_packs", str(old), str(new))
    assert not app.approvals.exists()
    event = AuditEvent.objects.get(action="application.approvals_withdraw", object_id=str(app.pk))
    assert event.before["approvers"] == [officer.username]
    # The second officer's approval is now the first of two again.
    app = product_services.application_approve(application=app, actor=second_officer, rationale="Fine.")
    assert app.state == "in_review"
