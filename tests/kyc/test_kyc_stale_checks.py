"""A case is decided on checks that reflect its current inputs: an owner or director declared (or a
document attached) after the checks ran blocks approval until the checks are run again."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from compliance.kyc import services as kyc
from compliance.kyc.models import CaseState, RiskRating
from compliance.kyc.risk import expiry_for
from config.errors import IllegalTransition
from tests.factories import make_lei
from tests.kyc.kyc_support import PNG, SYSTEM, checked_case, entity, logged_in, person

pytestmark = pytest.mark.django_db

STALE = "The owners, directors or documents changed after the checks ran: run the checks again."


@pytest.fixture
def low_risk_company(db):
    company = entity("Acme Compute Ltd", lei=make_lei(7), country="GB")
    kyc.party_add_relation(actor=SYSTEM, entity=company, related=person("Sophie Martin"), role="ubo", ownership_pct=100)
    return company


def _add_kp_director(company, officer):
    # The entity page's "Add an owner or director", after the checks ran.
    return kyc.party_add_person(
        actor=officer, entity=company, name="Kim Chol", role="director", residence_country="KP", nationalities=["KP"]
    )


def _rerun(case, officer):
    kyc.case_rerun_checks(case=case, actor=officer)
    kyc.case_run_checks(case_id=case.pk)
    case.refresh_from_db()
    return case


def test_approval_is_refused_after_a_director_is_added_post_checks(low_risk_company, officer):
    case = checked_case(low_risk_company, officer)
    assert (case.state, case.risk_rating) == (CaseState.AWAITING_REVIEW, RiskRating.LOW)
    _add_kp_director(low_risk_company, officer)
    with pytest.raises(IllegalTransition, match=STALE) as caught:
        kyc.case_decide(case=case, actor=officer, decision="approve", rationale="ok")
    assert caught.value.code == "checks_stale"
    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_REVIEW and case.expires_on is None
    assert not case.decisions.exists()


def test_after_the_checks_run_again_the_case_is_high_risk_and_needs_two_officers(
    low_risk_company, officer, second_officer
):
    case = checked_case(low_risk_company, officer)
    director = _add_kp_director(low_risk_company, officer).related
    assert kyc.stale_checks_reason(case) == STALE
    case = _rerun(case, officer)
    assert kyc.stale_checks_reason(case) is None
    assert case.risk_rating == RiskRating.HIGH
    assert director.pk in [p["party"] for p in case.checks["sanctions"]["parties"]]  # screened this time
    director.refresh_from_db()
    assert director.last_screened_at is not None
    kyc.case_decide(case=case, actor=officer, decision="approve", rationale="Enhanced due diligence done.")
    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_REVIEW  # four-eyes
    kyc.case_decide(case=case, actor=second_officer, decision="approve", rationale="Concur.")
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED
    assert case.expires_on == expiry_for("high", timezone.localdate())


def test_a_second_approval_is_refused_when_a_director_is_added_between_the_two(officer, second_officer):
    company = entity("Acme Compute Ltd", lei=make_lei(7), country="GB")
    owner = person("Kim Il", country="KP")
    kyc.party_add_relation(actor=SYSTEM, entity=company, related=owner, role="ubo", ownership_pct=100)
    case = checked_case(company, officer)
    assert case.risk_rating == RiskRating.HIGH
    kyc.case_decide(case=case, actor=officer, decision="approve", rationale="Enhanced due diligence done.")
    kyc.party_add_person(actor=officer, entity=company, name="Jean Dupont", role="director", residence_country="FR")
    with pytest.raises(IllegalTransition, match=STALE):
        kyc.case_decide(case=case, actor=second_officer, decision="approve", rationale="Concur.")
    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_REVIEW


def test_a_document_type_attached_after_the_checks_needs_them_run_again(officer):
    case = checked_case(person("Sophie Martin"), officer)
    kyc.document_add(actor=officer, case=case, doc_type="category_evidence", file_type="png", data=PNG + b"c", name="c")
    with pytest.raises(IllegalTransition, match=STALE):
        kyc.case_decide(case=case, actor=officer, decision="approve", rationale="ok")
    case = _rerun(case, officer)
    kyc.case_decide(case=case, actor=officer, decision="approve", rationale="ok")
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED


def test_approval_is_unaffected_when_nothing_changed(low_risk_company, officer):
    case = checked_case(low_risk_company, officer)
    # Another file of a document type the checks already found changes nothing they judged.
    kyc.document_add(actor=officer, case=case, doc_type="ownership_chart", file_type="png", data=PNG + b"2", name="2")
    assert kyc.stale_checks_reason(case) is None
    assert kyc.approval_blockers(case) == []
    kyc.case_decide(case=case, actor=officer, decision="approve", rationale="Verified.")
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED
    assert case.expires_on == expiry_for("low", timezone.localdate())


def test_the_case_page_and_the_api_say_to_run_the_checks_again(low_risk_company, officer):
    case = checked_case(low_risk_company, officer)
    _add_kp_director(low_risk_company, officer)
    page = logged_in(officer).get(f"/kyc/cases/{case.pk}/").content.decode()
    assert f"Approval blocked: {STALE}" in page
    assert 'class="primary" disabled aria-describedby="approval-blockers">Approve</button>' in page
    posted = logged_in(officer).post(f"/kyc/cases/{case.pk}/approve/", {"rationale": "ok"}, follow=True)
    assert STALE in posted.content.decode()
    client = APIClient()
    client.default_format = "json"
    client.force_authenticate(officer)
    response = client.post(f"/api/v1/kyc-cases/{case.pk}/approve/", {"rationale": "ok"})
    assert response.status_code == 409
    assert response.json()["code"] == "checks_stale" and response.json()["detail"] == STALE
    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_REVIEW
