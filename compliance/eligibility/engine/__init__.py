"""The eligibility engine: pure Python (and NumPy), no Django.

It decides, per exchange order, eligible or rejected with every failing reason code, against
an immutable :class:`Snapshot` built from plain specs. See README.md in this package.
"""

from .decision import BUY, SELL, SIDE_BUY, SIDE_SELL, BatchDecisions, Decision, Order
from .reasons import BITS, CATALOGUE, MESSAGES, ReasonCode, mask_from_reasons, reasons_from_mask
from .snapshot import Snapshot, gc_paused
from .specs import (
    EU,
    EU_MEMBER_STATES,
    KYC_APPROVED,
    MAX_ORDER_QUANTITY,
    DistributionConstraint,
    InvestorCategory,
    InvestorSpec,
    ListingSpec,
    ListingStatus,
    ProductSpec,
    SanctionsState,
    to_epoch,
)

__all__ = [
    "BITS",
    "BUY",
    "CATALOGUE",
    "EU",
    "EU_MEMBER_STATES",
    "KYC_APPROVED",
    "MAX_ORDER_QUANTITY",
    "MESSAGES",
    "SELL",
    "SIDE_BUY",
    "SIDE_SELL",
    "BatchDecisions",
    "Decision",
    "DistributionConstraint",
    "InvestorCategory",
    "InvestorSpec",
    "ListingSpec",
    "ListingStatus",
    "Order",
    "ProductSpec",
    "ReasonCode",
    "SanctionsState",
    "Snapshot",
    "mask_from_reasons",
    "gc_paused",
    "reasons_from_mask",
    "to_epoch",
]
