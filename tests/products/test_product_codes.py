"""ISO codes in product terms, issuers and venues: upper case in the records, whatever the API was
sent; the model refuses a lower-case code; a code repeated in another case is a repeat."""

import importlib
import json

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from compliance.audit.models import AuditEvent
from compliance.audit.selectors import audit_chain_verify
from products import services
from products.models import ComputeProduct, Issuer, Venue
from products.validators import validate_country, validate_jurisdiction, validate_mic
from tests.factories import IssuerFactory, VenueFactory, make_lei, product_terms

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def body(issuer, **overrides):
    return json.loads(json.dumps({**product_terms(**overrides), "issuer": issuer.lei}, default=str))


LOWER_CASE_TERMS = {
    "jurisdictions": ["us", "eu"],
    "delivery_regions": ["us"],
    "delivery_sites": [{"country": "us", "site_id": "iad-2"}],
    "settlement_currency": "usd",
    "requested_venues": ["xcme"],
}


# --- the API reads codes in any case and stores them upper case ---------------------------------


def test_api_stores_lower_case_product_codes_upper_case(issuer_user, issuer):
    response = api(issuer_user).post("/api/v1/products/", body(issuer, **LOWER_CASE_TERMS), format="json")
    assert response.status_code == 201, response.json()
    product = ComputeProduct.objects.get()
    stored = {field: getattr(product, field) for field in LOWER_CASE_TERMS}
    assert stored == {
        "jurisdictions": ["US", "EU"],
        "delivery_regions": ["US"],
        "delivery_sites": [{"country": "US", "site_id": "iad-2"}],
        "settlement_currency": "USD",
        "requested_venues": ["XCME"],
    }
    assert {field: response.json()[field] for field in LOWER_CASE_TERMS} == stored


def test_api_update_stores_lower_case_jurisdictions_upper_case(issuer_user, issuer):
    services.product_create(actor=issuer_user, issuer=issuer, **product_terms())
    response = api(issuer_user).patch("/api/v1/products/H100-TEST/", {"jurisdictions": ["gb", "us"]}, format="json")
    assert response.status_code == 200, response.json()
    assert ComputeProduct.objects.get().jurisdictions == ["GB", "US"]


def test_api_refuses_a_jurisdiction_repeated_in_another_case(issuer_user, issuer):
    response = api(issuer_user).post("/api/v1/products/", body(issuer, jurisdictions=["US", "us"]), format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["jurisdictions"] == ["Codes must not repeat."]
    assert not ComputeProduct.objects.exists()


def test_api_stores_an_issuer_country_upper_case(officer):
    response = api(officer).post(
        "/api/v1/issuers/",
        {"legal_name": "Lower Case Compute SA", "lei": make_lei(77), "country": "lu", "registration_number": "R-77"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Issuer.objects.get(pk=response.json()["id"]).country == "LU"


# --- the model layer refuses a lower-case code (services, admin, anything calling full_clean) ---


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("jurisdictions", ["us"], 'Use the upper-case ISO 3166 alpha-2 (or EU) code, e.g. "US" (not "us").'),
        ("jurisdictions", ["eu"], 'Use the upper-case ISO 3166 alpha-2 (or EU) code, e.g. "EU" (not "eu").'),
        ("delivery_regions", ["us"], 'Use the upper-case ISO 3166 alpha-2 code, e.g. "US" (not "us").'),
        (
            "delivery_sites",
            [{"country": "us", "site_id": "iad-2"}],
            'Site 1: Use the upper-case ISO 3166 alpha-2 code, e.g. "US" (not "us").',
        ),
        ("settlement_currency", "usd", 'Use the upper-case ISO 4217 code, e.g. "USD" (not "usd").'),
        (
            "requested_venues",
            ["xcme"],
            'Use the upper-case ISO 10383 market identifier code, e.g. "XCME" (not "xcme").',
        ),
    ],
)
def test_product_create_refuses_a_lower_case_code_with_a_field_error(issuer_user, issuer, field, value, message):
    with pytest.raises(ValidationError) as refused:
        services.product_create(actor=issuer_user, issuer=issuer, **product_terms(**{field: value}))
    assert message in refused.value.message_dict[field]
    assert not ComputeProduct.objects.exists()


@pytest.mark.parametrize(
    ("validator", "value"),
    [
        (validate_country, "\u212aE"),  # KELVIN SIGN + E: pycountry lower-cases it to "ke" (Kenya)
        (validate_jurisdiction, "\u212aE"),
        (validate_mic, "XCME\n"),  # re.match's "$" also matched before a final newline
    ],
)
def test_validators_refuse_look_alikes_of_valid_codes(validator, value):
    with pytest.raises(ValidationError):
        validator(value)


# --- the data migration that heals rows written before the fix --------------------------------


def heal():
    importlib.import_module("products.migrations.0004_upper_case_codes").forwards(apps, None)


def test_migration_upper_cases_product_codes_and_drops_repeats_it_creates(issuer_user, issuer):
    product = services.product_create(actor=issuer_user, issuer=issuer, **product_terms())
    ComputeProduct.objects.filter(pk=product.pk).update(
        jurisdictions=["US", "us", "eu"],
        delivery_regions=["us"],
        delivery_sites=[{"country": "us", "site_id": "iad-2"}],
        settlement_currency="usd",
    )
    untouched = services.product_create(actor=issuer_user, issuer=issuer, **product_terms(symbol="UPPER-1"))

    heal()

    product.refresh_from_db()
    assert (product.jurisdictions, product.delivery_regions, product.settlement_currency) == (
        ["US", "EU"],
        ["US"],
        "USD",
    )
    assert product.delivery_sites == [{"country": "US", "site_id": "iad-2"}]
    product.full_clean()  # the healed terms pass the validators that refused the lower case
    event = AuditEvent.objects.get(action="computeproduct.codes_upper_cased")
    assert event.object_id == str(product.pk)
    assert event.before["jurisdictions"] == ["US", "us", "eu"]
    assert not AuditEvent.objects.filter(action__endswith=".codes_upper_cased", object_id=str(untouched.pk)).exists()
    assert audit_chain_verify().ok


def test_migration_upper_cases_issuer_and_venue_countries():
    issuer = IssuerFactory(country="LU")
    venue = VenueFactory(mic="XLOW", country="DE")
    Issuer.objects.filter(pk=issuer.pk).update(country="lu")
    Venue.objects.filter(pk=venue.pk).update(country="de")

    heal()

    issuer.refresh_from_db()
    venue.refresh_from_db()
    assert (issuer.country, venue.country) == ("LU", "DE")
