"""Columnar evaluation: the rules of ``Snapshot.evaluate`` as NumPy array operations.

Each check below mirrors one branch of the single-order path; keep the two in step (the
property-based test in tests/eligibility/engine/test_engine_batch.py holds them to it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .decision import SIDE_BUY, SIDE_SELL
from .reasons import BITS, ReasonCode
from .specs import MAX_ORDER_QUANTITY

if TYPE_CHECKING:
    from .snapshot import Columns

_ZERO = np.uint32(0)


def _bit(code: ReasonCode) -> np.uint32:
    return np.uint32(BITS[code])


KYC_EXPIRED = _bit(ReasonCode.KYC_EXPIRED)
TRADING_CLOSED = _bit(ReasonCode.TRADING_CLOSED)
QUANTITY_INVALID = _bit(ReasonCode.QUANTITY_INVALID)
SIDE_INVALID = _bit(ReasonCode.SIDE_INVALID)
PRICE_INVALID = _bit(ReasonCode.PRICE_INVALID)
LOT_SIZE_MISMATCH = _bit(ReasonCode.LOT_SIZE_MISMATCH)
BELOW_MINIMUM_ORDER = _bit(ReasonCode.BELOW_MINIMUM_ORDER)
ORDER_NOTIONAL_LIMIT = _bit(ReasonCode.ORDER_NOTIONAL_LIMIT)
POSITION_LIMIT = _bit(ReasonCode.POSITION_LIMIT)

# The 2-bit codes (snapshot.SATISFIED_CODES) back to the reason bits they clear, twice: the
# pair table stores them with snapshot.PAIR_PRESENT (4) set, the investor defaults without.
SATISFIED_BITS = np.array(
    [
        0,
        BITS[ReasonCode.APPROPRIATENESS_REQUIRED],
        BITS[ReasonCode.DISCLOSURE_NOT_ACKNOWLEDGED],
        BITS[ReasonCode.APPROPRIATENESS_REQUIRED] | BITS[ReasonCode.DISCLOSURE_NOT_ACKNOWLEDGED],
    ]
    * 2,
    dtype=np.uint32,
)


def evaluate_columns(
    columns: Columns,
    *,
    investor: np.ndarray,
    product: np.ndarray,
    venue: np.ndarray,
    side: np.ndarray,
    quantity: np.ndarray,
    price: np.ndarray,
    now: int,
) -> np.ndarray:
    """A uint32 reason mask per order. Indices are intp with -1 for unknown references."""
    # Listing, trading window and unknown product depend only on product, venue and the clock:
    # fold them into one small table per call, then gather once per order.
    closed = (now < columns.listing_effective_from) | (now >= columns.product_delivery_start[:, None])
    listing = columns.listing_mask | np.where(closed, TRADING_CLOSED, _ZERO) | columns.product_mask[:, None]
    mask = listing[product, venue]
    mask |= columns.investor_mask[investor]
    mask |= np.where(now >= columns.investor_kyc_expires[investor], KYC_EXPIRED, _ZERO)

    # Distribution: the cell for the investor's profile, minus what the investor satisfied
    # (the pair's flags, or the investor's default where there is no pair).
    satisfied, position = columns.pairs.lookup(investor * columns.product_mask.size + product)
    satisfied = np.where(satisfied == 0, columns.investor_default_satisfied[investor], satisfied)
    cell = columns.distribution[product, columns.investor_profile[investor]]
    mask |= cell & ~SATISFIED_BITS[satisfied]

    buy = side == SIDE_BUY
    mask |= np.where(buy | (side == SIDE_SELL), _ZERO, SIDE_INVALID)
    price_valid = (price > 0.0) & (price < np.inf)  # False for NaN
    mask |= np.where(price_valid, _ZERO, PRICE_INVALID)

    # The order-size checks only count on a valid quantity: they are computed for every order
    # (harmless, lot sizes are >= 1) and applied by the final where, cheaper than compressing.
    with np.errstate(over="ignore", invalid="ignore"):
        size = np.where(quantity % columns.product_lot_size[product] != 0, LOT_SIZE_MISMATCH, _ZERO)
        size |= np.where(quantity < columns.product_minimum_order[product], BELOW_MINIMUM_ORDER, _ZERO)
        notional = quantity.astype(np.float64) * columns.product_contract_size[product] * price
        over_notional = price_valid & (notional > columns.investor_notional_limit[investor])
        size |= np.where(over_notional, ORDER_NOTIONAL_LIMIT, _ZERO)
        # Sells reduce the position, so only buys are held to the limit; an unknown investor
        # has no position on record and is not evaluated. "No limit" is the largest int64 here.
        over_limit = (position + quantity) > columns.product_position_cap[product]  # int64
        size |= np.where(over_limit & buy & (investor >= 0), POSITION_LIMIT, _ZERO)
    quantity_valid = (quantity > 0) & (quantity <= MAX_ORDER_QUANTITY)
    mask |= np.where(quantity_valid, size, QUANTITY_INVALID)
    return mask
