"""Bounds of product terms, held by the model's clean() so that the one-page web form, the filing
steps and the API accept the same terms: the delivery window, delivery sites, SLA percentages,
settlement currencies, code lists and quantities (docs/terms.md)."""

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from products import services
from products.forms import CodeListField, ProductForm, SiteListField
from products.models import ComputeProduct
from tests.factories import product_terms

pytestmark = pytest.mark.django_db


def errors_for(issuer_user, issuer, **overrides) -> dict:
    with pytest.raises(ValidationError) as caught:
        services.product_create(actor=issuer_user, issuer=issuer, **product_terms(**overrides))
    return caught.value.message_dict


def create(issuer_user, issuer, **overrides) -> ComputeProduct:
    return services.product_create(actor=issuer_user, issuer=issuer, **product_terms(**overrides))


def api_post(user, issuer, **overrides):
    client = APIClient()
    client.force_authenticate(user)
    body = json.loads(json.dumps({**product_terms(**overrides), "issuer": issuer.lei}, default=str))
    return client.post("/api/v1/products/", body, format="json")


def web_post(user, **overrides):
    terms = product_terms()
    data = {k: str(v) for k, v in terms.items() if not isinstance(v, list | bool)}
    data.update(
        delivery_start="2027-07-01T00:00",
        delivery_end="2027-10-01T00:00",
        delivery_regions="US",
        delivery_sites="US iad-2",
        jurisdictions="US",
        requested_venues="XCME",
        remedy_make_whole="on",
    )
    data.update(overrides)
    client = Client()
    client.force_login(user)
    return client.post("/products/new/", data)


def form_errors(response) -> dict:
    assert response.status_code == 200, response.status_code  # the form again, not a redirect or a 500
    return response.context["form"].errors


def soon(**delta) -> datetime:
    """A whole minute some time from now (UTC)."""
    return (timezone.now() + timedelta(**delta)).replace(second=0, microsecond=0)


# --- the delivery window ---------------------------------------------------------------------


def test_a_window_from_year_1_to_year_9999_is_refused(issuer_user, issuer):
    errors = errors_for(
        issuer_user,
        issuer,
        delivery_start=datetime(1, 1, 1, tzinfo=UTC),
        delivery_end=datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
    )
    assert errors["delivery_end"] == ["The delivery window can last at most 10 years."]
    assert errors["delivery_start"] == ["The delivery window cannot start before 01 January 2000."]


def test_a_window_that_started_before_2000_is_refused(issuer_user, issuer):
    errors = errors_for(
        issuer_user,
        issuer,
        delivery_start=datetime(1999, 12, 31, tzinfo=UTC),
        delivery_end=datetime(2000, 2, 1, tzinfo=UTC),
    )
    assert errors["delivery_start"] == ["The delivery window cannot start before 01 January 2000."]


def test_a_window_of_one_second_is_refused(issuer_user, issuer):
    start = datetime(2027, 7, 1, tzinfo=UTC)
    errors = errors_for(issuer_user, issuer, delivery_start=start, delivery_end=start + timedelta(seconds=1))
    assert errors["delivery_end"] == ["The delivery window must last at least an hour."]


def test_a_window_of_one_hour_is_accepted(issuer_user, issuer):
    start = soon(days=2)
    product = create(issuer_user, issuer, delivery_start=start, delivery_end=start + timedelta(hours=1))
    assert product.delivery_end - product.delivery_start == timedelta(hours=1)


def test_a_window_of_ten_years_is_accepted_and_a_second_more_is_not(issuer_user, issuer):
    start = datetime(2028, 2, 29, tzinfo=UTC)  # ten years later there is no 29 February
    ten_years = datetime(2038, 2, 28, tzinfo=UTC)
    errors = errors_for(issuer_user, issuer, delivery_start=start, delivery_end=ten_years + timedelta(seconds=1))
    assert errors["delivery_end"] == ["The delivery window can last at most 10 years."]
    create(issuer_user, issuer, delivery_start=start, delivery_end=ten_years)


