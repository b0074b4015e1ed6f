import pytest
from django.core.management import call_command

from compliance.audit.selectors import audit_chain_verify
from products.models import ApplicationState, ComputeProduct, Issuer, ProductApplication, ProductType, Venue

pytestmark = pytest.mark.django_db


def counts():
    return (
        Issuer.objects.count(),
        ComputeProduct.objects.count(),
        ProductApplication.objects.count(),
        Venue.objects.count(),
    )


def test_seed_covers_every_product_type_and_every_state():
    call_command("seed_demo")
    assert set(ComputeProduct.objects.values_list("product_type", flat=True)) == set(ProductType.values)
    assert set(ProductApplication.objects.values_list("state", flat=True)) == set(ApplicationState.values)
    issuers, products, _, venues = counts()
    assert issuers >= 3 and products >= 10 and venues >= 2


def test_seed_twice_changes_nothing(capsys):
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    assert "already present" in capsys.readouterr().out


def test_seeded_audit_chain_verifies():
    call_command("seed_demo")
    assert audit_chain_verify().ok
