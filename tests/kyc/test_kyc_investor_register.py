"""Officers register an investor (a natural person) from the web: party and investor in one step."""

import pytest

from compliance.audit.models import AuditEvent
from compliance.kyc.models import Investor, Party
from tests.factories import UserFactory
from tests.kyc.kyc_support import logged_in

pytestmark = pytest.mark.django_db

URL = "/kyc/investors/new/"


def form(**overrides):
    data = {
        "name": "Sophie Martin",
        "birth_date": "1984-03-02",
        "nationalities": "fr, de",
        "residence_country": "fr",
        "reference": "INV-SM-0001",
        "category": "professional",
        "category_evidence": "Portfolio over EUR 500,000; three years at an investment firm.",
        "category_assessed_on": "2026-11-20",
        "order_notional_limit": "250000",
        "order_limit_currency": "eur",
    }
    data.update(overrides)
    return data


def test_an_officer_registers_an_investor_and_the_screening_is_queued(
    officer, monkeypatch, django_capture_on_commit_callbacks
):
    screened = []
    monkeypatch.setattr("compliance.sanctions.tasks.sanctions_screen_parties.delay", screened.append)
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(officer).post(URL, form(), follow=True)
    investor = Investor.objects.select_related("party").get(reference="INV-SM-0001")
    assert "Investor INV-SM-0001 registered and queued for screening" in response.content.decode()
    assert response.redirect_chain[-1][0] == f"/kyc/parties/{investor.party_id}/"
    assert (investor.party.kind, investor.party.nationalities, investor.party.residence_country) == (
        "person",
        ["FR", "DE"],
        "FR",
    )
    assert (investor.category, investor.residence_jurisdiction, investor.order_limit_currency) == (
        "professional",
        "FR",
        "EUR",
    )
    assert str(investor.order_notional_limit) == "250000.00"
    assert screened == [[investor.party_id]]
    assert {"party.create", "investor.create"} <= set(AuditEvent.objects.values_list("action", flat=True))


def test_a_reference_in_use_is_a_field_error_and_no_party_is_left_behind(officer):
    logged_in(officer).post(URL, form())
    response = logged_in(officer).post(URL, form(name="Someone Else"))
    assert "An investor with this reference already exists." in response.content.decode()
    assert not Party.objects.filter(name="Someone Else").exists()


def test_a_bad_country_is_a_field_error(officer):
    response = logged_in(officer).post(URL, form(residence_country="XX"))
    assert "XX is not an ISO 3166 alpha-2 country code." in response.content.decode()
    assert not Party.objects.exists()


def test_the_party_list_offers_registration_to_officers_only(officer, auditor):
    assert URL in logged_in(officer).get("/kyc/parties/").content.decode()
    assert URL not in logged_in(auditor).get("/kyc/parties/").content.decode()


def test_an_auditor_gets_a_404_and_nothing_is_written(auditor):
    assert logged_in(auditor).get(URL).status_code == 404
    assert logged_in(auditor).post(URL, form()).status_code == 404
    assert not Party.objects.exists()


def test_an_issuer_gets_a_404(issuer):
    assert logged_in(UserFactory(role="issuer", issuer=issuer)).get(URL).status_code == 404