def test_a_window_must_start_within_ten_years(issuer_user, issuer):
    errors = errors_for(
        issuer_user,
        issuer,
        delivery_start=datetime(9999, 12, 31, tzinfo=UTC),
        delivery_end=datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
    )
    assert errors["delivery_start"] == ["The delivery window must start within 10 years."]


def test_the_api_refuses_a_year_1_to_9999_window_with_field_errors(issuer_user, issuer):
    response = api_post(issuer_user, issuer, delivery_start="0001-01-01T00:00:00Z", delivery_end="9999-12-31T23:59:59Z")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["delivery_start"] == ["The delivery window cannot start before 01 January 2000."]
    assert errors["delivery_end"] == ["The delivery window can last at most 10 years."]
    assert not ComputeProduct.objects.exists()


def test_the_web_form_refuses_a_window_before_2000(issuer_user):
    errors = form_errors(web_post(issuer_user, delivery_start="1999-01-01T00:00", delivery_end="1999-02-01T00:00"))
    assert errors["delivery_start"] == ["The delivery window cannot start before 01 January 2000."]
    assert not ComputeProduct.objects.exists()


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1999, 12, 31)])
def test_an_attestation_dated_before_2000_is_refused(issuer_user, issuer, day):
    errors = errors_for(issuer_user, issuer, last_attestation_date=day)
    assert errors["last_attestation_date"] == ["An attestation cannot be dated before 01 January 2000."]


def test_an_attestation_dated_1_january_2000_is_accepted(issuer_user, issuer):
    assert create(issuer_user, issuer, last_attestation_date=date(2000, 1, 1)).last_attestation_date.year == 2000


# --- delivery sites --------------------------------------------------------------------------


def test_a_nul_in_a_site_id_through_the_web_form_is_a_form_error(issuer_user):
    errors = form_errors(web_post(issuer_user, delivery_sites="US a\x00b"))
    assert errors["delivery_sites"] == [
        "Site 1: The site id contains a control character (such as NUL or a line break)."
    ]
    assert not ComputeProduct.objects.exists()


def test_a_nul_in_a_site_id_through_the_api_is_a_400(issuer_user, issuer):
    response = api_post(issuer_user, issuer, delivery_sites=[{"country": "US", "site_id": "a\x00b"}])
    assert response.status_code == 400
    assert "delivery_sites" in response.json()["errors"]
    assert not ComputeProduct.objects.exists()


@pytest.mark.parametrize("site_id", ["a\nb", "a\x00b", "a\tb", "   "])
def test_the_model_refuses_a_blank_site_id_or_one_with_control_characters(issuer_user, issuer, site_id):
    errors = errors_for(issuer_user, issuer, delivery_sites=[{"country": "US", "site_id": site_id}])
    assert len(errors["delivery_sites"]) == 1 and errors["delivery_sites"][0].startswith("Site 1: ")


def test_a_site_id_of_65_characters_is_refused_by_the_form_and_the_model(issuer_user, issuer):
    errors = form_errors(web_post(issuer_user, delivery_sites="US " + "x" * 65))
    assert errors["delivery_sites"] == ["Site 1: The site id has 65 characters; at most 64 are allowed."]
    errors = errors_for(issuer_user, issuer, delivery_sites=[{"country": "US", "site_id": "x" * 65}])
    assert errors["delivery_sites"] == ["Site 1: The site id has 65 characters; at most 64 are allowed."]
    assert api_post(issuer_user, issuer, delivery_sites=[{"country": "US", "site_id": "x" * 65}]).status_code == 400


def test_a_site_id_of_64_characters_is_accepted(issuer_user, issuer):
    product = create(issuer_user, issuer, delivery_sites=[{"country": "US", "site_id": "x" * 64}])
    assert product.delivery_sites == [{"country": "US", "site_id": "x" * 64}]


