"""Helpers of the delivery tests: listed products built row by row (the approval workflow has
its own tests) and report payloads."""

import itertools
from datetime import UTC, datetime

from django.utils import timezone

from products.models import ApplicationState, ApplicationVersion, Listing, ListingStatus
from products.selectors import issuer_snapshot, product_terms
from tests.factories import ApplicationFactory, ProductFactory, UserFactory, VenueFactory, make_lei

PROVIDER_LEI = make_lei(1)  # the provider_lei of tests.factories.product_terms
OTHER_LEI = make_lei(2)
WINDOW_START = datetime(2026, 1, 1, tzinfo=UTC)
WINDOW_END = datetime(2026, 4, 1, tzinfo=UTC)


_symbols = itertools.count(1)


def make_listed_product(**terms):
    terms.setdefault("symbol", f"DLV-{next(_symbols):05d}")
    terms.setdefault("delivery_start", WINDOW_START)
    terms.setdefault("delivery_end", WINDOW_END)
    terms.setdefault("last_attestation_date", timezone.now().date())
    product = ProductFactory(**terms)
    issuer_user = UserFactory(role="issuer", issuer=product.issuer)
    application = ApplicationFactory(
        product=product, issuer=product.issuer, state=ApplicationState.LISTED, version=1, created_by=issuer_user
    )
    version = ApplicationVersion.objects.create(
        application=application,
        number=1,
        terms=product_terms(product),
        issuer_snapshot=issuer_snapshot(product.issuer),
        submitted_by=issuer_user,
        submitted_at=timezone.now(),
    )
    Listing.objects.create(
        product=product,
        venue=VenueFactory(),
        application=application,
        application_version=version,
        status=ListingStatus.ACTIVE,
        effective_from=timezone.now(),
    )
    product.issuer_user = issuer_user
    return product


def hourly(symbol, start, hours, *, scheduled="100", availability="100", delivered=None, benchmark="98"):
    """`hours` consecutive hourly reports from `start`, as the API receives them."""
    from datetime import timedelta

    return [
        {
            "product": symbol,
            "granularity": "hour",
            "period_start": (start + timedelta(hours=h)).isoformat(),
            "scheduled_gpu_hours": scheduled,
            "delivered_gpu_hours": delivered if delivered is not None else scheduled,
            "availability_pct": availability,
            "benchmark_pct": benchmark,
        }
        for h in range(hours)
    ]
