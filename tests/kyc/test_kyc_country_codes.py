"""Country and currency codes of parties and investors: upper case in the records, whatever the API
was sent; the model refuses a lower-case code; the screening snapshot can always be built."""

import importlib
from datetime import UTC, date, datetime

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from compliance.audit.models import AuditEvent
from compliance.audit.selectors import audit_chain_verify
from compliance.eligibility.engine import Order, ReasonCode
from compliance.eligibility.models import SnapshotVersion
from compliance.eligibility.snapshot import build_snapshot
from compliance.kyc import services
from compliance.kyc.models import Investor, Party
from tests.eligibility.eligibility_support import listed_product
from tests.eligibility.test_eligibility_snapshot_db import constraints
from tests.kyc.kyc_support import SYSTEM, person

pytestmark = pytest.mark.django_db

NOW = int(datetime(2026, 6, 1, tzinfo=UTC).timestamp())


def api(user) -> APIClient:
    client = APIClient()
    client.default_format = "json"
    client.force_authenticate(user)
    return client


def register_through_api(user, *, reference="LC-1", residence="fr", **investor_fields):
    client = api(user)
    party = client.post("/api/v1/parties/", {"kind": "person", "name": "Lower Case", "residence_country": residence})
    assert party.status_code == 201, party.json()
    investor = client.post(
        "/api/v1/investors/",
        {"party": party.json()["id"], "reference": reference, "category": "professional", **investor_fields},
    )
    assert investor.status_code == 201, investor.json()
    return party.json(), investor.json()


# --- the API reads codes in any case and stores them upper case ---------------------------------


def test_api_stores_a_lower_case_residence_upper_case(officer):
    party, investor = register_through_api(officer, residence=" fr ")
    assert party["residence_country"] == "FR"
    assert investor["residence_jurisdiction"] == "FR"  # taken from the party
    assert Party.objects.get(pk=party["id"]).residence_country == "FR"
    assert Investor.objects.get(reference="LC-1").residence_jurisdiction == "FR"


def test_api_stores_investor_residence_and_limit_currency_upper_case(officer):
    _, investor = register_through_api(officer, residence="FR", residence_jurisdiction="de", order_limit_currency="eur")
    stored = Investor.objects.get(reference="LC-1")
    assert (stored.residence_jurisdiction, stored.order_limit_currency) == ("DE", "EUR")
    assert (investor["residence_jurisdiction"], investor["order_limit_currency"]) == ("DE", "EUR")


def test_api_stores_an_entity_country_upper_case(officer):
    response = api(officer).post("/api/v1/parties/", {"kind": "entity", "name": "Lower Case SA", "country": "lu"})
    assert response.status_code == 201, response.json()
    assert Party.objects.get(pk=response.json()["id"]).country == "LU"


def test_api_drops_a_nationality_repeated_in_another_case(officer):
    response = api(officer).post(
        "/api/v1/parties/",
        {
            "kind": "person",
            "name": "Two Passports",
            "residence_country": "FR",
            "nationalities": ["fr", "DE", "FR"],
            "tax_residences": ["de", "De"],
        },
    )
    assert response.status_code == 201, response.json()
    party = Party.objects.get(pk=response.json()["id"])
    assert (party.nationalities, party.tax_residences) == (["FR", "DE"], ["DE"])


def test_api_refuses_a_non_ascii_look_alike_of_a_code(officer):
    # "\u212a" (KELVIN SIGN) lower-cases to "k": pycountry read "\u212aE" as Kenya.
    response = api(officer).post(
        "/api/v1/parties/", {"kind": "person", "name": "Look Alike", "residence_country": "\u212aE"}
    )
    assert response.status_code == 400
    assert "residence_country" in response.json()["errors"]
    assert not Party.objects.exists()


# --- the model layer refuses a lower-case code (services, admin, anything calling full_clean) ---


def test_party_create_refuses_a_lower_case_residence_with_a_field_error():
    with pytest.raises(ValidationError) as refused:
        services.party_create(actor=SYSTEM, kind="person", name="Lower Case", residence_country="fr")
    assert refused.value.message_dict["residence_country"] == [
        'Use the upper-case ISO 3166 alpha-2 code, e.g. "FR" (not "fr").'
    ]
    assert not Party.objects.exists()


