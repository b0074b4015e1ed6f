"""Orders in, decisions out.

Both are tuples (NamedTuple) rather than frozen dataclasses: immutable, and cheap to unpack and
compare on the hot path.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import NamedTuple

import numpy as np

from .reasons import MESSAGES, ReasonCode, reasons_from_mask

BUY = "buy"
SELL = "sell"

# Side codes in columnar input.
SIDE_BUY = 0
SIDE_SELL = 1


class Order(NamedTuple):
    """One exchange order to screen.

    ``venue`` is the MIC of the exchange, taken from its API key. ``quantity`` is a whole
    number of contracts (a Python int; anything else is QUANTITY_INVALID) and ``price`` a
    price per GPU-hour; the notional is ``quantity * contract_size * price`` computed in float64.
    """

    client_order_id: str
    investor: str
    product: str
    venue: str
    side: str
    quantity: int
    price: float | Decimal | int


class Decision(NamedTuple):
    """The engine's answer for one order: a mask of failing reasons and the snapshot version.

    A decision does not repeat the order's id: it depends only on the mask and the snapshot,
    so a snapshot hands out one shared instance per distinct mask instead of allocating one per
    order (allocation alone would cost a fifth of the single-order budget).
    """

    mask: int
    snapshot_version: int

    @property
    def eligible(self) -> bool:
        return not self.mask

    @property
    def reasons(self) -> tuple[ReasonCode, ...]:
        """Every failing reason, in catalogue order."""
        return reasons_from_mask(self.mask)

    def as_dict(self, client_order_id: str | None = None) -> dict[str, object]:
        """The JSON shape the screening API returns for one order."""
        return {
            "client_order_id": client_order_id,
            "eligible": not self.mask,
            "reasons": [{"code": code.value, "message": MESSAGES[code]} for code in self.reasons],
            "snapshot_version": self.snapshot_version,
        }


class BatchDecisions(Sequence[Decision]):
    """Decisions for a batch, kept as a uint32 mask per order; Decision objects are made lazily."""

    __slots__ = ("masks", "snapshot_version", "client_order_ids")

    def __init__(
        self,
        masks: np.ndarray,
        snapshot_version: int,
        client_order_ids: Sequence[str | None] | None = None,
    ) -> None:
        masks.flags.writeable = False
        self.masks = masks
        self.snapshot_version = snapshot_version
        self.client_order_ids = client_order_ids

    def __len__(self) -> int:
        return len(self.masks)

    def __getitem__(self, index: int) -> Decision:  # type: ignore[override]
        return Decision(int(self.masks[index]), self.snapshot_version)

    def __iter__(self) -> Iterator[Decision]:
        version = self.snapshot_version
        # Equal masks share one Decision, as in the single-order path.
        shared: dict[int, Decision] = {}
        for mask in self.masks.tolist():
            decision = shared.get(mask)
            if decision is None:
                decision = shared[mask] = Decision(mask, version)
            yield decision

    def with_order_ids(self) -> Iterator[tuple[str | None, Decision]]:
        """(client_order_id, decision) pairs; ids are None when the batch was given none."""
        ids = self.client_order_ids if self.client_order_ids is not None else [None] * len(self)
        return zip(ids, self, strict=True)

    @property
    def eligible(self) -> np.ndarray:
        """A bool per order."""
        return self.masks == 0

    @property
    def rejected_count(self) -> int:
        return int(np.count_nonzero(self.masks))
