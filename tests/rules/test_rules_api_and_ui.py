import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from compliance.rules import services
from compliance.rules.models import Finding, RulePack, RuleRun
from tests.factories import IssuerFactory, UserFactory
from tests.rules.support import NO_REMEDY, submitted_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def checked_pair():
    """Two issuers' applications, each with a completed run."""
    call_command("load_rule_packs")
    apps = []
    for symbol in ("H100-A", "H100-B"):
        issuer = IssuerFactory()
        app = submitted_application(issuer=issuer, symbol=symbol, jurisdictions=["US"], **NO_REMEDY)
        run = services.run_begin_for_submission(application_id=app.pk)
        services.run_execute(run)
        apps.append(app)
    return apps


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_an_issuer_reads_its_own_runs_and_findings(checked_pair):
    a, _ = checked_pair
    user = a.issuer.members.first()
    run = RuleRun.objects.get(application=a)
    listed = api(user).get("/api/v1/rule-runs/").json()
    assert [r["id"] for r in listed["results"]] == [run.pk]
    detail = api(user).get(f"/api/v1/rule-runs/{run.pk}/").json()
    assert len(detail["findings"]) == 19 and detail["results"][0]["jurisdiction_blocked"] is True
    blocking = [f for f in detail["findings"] if f["blocking"]]
    assert [f["rule_code"] for f in blocking] == ["US-COMPUTE-SHORTFALL-REMEDY"]
    assert blocking[0]["citation"] and blocking[0]["evidence"]["product.remedy_make_whole"] is False


def test_another_issuer_gets_404_for_those_runs(checked_pair):
    a, b = checked_pair
    other = b.issuer.members.first()
    run = RuleRun.objects.get(application=a)
    response = api(other).get(f"/api/v1/rule-runs/{run.pk}/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api(other).get(f"/api/v1/rule-runs/?application={a.pk}").json()["results"] == []


def test_officers_filter_runs_by_application_and_bad_filters_are_400(checked_pair, officer):
    a, _ = checked_pair
    runs = api(officer).get(f"/api/v1/rule-runs/?application={a.pk}").json()["results"]
    assert {r["application"] for r in runs} == {a.pk}
    assert api(officer).get("/api/v1/rule-runs/?application=x").status_code == 400


def test_packs_and_their_rules_are_listed(checked_pair, officer):
    packs = api(officer).get("/api/v1/rule-packs/").json()["results"]
    assert {p["jurisdiction"] for p in packs} == {"US", "EU", "GB", "CH", "SG", "HK"}
    us = next(p for p in packs if p["jurisdiction"] == "US")
    detail = api(officer).get(f"/api/v1/rule-packs/{us['id']}/").json()
    assert len(detail["rules"]) == us["rule_count"] == 19


def test_the_application_page_shows_findings_grouped_with_evidence(checked_pair, client, officer):
    a, _ = checked_pair
    client.force_login(officer)
    html = client.get(f"/applications/{a.pk}/").content.decode()
    assert "Rule findings" in html and "Blocking (1)" in html
    assert "US-COMPUTE-SHORTFALL-REMEDY" in html and "17 CFR Part 38 Appendix C" in html
    assert "product.remedy_credit_pct" in html  # evidence
    assert "Override finding" not in html  # officers are not senior


def test_a_senior_overrides_from_the_page_with_a_rationale(checked_pair, client, senior):
    a, _ = checked_pair
    finding = Finding.objects.get(run__application=a, rule_code="US-COMPUTE-SHORTFALL-REMEDY")
    client.force_login(senior)
    assert "Override finding" in client.get(f"/applications/{a.pk}/").content.decode()
    client.post(f"/rules/findings/{finding.pk}/override/", {"rationale": ""})
    finding.refresh_from_db()
    assert not finding.is_overridden
    response = client.post(f"/rules/findings/{finding.pk}/override/", {"rationale": "Remedy in annex 4."}, follow=True)
    finding.refresh_from_db()
    assert finding.is_overridden and "Remedy in annex 4." in response.content.decode()


def test_an_issuer_cannot_override_other_issuers_findings(checked_pair, client):
    a, b = checked_pair
    finding = Finding.objects.get(run__application=a, rule_code="US-COMPUTE-SHORTFALL-REMEDY")
    client.force_login(UserFactory(role="issuer", issuer=b.issuer))
    assert client.post(f"/rules/findings/{finding.pk}/override/", {"rationale": "x"}).status_code == 404


def test_the_pack_browser_lists_packs_rules_and_diffs(checked_pair, client, auditor):
    client.force_login(auditor)
    assert 'href="/rules/packs/"' in client.get("/applications/").content.decode()  # nav link
    listing = client.get("/rules/packs/").content.decode()
    assert "US" in listing and "2026.1" in listing
    us = RulePack.objects.get(jurisdiction="US")
    detail = client.get(f"/rules/packs/{us.pk}/").content.decode()
    assert "US-COMPUTE-SHORTFALL-REMEDY" in detail and "product.remedy_make_whole" in detail
    assert client.get("/rules/packs/US/diff/").status_code == 200
    assert client.get("/rules/packs/ZZ/diff/").status_code == 404
