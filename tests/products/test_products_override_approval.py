"""Four-eyes across a rule override: the senior approver who overrode a blocking rule finding of
the version under review may not also give one of its two approvals."""

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from compliance.rules import services as rules
from compliance.rules.models import Finding
from config.errors import NotPermitted
from products import services
from products.tasks import application_run_checks
from tests.rules.support import NO_REMEDY, submitted_application

pytestmark = pytest.mark.django_db

BLOCKING_RULE = "US-COMPUTE-SHORTFALL-REMEDY"
REFUSAL = "You overrode a blocking rule finding of version 1"


@pytest.fixture(autouse=True)
def _rules_gate_only(settings):
    # The issuer KYB gate is not what these tests judge.
    settings.ATTEST_REQUIRE_ISSUER_KYB = False


@pytest.fixture
def overridden(senior):
    """An application in review whose one blocking finding the senior overrode."""
    from config.celery import app

    call_command("load_rule_packs")
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    try:
        application = submitted_application(jurisdictions=["US"], **NO_REMEDY)
        application_run_checks(application.pk)
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = False, False
    application.refresh_from_db()
    assert application.state == "in_review"
    finding = Finding.objects.get(run__application=application, rule_code=BLOCKING_RULE)
    rules.finding_override(finding=finding, actor=senior, rationale="Make-whole agreed in side letter 7.")
    return application


def test_the_senior_who_overrode_a_finding_may_not_approve(overridden, senior):
    with pytest.raises(NotPermitted, match=REFUSAL):
        services.application_approve(application=overridden, actor=senior, rationale="Reviewed.")
    assert not overridden.approvals.exists()


def test_two_other_officers_approve_after_the_overriders_approval_is_refused(
    overridden, senior, officer, second_officer
):
    with pytest.raises(NotPermitted):
        services.application_approve(application=overridden, actor=senior, rationale="Reviewed.")
    services.application_approve(application=overridden, actor=officer, rationale="Reviewed.")
    services.application_approve(application=overridden, actor=second_officer, rationale="Reviewed too.")
    overridden.refresh_from_db()
    assert overridden.state == "approved"
    assert sorted(a.officer_id for a in overridden.approvals.all()) == sorted([officer.pk, second_officer.pk])


def test_the_web_ui_shows_the_refusal_as_a_message(overridden, senior):
    client = Client()
    client.force_login(senior)
    response = client.post(f"/applications/{overridden.pk}/approve/", {"rationale": "Reviewed."}, follow=True)
    assert response.status_code == 200
    assert REFUSAL in [str(m) for m in response.context["messages"]][0]
    assert not overridden.approvals.exists()


def test_the_api_refuses_the_overriders_approval_with_403(overridden, senior):
    client = APIClient()
    client.force_authenticate(senior)
    response = client.post(f"/api/v1/applications/{overridden.pk}/approve/", {"rationale": "ok"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "overrider_may_not_approve"
    assert REFUSAL in response.json()["detail"]
