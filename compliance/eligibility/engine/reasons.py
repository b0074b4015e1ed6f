"""The closed catalogue of reason codes an order can be rejected for.

The catalogue order is part of the contract: a decision lists its reasons in this order, and
each code owns the bit ``1 << position`` in the uint32 masks the engine computes. Codes are
stable strings (exchanges store them); append new codes at the end of a group only together
with a snapshot-format change, never renumber existing ones silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from functools import lru_cache


class ReasonCode(StrEnum):
    """Why an order is not eligible. The value is the stable code sent to exchanges."""

    # Reference resolution.
    INVESTOR_UNKNOWN = "INVESTOR_UNKNOWN"
    PRODUCT_UNKNOWN = "PRODUCT_UNKNOWN"
    # Listing on the venue and the trading window.
    NOT_LISTED_ON_VENUE = "NOT_LISTED_ON_VENUE"
    LISTING_SUSPENDED = "LISTING_SUSPENDED"
    TRADING_CLOSED = "TRADING_CLOSED"
    # The investor's standing.
    KYC_NOT_APPROVED = "KYC_NOT_APPROVED"
    KYC_EXPIRED = "KYC_EXPIRED"
    SANCTIONS_CONFIRMED = "SANCTIONS_CONFIRMED"
    SANCTIONS_REVIEW_PENDING = "SANCTIONS_REVIEW_PENDING"
    # Distribution constraints of the product in the investor's jurisdiction.
    JURISDICTION_BLOCKED = "JURISDICTION_BLOCKED"
    CATEGORY_NOT_PERMITTED = "CATEGORY_NOT_PERMITTED"
    APPROPRIATENESS_REQUIRED = "APPROPRIATENESS_REQUIRED"
    DISCLOSURE_NOT_ACKNOWLEDGED = "DISCLOSURE_NOT_ACKNOWLEDGED"
    # The order itself.
    QUANTITY_INVALID = "QUANTITY_INVALID"
    SIDE_INVALID = "SIDE_INVALID"
    PRICE_INVALID = "PRICE_INVALID"
    LOT_SIZE_MISMATCH = "LOT_SIZE_MISMATCH"
    BELOW_MINIMUM_ORDER = "BELOW_MINIMUM_ORDER"
    ORDER_NOTIONAL_LIMIT = "ORDER_NOTIONAL_LIMIT"
    POSITION_LIMIT = "POSITION_LIMIT"

    @property
    def bit(self) -> int:
        """The bit this code owns in a decision mask."""
        return BITS[self]

    @property
    def message(self) -> str:
        """A human-readable explanation, for logs and the exchange's operators."""
        return MESSAGES[self]


CATALOGUE: tuple[ReasonCode, ...] = tuple(ReasonCode)

BITS: dict[ReasonCode, int] = {code: 1 << position for position, code in enumerate(CATALOGUE)}

MESSAGES: dict[ReasonCode, str] = {
    ReasonCode.INVESTOR_UNKNOWN: "The investor reference is not known to the compliance snapshot.",
    ReasonCode.PRODUCT_UNKNOWN: "The product symbol is not known to the compliance snapshot.",
    ReasonCode.NOT_LISTED_ON_VENUE: "The product is not listed on this venue.",
    ReasonCode.LISTING_SUSPENDED: "The product's listing on this venue is suspended.",
    ReasonCode.TRADING_CLOSED: (
        "Outside the trading window: before the listing is effective, or delivery has started."
    ),
    ReasonCode.KYC_NOT_APPROVED: "The investor's KYC case is not approved.",
    ReasonCode.KYC_EXPIRED: "The investor's KYC approval has expired.",
    ReasonCode.SANCTIONS_CONFIRMED: "The investor is a confirmed sanctions match.",
    ReasonCode.SANCTIONS_REVIEW_PENDING: (
        "The investor has an open sanctions screening hit awaiting an officer's review."
    ),
    ReasonCode.JURISDICTION_BLOCKED: ("The product is not offered, or is blocked, in the investor's jurisdiction."),
    ReasonCode.CATEGORY_NOT_PERMITTED: (
        "The investor's category may not buy or sell this product in their jurisdiction."
    ),
    ReasonCode.APPROPRIATENESS_REQUIRED: (
        "An appropriateness assessment for this product is required and has not been passed."
    ),
    ReasonCode.DISCLOSURE_NOT_ACKNOWLEDGED: (
        "The investor has not acknowledged the current risk disclosure for this product."
    ),
    ReasonCode.QUANTITY_INVALID: "The quantity must be a whole number of contracts above zero.",
    ReasonCode.SIDE_INVALID: 'The side must be "buy" or "sell".',
    ReasonCode.PRICE_INVALID: "The price must be a finite number above zero.",
    ReasonCode.LOT_SIZE_MISMATCH: "The quantity is not a multiple of the product's lot size.",
    ReasonCode.BELOW_MINIMUM_ORDER: "The quantity is below the product's minimum order.",
    ReasonCode.ORDER_NOTIONAL_LIMIT: "The order's notional exceeds the investor's per-order limit.",
    ReasonCode.POSITION_LIMIT: "The buy would take the investor's position above the limit.",
}

# Masks are uint32 in the batch path; the catalogue must fit.
assert len(CATALOGUE) <= 32


@lru_cache(maxsize=4096)
def reasons_from_mask(mask: int) -> tuple[ReasonCode, ...]:
    """The reason codes set in ``mask``, in catalogue order.

    Only a few hundred distinct masks occur in practice, so caching makes converting a batch
    to decisions cheap.
    """
    return tuple(code for position, code in enumerate(CATALOGUE) if mask >> position & 1)


def mask_from_reasons(codes: Iterable[str]) -> int:
    """The mask for an iterable of reason codes (or their string values)."""
    mask = 0
    for code in codes:
        mask |= BITS[ReasonCode(code)]
    return mask