def test_party_create_refuses_a_lower_case_nationality_with_a_field_error():
    with pytest.raises(ValidationError) as refused:
        services.party_create(
            actor=SYSTEM, kind="person", name="Lower Case", residence_country="FR", nationalities=["FR", "de"]
        )
    assert refused.value.message_dict["nationalities"] == [
        'Use the upper-case ISO 3166 alpha-2 code, e.g. "DE" (not "de").'
    ]
    assert not Party.objects.exists()


def test_investor_create_refuses_a_lower_case_residence_with_a_field_error():
    party = person("Upper Case")
    with pytest.raises(ValidationError) as refused:
        services.investor_create(
            actor=SYSTEM, party=party, reference="LC-1", category="professional", residence_jurisdiction="fr"
        )
    assert list(refused.value.message_dict) == ["residence_jurisdiction"]
    assert not Investor.objects.exists()


def test_investor_create_refuses_a_lower_case_limit_currency_with_a_field_error():
    party = person("Upper Case")
    with pytest.raises(ValidationError) as refused:
        services.investor_create(
            actor=SYSTEM, party=party, reference="LC-1", category="professional", order_limit_currency="eur"
        )
    assert refused.value.message_dict["order_limit_currency"] == [
        'Use the upper-case ISO 4217 code, e.g. "EUR" (not "eur").'
    ]
    assert not Investor.objects.exists()


# --- the screening snapshot -------------------------------------------------------------------


def test_snapshot_builds_and_screens_an_investor_registered_through_the_api_in_lower_case(officer):
    """The reviewer's case: one "fr" residence made every snapshot rebuild fail, so exchanges kept
    the last good snapshot and never saw, for one, a sanctions confirmation."""
    _, application = listed_product("H100-TEST", ("XCME",))
    constraints(application, FR={"allowed_investor_categories": None})
    party, _ = register_through_api(officer, residence="fr")
    Party.objects.filter(pk=party["id"]).update(kyc_status="approved", kyc_expires_on=date(2099, 1, 1))
    order = Order("c-1", "LC-1", "H100-TEST", "XCME", "buy", 20, "2.5")

    assert build_snapshot().evaluate(order, NOW).eligible
    Party.objects.filter(pk=party["id"]).update(sanctions_state="confirmed")
    assert ReasonCode.SANCTIONS_CONFIRMED in build_snapshot().evaluate(order, NOW).reasons


# --- the data migration that heals rows written before the fix --------------------------------


def heal():
    importlib.import_module("compliance.kyc.migrations.0002_upper_case_codes").forwards(apps, None)


def test_migration_upper_cases_codes_stored_in_lower_case_and_audits_each_change():
    lower = person("Lower Case")
    Party.objects.filter(pk=lower.pk).update(residence_country="fr", nationalities=["fr", "FR", "de"])
    investor = services.investor_create(actor=SYSTEM, party=lower, reference="LC-1", category="professional")
    Investor.objects.filter(pk=investor.pk).update(residence_jurisdiction="fr", order_limit_currency="eur")
    untouched = person("Upper Case", country="DE")
    version = SnapshotVersion.objects.get(pk=1).value

    heal()

    lower.refresh_from_db()
    investor.refresh_from_db()
    assert (lower.residence_country, lower.nationalities) == ("FR", ["FR", "DE"])
    assert (investor.residence_jurisdiction, investor.order_limit_currency) == ("FR", "EUR")
    healed = AuditEvent.objects.filter(action__endswith=".codes_upper_cased")
    assert sorted(e.object_type for e in healed) == ["kyc.investor", "kyc.party"]
    assert healed.get(object_type="kyc.party").before == {
        "residence_country": "fr",
        "nationalities": ["fr", "FR", "de"],
    }
    assert not healed.filter(object_id=str(untouched.pk), object_type="kyc.party").exists()
    assert audit_chain_verify().ok
    assert SnapshotVersion.objects.get(pk=1).value == version + 1
    build_snapshot()  # no longer refused
