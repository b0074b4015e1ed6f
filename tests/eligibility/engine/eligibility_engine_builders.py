"""Builders for engine tests: one eligible baseline, changed one attribute at a time."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from compliance.eligibility.engine import (
    DistributionConstraint,
    InvestorSpec,
    ListingSpec,
    Order,
    ProductSpec,
    Snapshot,
)

NOW = 1_780_000_000
DAY = 86_400
SYMBOL = "H100-FWD-26Q3"
INVESTOR = "INV-0001"
VENUE = "XEUR"
DISCLOSURE_DE = f"{SYMBOL}/DE/v2"
DISCLOSURE_EU = f"{SYMBOL}/EU/v1"

GERMANY = DistributionConstraint(
    jurisdiction="DE",
    allowed_categories=frozenset({"retail", "professional"}),
    appropriateness_required=True,
    disclosure_acknowledgement_required=True,
    current_disclosure=DISCLOSURE_DE,
)


def product(**changes: object) -> ProductSpec:
    base = ProductSpec(
        symbol=SYMBOL,
        contract_size=100.0,
        lot_size=5,
        minimum_order=10,
        position_limit=1_000,
        delivery_start=NOW + 30 * DAY,
        constraints=(GERMANY,),
    )
    return replace(base, **changes)


def investor(**changes: object) -> InvestorSpec:
    base = InvestorSpec(
        reference=INVESTOR,
        category="retail",
        residence="DE",
        kyc_status="approved",
        kyc_expires_at=NOW + 365 * DAY,
        sanctions="clear",
        appropriateness_passed=frozenset({SYMBOL}),
        acknowledged_disclosures=frozenset({DISCLOSURE_DE}),
        order_notional_limit=100_000.0,
        positions={SYMBOL: 900},
    )
    return replace(base, **changes)


def listing(**changes: object) -> ListingSpec:
    base = ListingSpec(product=SYMBOL, venue=VENUE, status="listed", effective_from=NOW - 30 * DAY)
    return replace(base, **changes)


def order(**changes: object) -> Order:
    """A buy of 20 contracts at 2.50 per GPU-hour: notional 20 * 100 * 2.5 = 5,000."""
    base = Order(
        client_order_id="ORD-1",
        investor=INVESTOR,
        product=SYMBOL,
        venue=VENUE,
        side="buy",
        quantity=20,
        price=2.5,
    )
    return base._replace(**changes)


def snapshot(
    products: list[ProductSpec] | None = None,
    investors: list[InvestorSpec] | None = None,
    listings: list[ListingSpec] | None = None,
    version: int = 42,
) -> Snapshot:
    return Snapshot.build(
        version=version,
        products=[product()] if products is None else products,
        investors=[investor()] if investors is None else investors,
        listings=[listing()] if listings is None else listings,
    )


def as_float(value: object) -> float:
    """How the engine reads a price: float(value), NaN (invalid) when that fails."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def batch_masks(snap: Snapshot, orders: list[Order], now: int) -> tuple[list[int], list[int]]:
    """Masks from the order-dict path and the columnar path, for comparison with the single path."""
    from_dicts = snap.evaluate_orders([o._asdict() for o in orders], now=now).masks.tolist()
    columns = snap.evaluate_columns(
        investor=snap.investor_indices(o.investor for o in orders),
        product=snap.product_indices(o.product for o in orders),
        venue=snap.venue_indices(o.venue for o in orders),
        side=np.array([{"buy": 0, "sell": 1}.get(o.side, 9) for o in orders], dtype=np.int8),
        quantity=np.array([o.quantity for o in orders], dtype=np.int64),
        price=np.array([as_float(o.price) for o in orders], dtype=np.float64),
        now=now,
    ).masks.tolist()
    return from_dicts, columns