def test_more_than_50_sites_are_refused_by_the_model_the_form_and_the_api(issuer_user, issuer):
    sites = [{"country": "US", "site_id": f"dc-{i}"} for i in range(51)]
    assert errors_for(issuer_user, issuer, delivery_sites=sites)["delivery_sites"] == [
        "Give at most 50 delivery sites."
    ]
    lines = "\n".join(f"US dc-{i}" for i in range(51))
    assert form_errors(web_post(issuer_user, delivery_sites=lines))["delivery_sites"] == [
        "Give at most 50 delivery sites."
    ]
    assert api_post(issuer_user, issuer, delivery_sites=sites).status_code == 400
    create(issuer_user, issuer, delivery_sites=sites[:50])


@pytest.mark.parametrize(
    "sites",
    [
        [{"country": "US", "site_id": "a"}, {"country": "US", "site_id": "a"}],
        [{"country": "US", "site_id": "iad-2"}, {"country": "US", "site_id": " IAD-2 "}],
    ],
)
def test_a_repeated_delivery_site_is_refused(issuer_user, issuer, sites):
    errors = errors_for(issuer_user, issuer, delivery_sites=sites)
    assert errors["delivery_sites"] == [f"Site 2 repeats site 1 (US {sites[1]['site_id'].strip()})."]


def test_a_repeated_delivery_site_is_refused_by_the_form_and_the_api(issuer_user, issuer):
    assert "delivery_sites" in form_errors(web_post(issuer_user, delivery_sites="US a\nus A"))
    response = api_post(
        issuer_user, issuer, delivery_sites=[{"country": "US", "site_id": "a"}, {"country": "us", "site_id": "a"}]
    )
    assert response.status_code == 400
    assert response.json()["errors"]["delivery_sites"] == ["Site 2 repeats site 1 (US a)."]


def test_the_same_site_id_in_two_countries_is_two_sites(issuer_user, issuer):
    sites = [{"country": "US", "site_id": "dc-1"}, {"country": "DE", "site_id": "dc-1"}]
    assert create(issuer_user, issuer, delivery_regions=["US", "DE"], delivery_sites=sites).delivery_sites == sites


# --- SLA percentages -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("sla_availability_pct", "The SLA availability must be above 0 %."),
        ("sla_performance_floor_pct", "The performance floor must be above 0 %."),
    ],
)
def test_an_sla_of_zero_percent_is_refused(issuer_user, issuer, field, message):
    assert errors_for(issuer_user, issuer, **{field: Decimal("0")})[field] == [message]


def test_the_web_form_refuses_an_availability_of_zero(issuer_user):
    errors = form_errors(web_post(issuer_user, sla_availability_pct="0"))
    assert errors["sla_availability_pct"] == ["The SLA availability must be above 0 %."]


def test_a_small_positive_availability_is_accepted(issuer_user, issuer):
    assert create(issuer_user, issuer, sla_availability_pct=Decimal("0.001")).sla_availability_pct > 0


# --- settlement currency ---------------------------------------------------------------------

NOT_CURRENCIES = "XXX XTS XAU XAG XPT XPD XDR XSU XUA XAD XBA XBB XBC XBD BOV CHE CHW CLF COU MXV USN UYI UYW"


@pytest.mark.parametrize("code", NOT_CURRENCIES.split())
def test_an_iso_4217_code_that_is_not_a_currency_is_refused(issuer_user, issuer, code):
    errors = errors_for(issuer_user, issuer, settlement_currency=code)
    assert errors["settlement_currency"] == [
        f"{code} is an ISO 4217 code but not a currency to settle in (a precious metal, fund, unit of "
        "account or testing code)."
    ]


@pytest.mark.parametrize("code", ["XAF", "XOF", "XPF", "XCD", "EUR", "CHF"])
def test_regional_and_national_currencies_are_accepted(issuer_user, issuer, code):
    assert create(issuer_user, issuer, settlement_currency=code).settlement_currency == code


def test_the_web_form_and_the_api_refuse_xts_alike(issuer_user, issuer):
    assert "settlement_currency" in form_errors(web_post(issuer_user, settlement_currency="xts"))
    response = api_post(issuer_user, issuer, settlement_currency="xts")
    assert response.status_code == 400 and "settlement_currency" in response.json()["errors"]


