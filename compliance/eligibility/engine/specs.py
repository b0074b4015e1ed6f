"""The input format a snapshot is built from: plain frozen dataclasses (or dicts of their fields).

The Django side reads listings, products, distribution constraints and investors from the
database and hands them to :meth:`Snapshot.build`; nothing here knows about the database.
Timestamps are epoch seconds (int) or timezone-aware datetimes; prices and limits are in the
product's settlement currency.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class InvestorCategory(StrEnum):
    """Investor classification under the regimes the products are offered in."""

    RETAIL = "retail"
    PROFESSIONAL = "professional"
    ELIGIBLE_COUNTERPARTY = "eligible_counterparty"
    ACCREDITED = "accredited"
    ELIGIBLE_CONTRACT_PARTICIPANT = "eligible_contract_participant"


class SanctionsState(StrEnum):
    """Outcome of sanctions screening for an investor."""

    CLEAR = "clear"
    OPEN_HIT = "open_hit"  # a potential match an officer has not yet cleared or confirmed
    CONFIRMED = "confirmed"


class ListingStatus(StrEnum):
    """Status of a product on a venue. A product without a listing row is absent there."""

    LISTED = "listed"
    SUSPENDED = "suspended"


# Only an approved KYC case lets an investor trade; every other status (pending, in_review,
# rejected, expired, ...) is reported as KYC_NOT_APPROVED, so the KYC app may add statuses freely.
KYC_APPROVED = "approved"

# The jurisdiction key under which constraints for the whole European Union are filed.
EU = "EU"

# EU member states (ISO 3166-1 alpha-2; Greece is GR, not the EU's own "EL"). An investor resident
# in one of them is subject to the product's constraints filed under their country and under "EU".
EU_MEMBER_STATES: frozenset[str] = frozenset(
    {
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
        "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    }
)  # fmt: skip

# Quantities above this are QUANTITY_INVALID. 2**53 is the largest integer a float64 holds
# exactly, so the notional is computed identically by the single and the batch path.
MAX_ORDER_QUANTITY = 2**53

# Positions must stay within int64 once an order's quantity is added to them.
MAX_ABS_POSITION = 2**62

Timestamp = int | datetime


def to_epoch(value: Timestamp) -> int:
    """Epoch seconds for an int or a timezone-aware datetime (naive datetimes are ambiguous)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware datetime")
        # Floor, so an instant a fraction past a second belongs to that second, before 1970 too.
        return math.floor(value.timestamp())
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected epoch seconds (int) or an aware datetime, got {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class DistributionConstraint:
    """What the rule checks decided for one product in one jurisdiction of offer.

    ``jurisdiction`` is an ISO 3166 alpha-2 code or ``"EU"``. ``current_disclosure`` identifies
    the current published disclosure version for this product and jurisdiction (any string, e.g.
    ``"H100-FWD-26Q3/DE/v3"``); investors acknowledge these ids. If an acknowledgement is
    required but no disclosure is published, nobody can satisfy it and orders are rejected.
    """

    jurisdiction: str
    blocked: bool = False
    allowed_categories: frozenset[str] = frozenset()
    appropriateness_required: bool = False
    disclosure_acknowledgement_required: bool = False
    current_disclosure: str | None = None


@dataclass(frozen=True, slots=True)
class ProductSpec:
    """A product's trading terms. ``position_limit`` 0 means no limit is set."""

    symbol: str
    contract_size: float
    lot_size: int
    minimum_order: int
    position_limit: int
    delivery_start: Timestamp
    constraints: tuple[DistributionConstraint, ...] = ()


@dataclass(frozen=True, slots=True)
class ListingSpec:
    """A product's listing on one venue (ISO 10383 MIC). Absent listings have no spec."""

    product: str
    venue: str
    status: str
    effective_from: Timestamp


@dataclass(frozen=True, slots=True)
class InvestorSpec:
    """An investor as the engine needs it.

    ``kyc_expires_at`` None means the KYC approval carries no expiry date.
    ``appropriateness_passed`` holds the symbols of the products the investor passed an
    appropriateness assessment for (assessed per product, the strictest reading).
    ``appropriateness_all`` means a global assessment was passed: appropriateness counts as
    passed for every product except those in ``appropriateness_failed`` (products whose own
    assessment failed, which prevail over the global pass). So appropriateness is satisfied for
    a product when it is in ``appropriateness_passed``, or when ``appropriateness_all`` is set
    and it is not in ``appropriateness_failed``; a symbol in both sets is refused.
    ``acknowledged_disclosures`` holds disclosure ids as in
    :attr:`DistributionConstraint.current_disclosure`. ``order_notional_limit`` None means no
    per-order limit. ``positions`` maps product symbol to the current net position in contracts.
    """

    reference: str
    category: str
    residence: str
    kyc_status: str
    kyc_expires_at: Timestamp | None
    sanctions: str
    appropriateness_passed: frozenset[str] = frozenset()
    acknowledged_disclosures: frozenset[str] = frozenset()
    order_notional_limit: float | None = None
    positions: Mapping[str, int] = field(default_factory=dict)
    appropriateness_all: bool = False
    appropriateness_failed: frozenset[str] = frozenset()


def coerce_product(spec: ProductSpec | Mapping[str, Any]) -> ProductSpec:
    """Accept a ProductSpec or a dict of its fields (constraints as dicts too)."""
    if isinstance(spec, ProductSpec):
        return spec
    fields = dict(spec)
    fields["constraints"] = tuple(
        constraint
        if isinstance(constraint, DistributionConstraint)
        else DistributionConstraint(
            **{**constraint, "allowed_categories": frozenset(constraint.get("allowed_categories", ()))}
        )
        for constraint in fields.get("constraints", ())
    )
    return ProductSpec(**fields)


def coerce_listing(spec: ListingSpec | Mapping[str, Any]) -> ListingSpec:
    """Accept a ListingSpec or a dict of its fields."""
    return spec if isinstance(spec, ListingSpec) else ListingSpec(**spec)


def coerce_investor(spec: InvestorSpec | Mapping[str, Any]) -> InvestorSpec:
    """Accept an InvestorSpec or a dict of its fields (sets may be any iterable)."""
    if isinstance(spec, InvestorSpec):
        return spec
    fields = dict(spec)
    for name in ("appropriateness_passed", "acknowledged_disclosures", "appropriateness_failed"):
        fields[name] = frozenset(fields.get(name, ()))
    return InvestorSpec(**fields)


def unique_by(items: Iterable[Any], key: str, kind: str) -> dict[Any, Any]:
    """Index ``items`` by attribute ``key``, refusing duplicates (a snapshot must be unambiguous)."""
    index: dict[Any, Any] = {}
    for item in items:
        value = getattr(item, key)
        if value in index:
            raise ValueError(f"duplicate {kind} {value!r}")
        index[value] = item
    return index
