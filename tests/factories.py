"""factory-boy factories. Products are built through the services in tests that need the
audit trail; these build valid rows directly for everything else."""

import itertools
from datetime import UTC, date, datetime
from decimal import Decimal

import factory
from stdnum.iso7064 import mod_97_10

from accounts.models import User
from products.models import ApplicationState, ComputeProduct, Issuer, ProductApplication, Venue


def make_lei(n: int) -> str:
    base = f"5493{n:012d}00"
    return base + mod_97_10.calc_check_digits(base)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = "officer"
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def issuer(self, create, extracted, **kwargs):
        if extracted is not None:
            extracted.members.add(self)
        self.save()


class IssuerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Issuer

    legal_name = factory.Sequence(lambda n: f"Issuer {n} Compute Ltd")
    lei = factory.Sequence(lambda n: make_lei(n + 1000))
    country = "GB"
    registration_number = factory.Sequence(lambda n: f"REG{n:06d}")


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue
        django_get_or_create = ("mic",)

    mic = "XCME"
    name = "Chicago Mercantile Exchange"
    country = "US"
    venue_type = "dcm"


def product_terms(**overrides) -> dict:
    """A complete, valid set of terms for a physically delivered H100 forward."""
    terms = dict(
        symbol="H100-TEST",
        name="H100 test forward",
        product_type="physical_forward",
        accelerator_vendor="NVIDIA",
        accelerator_model="H100 SXM",
        accelerator_memory_gb=80,
        contract_size=Decimal("100"),
        lot_size=10,
        minimum_order=20,
        position_limit=1000,
        delivery_start=datetime(2027, 7, 1, tzinfo=UTC),
        delivery_end=datetime(2027, 10, 1, tzinfo=UTC),
        delivery_regions=["US"],
        delivery_sites=[{"country": "US", "site_id": "iad-2"}],
        provider_name="Northstar Datacenters Inc.",
        provider_lei=make_lei(1),
        sla_availability_pct=Decimal("99.5"),
        sla_performance_floor_pct=Decimal("95"),
        sla_reference_benchmark="MLPerf Training v4.0",
        sla_measurement_method="Telemetry every 60 s.",
        remedy_credit_pct=Decimal("10"),
        remedy_make_whole=True,
        remedy_substitution=False,
        settlement_type="physical",
        settlement_currency="USD",
        collateral_pct=Decimal("25"),
        collateral_custodian="State Street",
        last_attestation_date=date(2026, 10, 1),
        attestation_max_age_days=90,
        target_market="professional",
        jurisdictions=["US"],
        requested_venues=["XCME"],
    )
    terms.update(overrides)
    return terms


_product_numbers = itertools.count(1)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComputeProduct

    issuer = factory.SubFactory(IssuerFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        symbol = kwargs.pop("symbol", None) or f"P{next(_product_numbers):05d}"
        terms = product_terms(symbol=symbol)
        terms.update(kwargs)
        return super()._create(model_class, *args, **terms)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductApplication

    product = factory.SubFactory(ProductFactory)
    issuer = factory.SelfAttribute("product.issuer")
    state = ApplicationState.DRAFT
    created_by = factory.SubFactory(UserFactory, role="issuer")
