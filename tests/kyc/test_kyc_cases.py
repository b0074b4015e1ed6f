"""Case workflow: checks, risk rating, four-eyes on high risk, expiry, the KYB approval gate."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from compliance.kyc import services as kyc
from compliance.kyc.models import CaseState, KycStatus, SanctionsState
from compliance.kyc.risk import expiry_for
from config.errors import Conflict, IllegalTransition, NotPermitted
from tests.kyc.kyc_support import SYSTEM, checked_case, entity, entry, import_entries, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def lists(db):
    return import_entries([entry("QDi.1", "Ivan Petrovich Sidorov", birth_dates=["1960-01-12"])])


def test_clean_low_risk_person_is_approved_by_one_officer(lists, officer):
    case = checked_case(person("Sophie Martin"), officer)
    assert case.state == CaseState.AWAITING_REVIEW
    assert case.risk_rating == "low"
    assert case.checks["sanctions"]["passed"] and case.checks["documents"]["passed"]
    kyc.case_decide(case=case, actor=officer, decision="approve", rationale="Verified.")
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED
    assert case.expires_on == expiry_for("low", timezone.localdate())
    case.party.refresh_from_db()
    assert (case.party.kyc_status, case.party.kyc_expires_on) == (KycStatus.APPROVED, case.expires_on)


def test_missing_documents_block_approval(lists, officer):
    case = kyc.case_open(actor=officer, party=person("Sophie Martin"), run_checks=False)
    kyc.case_run_checks(case_id=case.pk)
    case.refresh_from_db()
    assert case.checks["documents"]["missing"] == ["Passport or National identity card", "Proof of address"]
    with pytest.raises(IllegalTransition, match="required documents"):
        kyc.case_decide(case=case, actor=officer, decision="approve", rationale="ok")


def test_high_risk_needs_two_different_officers(lists, officer, second_officer):
    case = checked_case(person("Kim Chol", country="KP"), officer)
    assert case.risk_rating == "high"
    assert case.risk_factors[0]["factor"] == "jurisdiction_call_for_action"
    kyc.case_decide(case=case, actor=officer, decision="approve", rationale="Enhanced due diligence done.")
    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_REVIEW
    with pytest.raises(Conflict):
        kyc.case_decide(case=case, actor=officer, decision="approve", rationale="Again.")
    kyc.case_decide(case=case, actor=second_officer, decision="approve", rationale="Concur.")
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED
    assert case.expires_on == expiry_for("high", timezone.localdate())


def test_open_hit_blocks_approval_and_rates_high(lists, officer):
    case = checked_case(person("Ivan Petrovich Sidorov", birth=date(1960, 1, 12)), officer)
    assert case.party.sanctions_state == SanctionsState.OPEN_HIT
    assert case.risk_rating == "high"
    assert not case.checks["sanctions"]["passed"]
    with pytest.raises(IllegalTransition, match="awaiting review"):
        kyc.case_decide(case=case, actor=officer, decision="approve", rationale="ok")


def test_entity_screens_owners_and_directors_and_checks_lei(lists, officer, issuer):
    company = entity("Acme Compute Ltd", issuer=issuer)
    owner = person("Ivan Petrovich Sidorov", birth=date(1960, 1, 12))
    holding = entity("Acme Holdings Ltd", lei="")
    kyc.party_add_relation(actor=SYSTEM, entity=company, related=owner, role="ubo", ownership_pct=30)
    kyc.party_add_relation(actor=SYSTEM, entity=company, related=holding, role="ubo", ownership_pct=70)
    case = checked_case(company, officer)
    owner.refresh_from_db()
    assert owner.sanctions_state == SanctionsState.OPEN_HIT
    assert case.checks["lei"]["passed"]
    assert {f["factor"] for f in case.risk_factors} >= {"layered_ownership", "sanctions_open"}
    assert [p["name"] for p in case.checks["sanctions"]["parties"]] == [
        "Acme Compute Ltd",
        "Ivan Petrovich Sidorov",
        "Acme Holdings Ltd",
    ]


def test_invalid_lei_fails_the_check(lists, officer):
    company = kyc.party_create(actor=SYSTEM, kind="entity", name="No Lei Ltd", country="GB", screen=False)
    case = checked_case(company, officer)
    assert not case.checks["lei"]["passed"]


def test_ubo_needs_25_percent(lists):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        kyc.party_add_relation(
            actor=SYSTEM, entity=entity("A Ltd", lei=""), related=person("B C"), role="ubo", ownership_pct=10
        )


def test_rejection_is_final_with_one_officer(lists, officer):
    case = checked_case(person("Sophie Martin"), officer)
    kyc.case_decide(case=case, actor=officer, decision="reject", rationale="Source of funds unclear.")
    case.refresh_from_db()
    assert case.state == CaseState.REJECTED
    assert case.party.kyc_status == KycStatus.REJECTED


def test_only_officers_decide(lists, officer, auditor):
    case = checked_case(person("Sophie Martin"), officer)
    with pytest.raises(NotPermitted):
        kyc.case_decide(case=case, actor=auditor, decision="approve", rationale="x")


def test_expiry_task_expires_cases_past_their_date(lists, officer):
    from compliance.kyc.tasks import kyc_expire_cases

    case = checked_case(person("Sophie Martin"), officer)
    kyc.case_decide(case=case, actor=officer, decision="approve", rationale="ok")
    case.refresh_from_db()
    assert kyc.cases_expire(today=case.expires_on) == 0  # valid through its date
    type(case).objects.filter(pk=case.pk).update(expires_on=timezone.localdate() - timedelta(days=1))
    assert kyc_expire_cases() == 1
    assert kyc_expire_cases() == 0  # idempotent
    case.refresh_from_db()
    case.party.refresh_from_db()
    assert case.state == CaseState.EXPIRED
    assert case.party.kyc_status == KycStatus.EXPIRED


def test_renewal_in_progress_keeps_a_valid_approval(lists, officer):
    party = person("Sophie Martin")
    case = checked_case(party, officer)
    kyc.case_decide(case=case, actor=officer, decision="approve", rationale="ok")
    kyc.case_open(actor=officer, party=party, run_checks=False)
    party.refresh_from_db()
    assert party.kyc_status == KycStatus.APPROVED
    with pytest.raises(Conflict):
        kyc.case_open(actor=officer, party=party, run_checks=False)


# --- the KYB approval gate -----------------------------------------------------------------------


def _in_review_application(issuer):
    from tests.factories import ApplicationFactory, ProductFactory

    return ApplicationFactory(product=ProductFactory(issuer=issuer, symbol="KYB-TEST"), state="in_review", version=1)


def _approve_twice(application, a, b):
    from products import services as products

    products.application_approve(application=application, actor=a, rationale="ok")
    products.application_approve(application=application, actor=b, rationale="ok")


def test_gate_blocks_issuer_without_kyb(require_kyb, issuer, officer, second_officer):
    application = _in_review_application(issuer)
    with pytest.raises(IllegalTransition, match="no KYB party"):
        _approve_twice(application, officer, second_officer)


def test_gate_passes_with_approved_kyb(require_kyb, lists, issuer, officer, second_officer):
    case = checked_case(entity(issuer.legal_name, issuer=issuer), officer)
    kyc.case_decide(case=case, actor=officer, decision="approve", rationale="ok")
    application = _in_review_application(issuer)
    _approve_twice(application, officer, second_officer)
    application.refresh_from_db()
    assert application.state == "approved"


def test_gate_blocks_expired_kyb_and_sanctioned_issuer(require_kyb, lists, issuer, officer, second_officer):
    party = entity(issuer.legal_name, issuer=issuer)
    case = checked_case(party, officer)
    kyc.case_decide(case=case, actor=officer, decision="approve", rationale="ok")
    type(case).objects.filter(pk=case.pk).update(expires_on=timezone.localdate() - timedelta(days=1))
    kyc.cases_expire()
    application = _in_review_application(issuer)
    with pytest.raises(IllegalTransition, match="expired"):
        _approve_twice(application, officer, second_officer)
    type(party).objects.filter(pk=party.pk).update(
        kyc_status="approved", kyc_expires_on=date(2099, 1, 1), sanctions_state="open_hit"
    )
    with pytest.raises(IllegalTransition, match="sanctions hit"):
        _approve_twice(application, officer, second_officer)


def test_gate_off_without_require_kyb(issuer, officer, second_officer):
    application = _in_review_application(issuer)
    _approve_twice(application, officer, second_officer)
    application.refresh_from_db()
    assert application.state == "approved"
