"""Opening an issuer's KYB case from its application: the party comes from the issuer's record."""

import pytest

from compliance.audit.models import AuditEvent
from compliance.kyc import services as kyc
from compliance.kyc.models import CaseState, Party, PartyKind
from config.errors import Conflict, NotPermitted
from products import services as products
from tests.factories import IssuerFactory, UserFactory, product_terms
from tests.kyc.kyc_support import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def issuer(db):
    return IssuerFactory(legal_name="Nimbus Compute Markets Ltd")


def test_an_officer_opens_kyb_and_the_party_is_registered_from_the_issuer(issuer, officer):
    case = kyc.issuer_kyb_open(actor=officer, issuer=issuer)
    party = case.party
    assert (party.kind, party.issuer_id) == (PartyKind.ENTITY, issuer.pk)
    assert (party.name, party.lei, party.registration_number, party.country) == (
        issuer.legal_name,
        issuer.lei,
        issuer.registration_number,
        issuer.country,
    )
    assert case.state == CaseState.OPENED
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"party.create", "kyc_case.open"} <= actions


def test_a_later_case_reuses_the_issuers_party(issuer, officer):
    first = kyc.issuer_kyb_open(actor=officer, issuer=issuer)
    kyc.case_decide(case=_awaiting_review(first), actor=officer, decision="reject", rationale="Stale documents.")
    second = kyc.issuer_kyb_open(actor=officer, issuer=issuer)
    assert second.pk != first.pk
    assert second.party_id == first.party_id
    assert Party.objects.filter(issuer=issuer).count() == 1


def test_a_second_case_is_refused_while_one_is_in_progress(issuer, officer):
    kyc.issuer_kyb_open(actor=officer, issuer=issuer)
    with pytest.raises(Conflict, match="already has a case in progress"):
        kyc.issuer_kyb_open(actor=officer, issuer=issuer)


@pytest.mark.parametrize("role", ["issuer", "auditor"])
def test_only_an_officer_opens_kyb(issuer, role):
    user = UserFactory(role=role, issuer=issuer if role == "issuer" else None)
    with pytest.raises(NotPermitted):
        kyc.issuer_kyb_open(actor=user, issuer=issuer)
    assert not Party.objects.exists()


def _awaiting_review(case):
    kyc.case_run_checks(case_id=case.pk)
    case.refresh_from_db()
    return case


# --- from the application page ------------------------------------------------------------------


@pytest.fixture
def application(issuer):
    issuer_user = UserFactory(role="issuer", issuer=issuer)
    product = products.product_create(actor=issuer_user, issuer=issuer, **product_terms())
    return products.application_create(actor=issuer_user, product=product)


def test_the_application_page_offers_an_officer_to_open_kyb(application, officer):
    page = logged_in(officer).get(f"/applications/{application.pk}/").content.decode()
    assert f"/kyc/issuers/{application.issuer_id}/open-kyb-case/" in page
    assert "Open a KYB case for Nimbus Compute Markets Ltd" in page


def test_opening_kyb_from_the_page_lands_on_the_new_case(application, officer):
    response = logged_in(officer).post(
        f"/kyc/issuers/{application.issuer_id}/open-kyb-case/", {"next": f"/applications/{application.pk}/"}
    )
    case = Party.objects.get(issuer=application.issuer).cases.get()
    assert response.status_code == 302
    assert response["Location"] == f"/kyc/cases/{case.pk}/"


def test_the_button_is_gone_while_the_case_is_in_progress(application, officer):
    kyc.issuer_kyb_open(actor=officer, issuer=application.issuer)
    page = logged_in(officer).get(f"/applications/{application.pk}/").content.decode()
    assert "open-kyb-case" not in page


def test_a_refusal_returns_to_the_application_with_the_reason(application, officer):
    kyc.issuer_kyb_open(actor=officer, issuer=application.issuer)
    response = logged_in(officer).post(
        f"/kyc/issuers/{application.issuer_id}/open-kyb-case/",
        {"next": f"/applications/{application.pk}/"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/applications/{application.pk}/"
    assert "already has a case in progress" in response.content.decode()


def test_a_foreign_next_address_is_not_followed(application, officer):
    kyc.issuer_kyb_open(actor=officer, issuer=application.issuer)
    response = logged_in(officer).post(
        f"/kyc/issuers/{application.issuer_id}/open-kyb-case/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == "/kyc/parties/"


def test_the_issuer_is_offered_nothing_and_gets_a_404(application):
    issuer_user = UserFactory(role="issuer", issuer=application.issuer)
    client = logged_in(issuer_user)
    assert "open-kyb-case" not in client.get(f"/applications/{application.pk}/").content.decode()
    assert client.post(f"/kyc/issuers/{application.issuer_id}/open-kyb-case/").status_code == 404
    assert not Party.objects.exists()


def test_the_issuer_does_not_see_its_own_screening_state(application, officer):
    # Telling the party under review about a sanctions hit on itself would tip it off.
    kyc.issuer_kyb_open(actor=officer, issuer=application.issuer)
    Party.objects.filter(issuer=application.issuer).update(sanctions_state="open_hit")
    issuer_user = application.issuer.members.get()
    page = logged_in(issuer_user).get(f"/applications/{application.pk}/").content.decode()
    assert "Issuer KYB" not in page
    assert "Open hit awaiting review" not in page
    assert "Open hit awaiting review" in logged_in(officer).get(f"/applications/{application.pk}/").content.decode()
