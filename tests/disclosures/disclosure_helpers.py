"""Helpers for the disclosure tests that need the database: products, investors, documents."""

import io
import itertools
import re
from datetime import UTC, datetime
from decimal import Decimal

from pypdf import PdfReader

from compliance.disclosures import services
from tests.factories import ProductFactory


def pdf_text(pdf: bytes) -> str:
    """All text of a PDF with whitespace collapsed, so phrases match across line breaks."""
    reader = PdfReader(io.BytesIO(bytes(pdf)))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def pdf_pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(bytes(pdf))).pages)


_symbols = itertools.count(1)


def physical_product(issuer=None, **overrides):
    kwargs = {"issuer": issuer} if issuer is not None else {}
    # A symbol of our own: the shared factory's random fallback needs `factory.random` imported.
    overrides.setdefault("symbol", f"DISC-{next(_symbols):05d}")
    return ProductFactory(**kwargs, **overrides)


def cash_product(issuer=None, **overrides):
    terms = dict(
        product_type="cash_settled_swap",
        settlement_type="cash",
        reference_index="Silicon Data H100 Rental Index (SDH100RT)",
        index_administrator="Silicon Data Inc.",
        index_methodology="Volume-weighted median of observed hourly H100 rental prices.",
        delivery_regions=["US", "SG"],
        delivery_sites=[{"country": "US", "site_id": "iad-2"}, {"country": "SG", "site_id": "sin-1"}],
        delivery_start=datetime(2027, 1, 1, tzinfo=UTC),
        delivery_end=datetime(2028, 1, 1, tzinfo=UTC),
    )
    terms.update(overrides)
    return physical_product(issuer, **terms)


def eu_retail_product(issuer=None, **overrides):
    terms = dict(
        jurisdictions=["EU"],
        target_market="retail",
        delivery_regions=["DE"],
        delivery_sites=[{"country": "DE", "site_id": "fra-1"}],
        settlement_currency="EUR",
        collateral_pct=Decimal("100"),
    )
    terms.update(overrides)
    return physical_product(issuer, **terms)


def make_investor(reference: str, category: str = "professional"):
    from compliance.kyc.models import Investor, Party

    party = Party.objects.create(kind="person", name=f"Investor {reference}", residence_country="DE")
    return Investor.objects.create(party=party, reference=reference, category=category, residence_jurisdiction="DE")


def published(product, jurisdiction="US", *, officer):
    draft = services.disclosure_render_now(product=product, jurisdiction=jurisdiction, actor=officer)
    return services.disclosure_publish(document=draft, actor=officer)
