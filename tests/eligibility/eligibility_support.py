"""Helpers for the screening API tests: venues, keys, clients, and investors built as rows."""

from datetime import UTC, date, datetime
from decimal import Decimal

from django.utils import timezone
from rest_framework.test import APIClient

from compliance.disclosures.models import DisclosureDocument
from compliance.eligibility import holder, services
from compliance.kyc.models import Investor, Party
from products.models import ApplicationVersion, Listing, ProductApplication, Venue
from tests.factories import ApplicationFactory, ProductFactory, UserFactory, VenueFactory

SYSTEM = "system:test"


def venue(mic: str = "XCME") -> Venue:
    if mic == "XEUR":
        return VenueFactory(mic="XEUR", name="Eurex", country="DE", venue_type="regulated_market")
    return VenueFactory(mic=mic)


def api_key(mic: str = "XCME") -> tuple:
    return services.api_key_create(actor=SYSTEM, venue=venue(mic), name=f"{mic} test")


def key_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def install(snapshot) -> None:
    """Serve ``snapshot`` without consulting the database version."""
    holder.reset()
    holder._install(snapshot)
    holder._next_check = float("inf")


def listed_product(symbol: str, mics=("XCME",), *, status: str = "active", **terms):
    """A product listed on ``mics`` through a listed application (rows, not the workflow)."""
    product = ProductFactory(symbol=symbol, **terms)
    application = ApplicationFactory(product=product, state="listed", version=1)
    version = ApplicationVersion.objects.create(
        application=application,
        number=1,
        terms={"symbol": symbol},
        issuer_snapshot={},
        submitted_by=application.created_by,
        submitted_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    for mic in mics:
        Listing.objects.create(
            product=product,
            venue=venue(mic),
            application=application,
            application_version=version,
            status=status,
            effective_from=datetime(2026, 1, 1, tzinfo=UTC),
        )
    return product, application


def investor(
    reference: str,
    *,
    residence: str = "US",
    category: str = "professional",
    kyc_status: str = "approved",
    kyc_expires_on: date | None = date(2099, 1, 1),
    sanctions: str = "clear",
    limit: Decimal | None = None,
) -> Investor:
    party = Party.objects.create(
        kind="person",
        name=f"Investor {reference}",
        residence_country=residence,
        kyc_status=kyc_status,
        kyc_expires_on=kyc_expires_on,
        sanctions_state=sanctions,
    )
    return Investor.objects.create(
        party=party,
        reference=reference,
        category=category,
        residence_jurisdiction=residence,
        order_notional_limit=limit,
    )


def order(client_order_id="c-1", investor="INV-1", product="H100-TEST", side="buy", quantity=20, price="2.50"):
    return {
        "client_order_id": client_order_id,
        "investor": investor,
        "product": product,
        "side": side,
        "quantity": quantity,
        "price": price,
    }


def staff_client(role: str = "officer") -> APIClient:
    client = APIClient()
    client.force_authenticate(UserFactory(role=role))
    return client


def application_of(product) -> ProductApplication:
    return product.applications.get()


def publish(product, jurisdiction, version=1, status="published"):
    """A disclosure document row in ``status`` (rows, not the rendering pipeline)."""
    return DisclosureDocument.objects.create(
        product=product,
        jurisdiction=jurisdiction,
        language="en",
        version=version,
        status=status,
        pdf=b"%PDF",
        html="<p>x</p>",
        sha256="0" * 64,
        page_count=1,
        template_version="t1",
        terms_version=1,
        terms={},
        rendered_on=date(2026, 1, 1),
        rendered_at=timezone.now(),
        published_at=timezone.now(),
    )


def one_listed_product_snapshot():
    """The smallest snapshot a key can screen against: one product listed on XCME, no investors."""
    from compliance.eligibility.engine import ListingSpec, ProductSpec, Snapshot

    return Snapshot.build(
        version=1,
        products=[ProductSpec("H100-TEST", 100.0, 10, 20, 0, datetime(2099, 1, 1, tzinfo=UTC))],
        investors=[],
        listings=[ListingSpec("H100-TEST", "XCME", "listed", datetime(2026, 1, 1, tzinfo=UTC))],
    )
