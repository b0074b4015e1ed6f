from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from products import services
from products.models import ComputeProduct
from tests.factories import product_terms

pytestmark = pytest.mark.django_db


def errors_for(issuer_user, issuer, **overrides) -> dict:
    with pytest.raises(ValidationError) as caught:
        services.product_create(actor=issuer_user, issuer=issuer, **product_terms(**overrides))
    return caught.value.message_dict


def test_valid_terms_create_a_product_with_an_audit_event(issuer_user, issuer):
    product = services.product_create(actor=issuer_user, issuer=issuer, **product_terms())
    assert product.terms_version == 1
    from compliance.audit.models import AuditEvent

    event = AuditEvent.objects.for_object(product).get()
    assert event.action == "product.create"
    assert event.after["sla_availability_pct"] == 99.5


def test_window_must_end_after_it_starts(issuer_user, issuer):
    terms = product_terms()
    errors = errors_for(issuer_user, issuer, delivery_end=terms["delivery_start"])
    assert "The delivery window must end after it starts." in errors["delivery_end"]


def test_a_capacity_attestation_cannot_be_dated_in_the_future(issuer_user, issuer):
    from datetime import timedelta

    from django.utils import timezone

    tomorrow = timezone.localdate() + timedelta(days=1)
    errors = errors_for(issuer_user, issuer, last_attestation_date=tomorrow)
    assert errors["last_attestation_date"] == ["An attestation cannot be dated in the future."]


@pytest.mark.parametrize("field", ["sla_availability_pct", "sla_performance_floor_pct", "remedy_credit_pct"])
def test_percentages_above_100_are_rejected(issuer_user, issuer, field):
    assert field in errors_for(issuer_user, issuer, **{field: Decimal("100.5")})


def test_negative_percentage_is_rejected(issuer_user, issuer):
    assert "sla_availability_pct" in errors_for(issuer_user, issuer, sla_availability_pct=Decimal("-1"))


def test_collateral_above_200_percent_is_rejected(issuer_user, issuer):
    assert "collateral_pct" in errors_for(issuer_user, issuer, collateral_pct=Decimal("250"))


def test_lot_size_must_be_positive(issuer_user, issuer):
    assert "lot_size" in errors_for(issuer_user, issuer, lot_size=0)


def test_minimum_order_must_be_a_multiple_of_the_lot(issuer_user, issuer):
    errors = errors_for(issuer_user, issuer, lot_size=10, minimum_order=15)
    assert errors["minimum_order"] == ["The minimum order must be a multiple of the lot size (10)."]


def test_unknown_currency_is_rejected(issuer_user, issuer):
    errors = errors_for(issuer_user, issuer, settlement_currency="XYZ")
    assert errors["settlement_currency"] == ["XYZ is not an ISO 4217 currency code."]


def test_unknown_country_in_regions_is_rejected(issuer_user, issuer):
    errors = errors_for(issuer_user, issuer, delivery_regions=["US", "QQ"])
    assert "QQ is not an ISO 3166 alpha-2 country code." in errors["delivery_regions"]


def test_regional_jurisdiction_eu_is_accepted(issuer_user, issuer):
    product = services.product_create(actor=issuer_user, issuer=issuer, **product_terms(jurisdictions=["EU", "CH"]))
    assert product.jurisdictions == ["EU", "CH"]


def test_unknown_jurisdiction_is_rejected(issuer_user, issuer):
    assert "jurisdictions" in errors_for(issuer_user, issuer, jurisdictions=["XX"])


def test_cash_settlement_needs_an_index(issuer_user, issuer):
    errors = errors_for(issuer_user, issuer, product_type="future", settlement_type="cash")
    assert errors["reference_index"] == ["Cash settlement needs a reference index."]
    assert "index_administrator" in errors


def test_physical_forward_cannot_settle_in_cash(issuer_user, issuer):
    errors = errors_for(
        issuer_user,
        issuer,
        settlement_type="cash",
        reference_index="I",
        index_administrator="A",
        index_methodology="M",
    )
    assert "settlement_type" in errors


def test_provider_lei_check_digits_are_validated(issuer_user, issuer):
    errors = errors_for(issuer_user, issuer, provider_lei="5493000PROVIDER00142")
    assert "ISO 17442" in errors["provider_lei"][0]


def test_tokenized_credit_must_state_its_token(issuer_user, issuer):
    errors = errors_for(issuer_user, issuer, product_type="tokenized_credit")
    assert {"token_network", "token_standard", "token_contract"} <= set(errors)


def test_site_outside_the_delivery_regions_is_rejected(issuer_user, issuer):
    errors = errors_for(issuer_user, issuer, delivery_sites=[{"country": "DE", "site_id": "fra-1"}])
    assert errors["delivery_sites"] == ["Site 1 is in DE, which is not a delivery region."]


def test_malformed_mic_is_rejected(issuer_user, issuer):
    assert "requested_venues" in errors_for(issuer_user, issuer, requested_venues=["xcme!"])


def test_collateral_needs_a_custodian(issuer_user, issuer):
    assert "collateral_custodian" in errors_for(issuer_user, issuer, collateral_custodian="")


def test_duplicate_symbol_is_a_field_error_not_a_crash(issuer_user, issuer):
    services.product_create(actor=issuer_user, issuer=issuer, **product_terms())
    errors = errors_for(issuer_user, issuer)
    assert "symbol" in errors
    assert ComputeProduct.objects.count() == 1


def test_lowercase_symbol_is_rejected(issuer_user, issuer):
    assert "symbol" in errors_for(issuer_user, issuer, symbol="h100-fwd")


def test_issuer_lei_check_digits_are_validated(officer):
    with pytest.raises(ValidationError) as caught:
        services.issuer_create(
            actor=officer, legal_name="X", lei="549300NIMBUSCOMP0045", country="GB", registration_number="1"
        )
    assert "lei" in caught.value.message_dict
