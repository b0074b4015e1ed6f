"""A rejection stands while a new case is in progress: only the case directly before a renewal
can keep the party approved, and only while that case is approved and unexpired."""

from datetime import timedelta

import pytest
from django.utils import timezone

from compliance.eligibility.engine import Order, ReasonCode
from compliance.eligibility.snapshot import build_snapshot
from compliance.kyc import services as kyc
from compliance.kyc.models import KycCase, KycStatus
from tests.kyc.kyc_support import checked_case, entity, person

pytestmark = pytest.mark.django_db


def _approved_then_rejected(party, officer):
    first = checked_case(party, officer)
    kyc.case_decide(case=first, actor=officer, decision="approve", rationale="Verified.")
    second = checked_case(party, officer)  # periodic review
    kyc.case_decide(case=second, actor=officer, decision="reject", rationale="Source of funds unexplained.")
    party.refresh_from_db()
    assert party.kyc_status == KycStatus.REJECTED
    return party


def test_opening_a_case_after_a_rejection_does_not_revive_an_older_approval(officer):
    party = _approved_then_rejected(person("Jane Example"), officer)
    kyc.case_open(actor=officer, party=party, run_checks=False)
    party.refresh_from_db()
    assert (party.kyc_status, party.kyc_expires_on) == (KycStatus.OPENED, None)


def test_an_investor_rejected_then_reopened_is_not_kyc_approved_in_the_snapshot(officer):
    party = _approved_then_rejected(person("Jane Example"), officer)
    kyc.investor_create(actor=officer, party=party, reference="INV-R", category="professional")
    kyc.case_open(actor=officer, party=party, run_checks=False)
    decision = build_snapshot().evaluate(Order("c", "INV-R", "NOPE", "XCME", "buy", 1, "1"))
    assert ReasonCode.KYC_NOT_APPROVED in decision.reasons


def test_a_rejected_issuer_stays_blocked_at_the_kyb_gate_when_a_new_case_is_opened(require_kyb, issuer, officer):
    from products.gates import approval_blockers
    from tests.factories import ApplicationFactory, ProductFactory

    _approved_then_rejected(entity(issuer.legal_name, issuer=issuer), officer)
    application = ApplicationFactory(product=ProductFactory(issuer=issuer, symbol="KYB-REJ"), state="in_review")
    kyc.issuer_kyb_open(actor=officer, issuer=issuer)
    assert approval_blockers(application) == ["the issuer's KYB case is opened, not approved"]


def test_a_lapsed_approval_is_not_kept_by_a_renewal(officer):
    # Past its review date, but not yet moved to 'expired' by the hourly beat task.
    party = person("Jane Example")
    first = checked_case(party, officer)
    kyc.case_decide(case=first, actor=officer, decision="approve", rationale="Verified.")
    KycCase.objects.filter(pk=first.pk).update(expires_on=timezone.localdate() - timedelta(days=1))
    kyc.case_open(actor=officer, party=party, run_checks=False)
    party.refresh_from_db()
    assert (party.kyc_status, party.kyc_expires_on) == (KycStatus.OPENED, None)