# --- the web form reads codes and sites as the API does --------------------------------------


def test_the_web_form_does_not_turn_eszett_into_south_sudan(issuer_user):
    assert CodeListField().to_python("ß, us") == ["ß", "US"]
    assert SiteListField().to_python("ß dc-1") == [{"country": "ß", "site_id": "dc-1"}]
    errors = form_errors(web_post(issuer_user, delivery_regions="ß", delivery_sites="ß dc-1", jurisdictions="ß"))
    assert {"delivery_regions", "delivery_sites", "jurisdictions"} <= set(errors)
    assert not ComputeProduct.objects.exists()


def test_the_api_refuses_eszett_too(issuer_user, issuer):
    response = api_post(issuer_user, issuer, delivery_regions=["ß"], jurisdictions=["ß"])
    assert response.status_code == 400
    assert not ComputeProduct.objects.exists()


def test_the_web_form_keeps_colons_in_a_site_id(issuer_user):
    response = web_post(issuer_user, delivery_sites="US aws:us-east-1:use1-az4\nUS:iad-2\nUS : dfw-1")
    assert response.status_code == 302
    assert ComputeProduct.objects.get().delivery_sites == [
        {"country": "US", "site_id": "aws:us-east-1:use1-az4"},
        {"country": "US", "site_id": "iad-2"},
        {"country": "US", "site_id": "dfw-1"},
    ]


def test_a_site_shown_in_the_form_reads_back_the_same(issuer_user, issuer):
    sites = [{"country": "US", "site_id": "aws:us-east-1:use1-az4"}, {"country": "US", "site_id": "rack 7: row b"}]
    product = create(issuer_user, issuer, delivery_sites=sites)
    shown = ProductForm(instance=product)["delivery_sites"].value()
    assert SiteListField().to_python(SiteListField().prepare_value(shown)) == sites


def test_more_than_50_regions_are_refused_by_the_web_form_as_by_the_api(issuer_user, issuer):
    from pycountry import countries

    codes = sorted(c.alpha_2 for c in countries)[:51]
    errors = form_errors(web_post(issuer_user, delivery_regions=", ".join(codes)))
    assert errors["delivery_regions"] == ["Give at most 50 codes."]
    assert api_post(issuer_user, issuer, delivery_regions=codes).status_code == 400


def test_more_than_20_venues_are_refused_by_the_model(issuer_user, issuer):
    venues = [f"X{i:03d}" for i in range(21)]
    assert errors_for(issuer_user, issuer, requested_venues=venues)["requested_venues"] == ["Give at most 20 codes."]


# --- quantities ------------------------------------------------------------------------------


def test_a_position_limit_that_is_not_a_multiple_of_the_lot_is_refused(issuer_user, issuer):
    errors = errors_for(issuer_user, issuer, lot_size=10, minimum_order=10, position_limit=15)
    assert errors["position_limit"] == ["The position limit must be a multiple of the lot size (10)."]


def test_no_position_limit_is_still_allowed(issuer_user, issuer):
    assert create(issuer_user, issuer, position_limit=0).position_limit == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("contract_size", Decimal("999999999999.99"), "A contract can be at most 10,000,000 GPU-hours."),
        ("accelerator_memory_gb", 2147483647, "Accelerator memory can be at most 4,096 GB."),
        ("lot_size", 1_000_000, "A lot can be at most 100,000 contracts."),
    ],
)
def test_unrealistic_quantities_are_refused(issuer_user, issuer, field, value, message):
    assert errors_for(issuer_user, issuer, **{field: value})[field] == [message]


def test_the_largest_realistic_quantities_are_accepted(issuer_user, issuer):
    product = create(
        issuer_user,
        issuer,
        contract_size=Decimal("10000000"),
        accelerator_memory_gb=4096,
        lot_size=100_000,
        minimum_order=100_000,
        position_limit=200_000,
    )
    assert product.lot_size == 100_000
