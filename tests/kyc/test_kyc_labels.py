"""KYC pages read like the rest of the application: ISO dates and decisions in the past tense."""

import pytest

from compliance.kyc import services as kyc
from tests.kyc.kyc_support import checked_case, logged_in, person

pytestmark = pytest.mark.django_db


def test_the_party_list_shows_the_kyc_expiry_as_an_iso_date(officer):
    party = person("Sophie Martin")
    kyc.case_decide(actor=officer, case=checked_case(party, officer), decision="approve", rationale="Reviewed.")
    party.refresh_from_db()
    page = logged_in(officer).get("/kyc/parties/").content.decode()
    assert f'<td class="nowrap">{party.kyc_expires_on:%Y-%m-%d}</td>' in page


def test_the_case_page_says_who_approved(officer):
    case = checked_case(person("Sophie Martin"), officer)
    kyc.case_decide(actor=officer, case=case, decision="approve", rationale="Reviewed.")
    page = logged_in(officer).get(f"/kyc/cases/{case.pk}/").content.decode()
    assert f"<li>Approved by {officer.username} on " in page
    assert "Approve by" not in page


def test_the_case_page_says_who_rejected(officer):
    case = checked_case(person("Sophie Martin"), officer)
    kyc.case_decide(actor=officer, case=case, decision="reject", rationale="Documents forged.")
    page = logged_in(officer).get(f"/kyc/cases/{case.pk}/").content.decode()
    assert f"<li>Rejected by {officer.username} on " in page
