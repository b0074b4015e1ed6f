"""The immutable eligibility snapshot: compile once, evaluate orders in microseconds.

Building a snapshot resolves everything that does not depend on the order or the clock:

* per investor: a static reason mask (KYC status, sanctions), the KYC expiry as epoch seconds,
  a *profile* (the investor's residence x category), the per-order notional limit, and what the
  investor holds per product (position, appropriateness passed, current disclosure acknowledged);
* per product: lot size, minimum, contract size, position limit, delivery start, the listing per
  venue, and per profile one distribution cell: the reason bits the product's distribution
  constraints raise for that residence and category. The cell also carries the
  APPROPRIATENESS_REQUIRED and DISCLOSURE_NOT_ACKNOWLEDGED bits when those are required; the
  investor's per-product flags clear them when satisfied (``cell & ~satisfied``);
* per investor and product they have anything on record for (a *pair*): the reason bits that
  investor raises for that product before the order is seen (KYC status, sanctions and the
  distribution cell with what they satisfied), and their headroom under the position limit.

So an order needs four dict look-ups (investor, product, listing, pair) and a handful of integer
comparisons. The same data is laid out as NumPy arrays for the batch path (see ``batch.py``);
both paths implement one set of rules and are tested to agree decision for decision.

Unknown references are evaluated against sentinel entries, so the rest of the checks run
uniformly:

* unknown investor: INVESTOR_UNKNOWN; the investor-dependent checks (KYC, sanctions,
  distribution, notional limit, position limit) are not evaluated; listing, trading window,
  quantity, side, price, lot size and minimum order still are;
* unknown product: PRODUCT_UNKNOWN; the product-dependent checks (listing, trading window,
  distribution, lot size, minimum, notional limit, position limit) are not evaluated; KYC,
  sanctions, quantity, side and price still are;
* unknown venue (a known product cannot be listed there): NOT_LISTED_ON_VENUE, and the trading
  window is judged on the delivery start alone.
"""

from __future__ import annotations

import gc
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain, repeat
from operator import itemgetter
from time import time_ns
from types import MappingProxyType
from typing import Any

import numpy as np

from . import batch
from .decision import SIDE_BUY, SIDE_SELL, BatchDecisions, Decision, Order
from .pairs import PairTable
from .reasons import BITS, ReasonCode
from .references import ReferenceIndex
from .specs import (
    EU,
    EU_MEMBER_STATES,
    KYC_APPROVED,
    MAX_ABS_POSITION,
    MAX_ORDER_QUANTITY,
    DistributionConstraint,
    InvestorCategory,
    InvestorSpec,
    ListingSpec,
    ListingStatus,
    ProductSpec,
    SanctionsState,
    coerce_investor,
    coerce_listing,
    coerce_product,
    to_epoch,
    unique_by,
)

# Bits as module constants: the hot path reads them as globals, not through the enum.
INVESTOR_UNKNOWN = BITS[ReasonCode.INVESTOR_UNKNOWN]
PRODUCT_UNKNOWN = BITS[ReasonCode.PRODUCT_UNKNOWN]
NOT_LISTED_ON_VENUE = BITS[ReasonCode.NOT_LISTED_ON_VENUE]
LISTING_SUSPENDED = BITS[ReasonCode.LISTING_SUSPENDED]
TRADING_CLOSED = BITS[ReasonCode.TRADING_CLOSED]
KYC_NOT_APPROVED = BITS[ReasonCode.KYC_NOT_APPROVED]
KYC_EXPIRED = BITS[ReasonCode.KYC_EXPIRED]
SANCTIONS_CONFIRMED = BITS[ReasonCode.SANCTIONS_CONFIRMED]
SANCTIONS_REVIEW_PENDING = BITS[ReasonCode.SANCTIONS_REVIEW_PENDING]
JURISDICTION_BLOCKED = BITS[ReasonCode.JURISDICTION_BLOCKED]
CATEGORY_NOT_PERMITTED = BITS[ReasonCode.CATEGORY_NOT_PERMITTED]
APPROPRIATENESS_REQUIRED = BITS[ReasonCode.APPROPRIATENESS_REQUIRED]
DISCLOSURE_NOT_ACKNOWLEDGED = BITS[ReasonCode.DISCLOSURE_NOT_ACKNOWLEDGED]
QUANTITY_INVALID = BITS[ReasonCode.QUANTITY_INVALID]
SIDE_INVALID = BITS[ReasonCode.SIDE_INVALID]
PRICE_INVALID = BITS[ReasonCode.PRICE_INVALID]
LOT_SIZE_MISMATCH = BITS[ReasonCode.LOT_SIZE_MISMATCH]
BELOW_MINIMUM_ORDER = BITS[ReasonCode.BELOW_MINIMUM_ORDER]
ORDER_NOTIONAL_LIMIT = BITS[ReasonCode.ORDER_NOTIONAL_LIMIT]
POSITION_LIMIT = BITS[ReasonCode.POSITION_LIMIT]

# Epoch bounds standing for "never" (int64, so the batch arrays can hold them).
EARLIEST = -(2**63)
LATEST = 2**63 - 1

_INF = math.inf
_NAN = math.nan
_SHARED_DECISIONS = 65_536
# The batch path's stand-in for "no position limit": no position plus quantity exceeds it.
_NO_POSITION_CAP = 2**63 - 1

_CATEGORIES = frozenset(InvestorCategory)
_SANCTIONS_MASK = {
    SanctionsState.CLEAR: 0,
    SanctionsState.OPEN_HIT: SANCTIONS_REVIEW_PENDING,
    SanctionsState.CONFIRMED: SANCTIONS_CONFIRMED,
}
_ALPHA2 = re.compile(r"[A-Z]{2}\Z")
_SIDE_CODES = {"buy": SIDE_BUY, "sell": SIDE_SELL}
_SIDE_UNKNOWN = 2
# Orders per chunk of evaluate_orders: their dicts and strings (about 2 MB) stay in the CPU cache.
_CHUNK = 4_096

# What an investor satisfies in a product they have nothing on record for: nothing, or
# appropriateness when they passed a global assessment (``appropriateness_all``).
_NOTHING_SATISFIED = 0
_ALL_APPROPRIATE = APPROPRIATENESS_REQUIRED
_NO_PAIRS: dict[int, tuple[int, int]] = {}  # the pair table of investors with nothing on record; never written

# The batch path stores what an investor satisfied for a product as a 2-bit code (a byte per
# pair instead of four); batch.SATISFIED_BITS maps it back. A stored pair also carries
# PAIR_PRESENT, so an absent pair (flags 0) takes the investor's default instead.
PAIR_PRESENT = 4
SATISFIED_CODES = {
    0: 0,
    APPROPRIATENESS_REQUIRED: 1,
    DISCLOSURE_NOT_ACKNOWLEDGED: 2,
    APPROPRIATENESS_REQUIRED | DISCLOSURE_NOT_ACKNOWLEDGED: 3,
}


@dataclass(frozen=True, slots=True)
class Columns:
    """The snapshot laid out as NumPy arrays for the batch path.

    Every per-investor and per-product array has one extra, last entry for unknown references,
    so index -1 (what the index look-ups return for an unknown reference) selects it.
    """

    investor_mask: np.ndarray  # uint32, static reasons (KYC status, sanctions)
    investor_kyc_expires: np.ndarray  # int64 epoch seconds
    investor_profile: np.ndarray  # intp, column of ``distribution``
    investor_notional_limit: np.ndarray  # float64, inf when none
    investor_default_satisfied: np.ndarray  # uint8 SATISFIED_CODES for products with no pair
    product_mask: np.ndarray  # uint32, PRODUCT_UNKNOWN on the sentinel only
    product_delivery_start: np.ndarray  # int64 epoch seconds
    product_lot_size: np.ndarray  # int64
    product_minimum_order: np.ndarray  # int64
    product_contract_size: np.ndarray  # float64
    product_position_cap: np.ndarray  # int64, position_limit, or the largest int64 when none
    listing_mask: np.ndarray  # uint32 [product, venue]
    listing_effective_from: np.ndarray  # int64 [product, venue]
    distribution: np.ndarray  # uint32 [product, profile]
    pairs: PairTable  # keyed by investor * (product_count + 1) + product; flags: code | PAIR_PRESENT


class Snapshot:
    """An immutable, versioned view of everything an eligibility decision needs.

    Build it with :meth:`build`; evaluate with :meth:`evaluate` (one order),
    :meth:`evaluate_columns` (NumPy arrays of indices) or :meth:`evaluate_orders` (order dicts).
    """

    __slots__ = (
        "version",
        "columns",
        "evaluate",
        "_investors",
        "_products",
        "_unknown_investor",
        "_unknown_product",
        "_investor_index",
        "_investor_references",
        "_product_index",
        "_venue_index",
        "_sealed",
    )

    version: int
    columns: Columns
    # Decide one order: ``evaluate(order, now=None) -> Decision`` (see _single_order_evaluator).
    evaluate: Callable[..., Decision]

    def __setattr__(self, name: str, value: object) -> None:
        if getattr(self, "_sealed", False):
            raise AttributeError("a Snapshot is immutable; build a new one")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        raise AttributeError("a Snapshot is immutable; build a new one")

    # ------------------------------------------------------------------ building

    @classmethod
    def build(
        cls,
        *,
        version: int,
        products: Iterable[ProductSpec | Mapping[str, Any]],
        investors: Iterable[InvestorSpec | Mapping[str, Any]],
        listings: Iterable[ListingSpec | Mapping[str, Any]],
    ) -> Snapshot:
        """Validate and compile the specs. Raises ValueError/TypeError on inconsistent input."""
        with gc_paused():
            return cls._build(version=version, products=products, investors=investors, listings=listings)

    @classmethod
    def _build(
        cls,
        *,
        version: int,
        products: Iterable[ProductSpec | Mapping[str, Any]],
        investors: Iterable[InvestorSpec | Mapping[str, Any]],
        listings: Iterable[ListingSpec | Mapping[str, Any]],
    ) -> Snapshot:
        product_specs = unique_by(map(coerce_product, products), "symbol", "product")
        investor_specs = unique_by(map(coerce_investor, investors), "reference", "investor")
        listing_specs = [coerce_listing(listing) for listing in listings]
        for product in product_specs.values():
            _validate_product(product)
        for investor in investor_specs.values():
            _validate_investor(investor)

        self = object.__new__(cls)
        # Equal values in the compiled tables are made one object: a few hundred distinct
        # cells, expiries and limits then stay in the CPU cache while 100,000 investors don't.
        pool: dict[tuple[type, Any], Any] = {}

        def shared(value: Any) -> Any:
            return pool.setdefault((type(value), value), value)

        self.version = version
        self._product_index = {symbol: p for p, symbol in enumerate(product_specs)}
        self._investor_index = {reference: i for i, reference in enumerate(investor_specs)}
        self._investor_references = ReferenceIndex(list(investor_specs))
        venues = sorted({listing.venue for listing in listing_specs})
        self._venue_index = {venue: v for v, venue in enumerate(venues)}

        listings_by_product = _listings_by_product(listing_specs, self._product_index)
        profiles = sorted({(inv.residence, inv.category) for inv in investor_specs.values()})
        profile_index = {profile: k for k, profile in enumerate(profiles)}
        unknown_profile = len(profiles)

        # Distribution cells per product and profile, plus the disclosures a satisfied
        # acknowledgement needs per product and residence.
        cells: list[tuple[int, ...]] = []
        required_disclosures: dict[tuple[int, str], frozenset[str | None]] = {}
        for p, product in enumerate(product_specs.values()):
            by_jurisdiction = {c.jurisdiction: c for c in product.constraints}
            row = []
            for residence, category in profiles:
                cell, disclosures = _distribution_cell(by_jurisdiction, residence, category)
                row.append(shared(cell))
                if disclosures is not None:
                    required_disclosures[p, residence] = disclosures
            row.append(0)  # unknown investor: distribution is not evaluated
            cells.append(tuple(row))

        # Index the requirements by disclosure id so each investor only visits products whose
        # disclosures they acknowledged.
        requirements_by_disclosure: dict[tuple[str, str | None], list[int]] = {}
        for (p, residence), disclosures in required_disclosures.items():
            for disclosure in disclosures:
                requirements_by_disclosure.setdefault((residence, disclosure), []).append(p)

        pairs_per_investor = [
            {
                p: shared(pair)
                for p, pair in _investor_pairs(
                    investor, self._product_index, required_disclosures, requirements_by_disclosure
                ).items()
            }
            for investor in investor_specs.values()
        ]

        # The investor record of the single-order path: (KYC expiry, notional limit, pair table,
        # static mask, profile, ~satisfied-by-default). The pair table maps a product key to
        # (reason bits, position headroom), precompiled from the static mask, the distribution
        # cell and what the investor satisfied, so an order with a pair does no bit work on them.
        position_limits = [product.position_limit for product in product_specs.values()]
        self._investors = {}
        for investor, pairs in zip(investor_specs.values(), pairs_per_investor, strict=True):
            static_mask = shared(_investor_static_mask(investor))
            profile = profile_index[investor.residence, investor.category]
            compiled = {
                p: shared((static_mask | cells[p][profile] & ~satisfied, _headroom(position_limits[p], position)))
                for p, (satisfied, position) in pairs.items()
            }
            self._investors[investor.reference] = (
                shared(_kyc_expiry(investor)),
                shared(_notional_limit(investor)),
                compiled or _NO_PAIRS,  # one shared empty table: one object less to fetch per order
                static_mask,
                profile,
                ~(_ALL_APPROPRIATE if investor.appropriateness_all else _NOTHING_SATISFIED),
            )
        # An unknown investor is held to no product's checks but the order's own: a pair per
        # product with just INVESTOR_UNKNOWN and no position cap (an unknown product, below, has
        # no key here and takes the defaults, which raise nothing more either).
        unknown_pair = (INVESTOR_UNKNOWN, _NO_POSITION_CAP)
        self._unknown_investor = (
            LATEST,
            _INF,
            dict.fromkeys(self._product_index.values(), unknown_pair),
            INVESTOR_UNKNOWN,
            unknown_profile,
            ~_NOTHING_SATISFIED,
        )

        unlisted = (NOT_LISTED_ON_VENUE, EARLIEST)
        self._products = {
            product.symbol: (
                # The very key object of the pair tables, so a pair look-up matches by identity.
                self._product_index[product.symbol],
                0,
                listings_by_product.get(p, {}),
                unlisted,
                to_epoch(product.delivery_start),
                cells[p],
                product.lot_size,
                product.minimum_order,
                float(product.contract_size),
                product.position_limit,
            )
            for p, product in enumerate(product_specs.values())
        }
        self._unknown_product = (
            object(),  # a key no pair table holds
            PRODUCT_UNKNOWN,
            {},
            (0, EARLIEST),
            LATEST,
            (0,) * (unknown_profile + 1),
            1,
            0,
            0.0,
            0,
        )
        self.columns = self._compile_columns(venues, pairs_per_investor)
        self.evaluate = _single_order_evaluator(
            self._investors, self._unknown_investor, self._products, self._unknown_product, version
        )
        self._sealed = True
        return self

    def _compile_columns(
        self, venues: Sequence[str], pairs_per_investor: Sequence[dict[int, tuple[int, int]]]
    ) -> Columns:
        # Investor records in row order; see _build for their fields.
        investors = [*self._investors.values(), self._unknown_investor]
        products = [*self._products.values(), self._unknown_product]
        product_count = len(self._products)

        listing_mask = np.full((len(products), len(venues) + 1), NOT_LISTED_ON_VENUE, np.uint32)
        listing_effective_from = np.full(listing_mask.shape, EARLIEST, np.int64)
        listing_mask[-1, :] = 0  # unknown product: listing is not evaluated
        for p, product in enumerate(products[:-1]):
            for venue, (mask, effective_from) in product[2].items():
                listing_mask[p, self._venue_index[venue]] = mask
                listing_effective_from[p, self._venue_index[venue]] = effective_from

        keys, flags, positions = [], [], []
        for i, pairs in enumerate(pairs_per_investor):
            for p, (satisfied, position) in pairs.items():
                keys.append(i * (product_count + 1) + p)
                flags.append(SATISFIED_CODES[satisfied] | PAIR_PRESENT)
                positions.append(position)

        columns = Columns(
            investor_mask=np.array([inv[3] for inv in investors], np.uint32),
            investor_kyc_expires=np.array([inv[0] for inv in investors], np.int64),
            investor_profile=np.array([inv[4] for inv in investors], np.intp),
            investor_notional_limit=np.array([inv[1] for inv in investors], np.float64),
            investor_default_satisfied=np.array([SATISFIED_CODES[~inv[5]] for inv in investors], np.uint8),
            product_mask=np.array([prod[1] for prod in products], np.uint32),
            product_delivery_start=np.array([prod[4] for prod in products], np.int64),
            product_lot_size=np.array([prod[6] for prod in products], np.int64),
            product_minimum_order=np.array([prod[7] for prod in products], np.int64),
            product_contract_size=np.array([prod[8] for prod in products], np.float64),
            product_position_cap=np.array([prod[9] or _NO_POSITION_CAP for prod in products], np.int64),
            listing_mask=listing_mask,
            listing_effective_from=listing_effective_from,
            distribution=np.array([prod[5] for prod in products], np.uint32).reshape(len(products), -1),
            pairs=PairTable(
                np.array(keys, np.int64),
                np.array(flags, np.uint8),
                np.array(positions, np.int64),
                key_bound=len(investors) * len(products),
            ),
        )
        for name in Columns.__slots__:
            value = getattr(columns, name)
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
        return columns

    # ------------------------------------------------------------------ look-ups

    @property
    def investor_index(self) -> Mapping[str, int]:
        """Investor reference -> row index used by :meth:`evaluate_columns`."""
        return MappingProxyType(self._investor_index)

    @property
    def product_index(self) -> Mapping[str, int]:
        """Product symbol -> row index used by :meth:`evaluate_columns`."""
        return MappingProxyType(self._product_index)

    @property
    def venue_index(self) -> Mapping[str, int]:
        """Venue MIC -> index used by :meth:`evaluate_columns`."""
        return MappingProxyType(self._venue_index)

    def investor_indices(self, references: Iterable[str]) -> np.ndarray:
        """Row indices for investor references, -1 for unknown ones."""
        return self._investor_rows(list(references))

    def _investor_rows(self, references: list[Any]) -> np.ndarray:
        try:
            return self._investor_references.lookup(references)
        except TypeError:
            # Not all text: the dict answers as the single-order path does (-1 for a value that
            # is no reference, TypeError for an unhashable one).
            return _indices(self._investor_index, references, len(references))

    def product_indices(self, symbols: Iterable[str]) -> np.ndarray:
        """Row indices for product symbols, -1 for unknown ones."""
        return _indices(self._product_index, symbols)

    def venue_indices(self, venues: Iterable[str]) -> np.ndarray:
        """Indices for venue MICs, -1 for venues no product is listed on."""
        return _indices(self._venue_index, venues)

    # ------------------------------------------------------------------ evaluation

    def evaluate_columns(
        self,
        *,
        investor: np.ndarray,
        product: np.ndarray,
        venue: np.ndarray,
        side: np.ndarray,
        quantity: np.ndarray,
        price: np.ndarray,
        now: int | None = None,
        client_order_ids: Sequence[str | None] | None = None,
    ) -> BatchDecisions:
        """Decide a batch given as arrays of equal length.

        ``investor``, ``product`` and ``venue`` are indices from :meth:`investor_indices` etc.
        (-1 = unknown); ``side`` is 0 for buy, 1 for sell, anything else invalid; ``quantity``
        an integer array; ``price`` a float array (cast to float64).
        """
        if now is None:
            now = time_ns() // 1_000_000_000
        masks = batch.evaluate_columns(
            self.columns,
            investor=_checked_indices(investor, len(self._investors), "investor"),
            product=_checked_indices(product, len(self._products), "product"),
            venue=_checked_indices(venue, len(self._venue_index), "venue"),
            side=np.asarray(side),
            quantity=_integer_array(quantity),
            price=np.asarray(price, dtype=np.float64),
            now=now,
        )
        return BatchDecisions(masks, self.version, client_order_ids)

    def evaluate_orders(
        self,
        orders: Sequence[Mapping[str, Any]],
        *,
        venue: str | None = None,
        now: int | None = None,
    ) -> BatchDecisions:
        """Decide a batch of parsed order dicts, with the same semantics as :meth:`evaluate`.

        Each dict has the keys of :class:`Order` (``client_order_id`` optional). When ``venue``
        is given (the MIC of the calling exchange's API key) it applies to every order and the
        dicts' own ``venue`` keys are ignored.
        """
        if now is None:
            now = time_ns() // 1_000_000_000
        if not isinstance(orders, list | tuple):
            orders = list(orders)  # a Sequence need not take slices
        # A chunk at a time, so the seven passes over a chunk's dicts and strings find them in
        # the CPU cache: one pass over all of a large batch's dicts would push them out of it.
        chunks = [self._order_columns(orders[start : start + _CHUNK], venue) for start in range(0, len(orders), _CHUNK)]
        if not chunks:
            chunks = [self._order_columns(orders, venue)]
        *arrays, id_chunks = zip(*chunks, strict=True)
        investors, products, venues, sides, quantities, prices = (np.concatenate(part) for part in arrays)
        masks = batch.evaluate_columns(
            self.columns,
            investor=investors,
            product=products,
            venue=venues,
            side=sides,
            quantity=quantities,
            price=prices,
            now=now,
        )
        return BatchDecisions(masks, self.version, list(chain.from_iterable(id_chunks)))

    def _order_columns(self, orders: Sequence[Mapping[str, Any]], venue: str | None) -> tuple[Any, ...]:
        """Investor, product and venue indices, side codes, quantities and prices of ``orders``
        as arrays, and their client order ids as a list."""
        count = len(orders)

        def column(key: str) -> list[Any]:
            return list(map(itemgetter(key), orders))

        investors = self._investor_rows(column("investor"))
        products = _indices(self._product_index, column("product"), count)
        if venue is None:
            venues = _indices(self._venue_index, column("venue"), count)
        else:
            venues = np.full(count, self._venue_index.get(venue, -1), np.intp)
        sides = np.fromiter(map(_SIDE_CODES.get, column("side"), repeat(_SIDE_UNKNOWN)), np.int8, count)
        quantities, prices = _quantities(column("quantity")), _prices(column("price"))
        return investors, products, venues, sides, quantities, prices, list(map(_client_order_id, orders))

    def __repr__(self) -> str:
        return (
            f"<Snapshot version={self.version} investors={len(self._investors)} "
            f"products={len(self._products)} venues={len(self._venue_index)}>"
        )


# ---------------------------------------------------------------------- compile helpers


@contextmanager
def gc_paused() -> Iterator[None]:
    """Suspend the cyclic garbage collector while a snapshot is read or compiled.

    A build allocates millions of tuples, dicts and sets that all survive; each allocation
    threshold would start a collection that walks them again (about a quarter of a
    100,000-investor build). A build makes next to no cyclic garbage, and what little there is
    waits for the next collection; the collector resumes afterwards (unless it was off already).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _single_order_evaluator(
    investors: dict[str, tuple],
    unknown_investor: tuple,
    products: dict[str, tuple],
    unknown_product: tuple,
    version: int,
) -> Callable[..., Decision]:
    """The single-order path as a closure over the compiled tables.

    A closure reads its tables from cells instead of through ``self``, and skips creating a
    bound method per call; at well under a microsecond per order those add up.
    """
    investor_record = investors.get
    product_record = products.get
    eligible = Decision(0, version)
    # One shared Decision per distinct mask; a few hundred occur in practice. The cap only
    # guards memory against adversarial input, beyond it decisions are simply not shared.
    rejected: dict[int, Decision] = {}
    shared_rejection = rejected.get

    def evaluate(order: Order, now: int | None = None) -> Decision:
        """Decide one order. ``now`` is epoch seconds; the clock is read once when omitted.

        ``order`` is an :class:`Order` (any sequence of its seven fields in its order works).
        """
        if now is None:
            now = time_ns() // 1_000_000_000
        _, investor, product, venue, side, quantity, price = order
        kyc_expires, notional_limit, pairs, static_mask, profile, unsatisfied = investor_record(
            investor, unknown_investor
        )
        (
            key,
            mask,
            listings,
            unlisted,
            delivery_start,
            cells,
            lot_size,
            minimum_order,
            contract_size,
            position_limit,
        ) = product_record(product, unknown_product)
        pair = pairs.get(key)
        if pair is None:
            # Nothing on record for this product: the investor's defaults, and no position.
            mask |= static_mask | cells[profile] & unsatisfied
            headroom = position_limit or _NO_POSITION_CAP
        else:
            pair_mask, headroom = pair
            mask |= pair_mask
        if now >= kyc_expires:
            mask |= KYC_EXPIRED
        listing_mask, effective_from = listings.get(venue, unlisted)
        mask |= listing_mask
        if now < effective_from or now >= delivery_start:
            mask |= TRADING_CLOSED

        if side == "buy":
            buy = True
        else:
            buy = False
            if side != "sell":
                mask |= SIDE_INVALID
        if price.__class__ is not float:
            try:
                price = float(price)
            except (TypeError, ValueError):
                price = _NAN
        price_valid = 0.0 < price < _INF
        if not price_valid:
            mask |= PRICE_INVALID
        # A non-positive or non-integral quantity makes lot, minimum, notional and position
        # checks meaningless, so they only run on a valid quantity.
        if quantity.__class__ is int and 0 < quantity <= MAX_ORDER_QUANTITY:
            if quantity % lot_size:
                mask |= LOT_SIZE_MISMATCH
            if quantity < minimum_order:
                mask |= BELOW_MINIMUM_ORDER
            # Same float64 operations, in the same order, as the batch path.
            if price_valid and quantity * contract_size * price > notional_limit:
                mask |= ORDER_NOTIONAL_LIMIT
            # Sells reduce the position, so the limit only binds buys. The headroom is the
            # limit minus the position (exact in ints): position + quantity > limit.
            if buy and quantity > headroom:
                mask |= POSITION_LIMIT
        else:
            mask |= QUANTITY_INVALID
        if not mask:
            return eligible
        decision = shared_rejection(mask)
        if decision is None:
            decision = Decision(mask, version)
            if len(rejected) < _SHARED_DECISIONS:
                rejected[mask] = decision
        return decision

    return evaluate


def _validate_product(product: ProductSpec) -> None:
    if product.lot_size.__class__ is not int or product.lot_size < 1:
        raise ValueError(f"{product.symbol}: lot_size must be an int >= 1")
    if product.minimum_order.__class__ is not int or product.minimum_order < 0:
        raise ValueError(f"{product.symbol}: minimum_order must be an int >= 0")
    if product.position_limit.__class__ is not int or product.position_limit < 0:
        raise ValueError(f"{product.symbol}: position_limit must be an int >= 0 (0 = none)")
    if not 0 < float(product.contract_size) < _INF:
        raise ValueError(f"{product.symbol}: contract_size must be finite and above zero")
    jurisdictions = [c.jurisdiction for c in product.constraints]
    if len(set(jurisdictions)) != len(jurisdictions):
        raise ValueError(f"{product.symbol}: more than one constraint per jurisdiction")
    for constraint in product.constraints:
        if not (_ALPHA2.match(constraint.jurisdiction) or constraint.jurisdiction == EU):
            raise ValueError(f"{product.symbol}: bad jurisdiction {constraint.jurisdiction!r}")
        unknown = set(constraint.allowed_categories) - _CATEGORIES
        if unknown:
            raise ValueError(f"{product.symbol}: unknown investor categories {sorted(unknown)}")


def _validate_investor(investor: InvestorSpec) -> None:
    if not isinstance(investor.reference, str):
        # Exchanges send references as JSON strings; the batch path's index holds only text.
        raise TypeError(f"{investor.reference!r}: an investor reference must be a str")
    if investor.category not in _CATEGORIES:
        raise ValueError(f"{investor.reference}: unknown category {investor.category!r}")
    if investor.sanctions not in _SANCTIONS_MASK:
        raise ValueError(f"{investor.reference}: unknown sanctions state {investor.sanctions!r}")
    if not _ALPHA2.match(investor.residence) or investor.residence == EU:
        raise ValueError(f"{investor.reference}: residence must be an ISO 3166 alpha-2 country")
    limit = investor.order_notional_limit
    if limit is not None and not float(limit) >= 0:
        raise ValueError(f"{investor.reference}: order_notional_limit must be >= 0 or None")
    for symbol, position in investor.positions.items():
        if position.__class__ is not int or abs(position) > MAX_ABS_POSITION:
            raise ValueError(f"{investor.reference}: position in {symbol} out of range")
    if investor.appropriateness_all.__class__ is not bool:
        raise TypeError(f"{investor.reference}: appropriateness_all must be a bool")
    both = investor.appropriateness_passed & investor.appropriateness_failed
    if both:
        raise ValueError(f"{investor.reference}: appropriateness both passed and failed for {sorted(both)}")


def _listings_by_product(
    listings: Iterable[ListingSpec], product_index: Mapping[str, int]
) -> dict[int, dict[str, tuple[int, int]]]:
    by_product: dict[int, dict[str, tuple[int, int]]] = {}
    for listing in listings:
        if listing.product not in product_index:
            raise ValueError(f"listing on {listing.venue} for unknown product {listing.product!r}")
        if listing.status not in (ListingStatus.LISTED, ListingStatus.SUSPENDED):
            raise ValueError(f"listing {listing.product}@{listing.venue}: bad status")
        venues = by_product.setdefault(product_index[listing.product], {})
        if listing.venue in venues:
            raise ValueError(f"duplicate listing {listing.product}@{listing.venue}")
        mask = LISTING_SUSPENDED if listing.status == ListingStatus.SUSPENDED else 0
        venues[listing.venue] = (mask, to_epoch(listing.effective_from))
    return by_product


def _distribution_cell(
    by_jurisdiction: Mapping[str, DistributionConstraint], residence: str, category: str
) -> tuple[int, frozenset[str | None] | None]:
    """Reason bits of a product's constraints for one residence and category.

    An EU resident is subject to the constraints filed under their country *and* under "EU":
    both regimes apply, so every matching constraint must be satisfied. Without any matching
    constraint the product is not offered there. Returns the cell and, when an acknowledgement
    is required, the disclosure ids to acknowledge (None among them if one is not published,
    which no acknowledgement can satisfy).
    """
    matching = [by_jurisdiction.get(residence)]
    if residence in EU_MEMBER_STATES:
        matching.append(by_jurisdiction.get(EU))
    constraints = [c for c in matching if c is not None]
    if not constraints:
        return JURISDICTION_BLOCKED, None
    cell = 0
    disclosures: set[str | None] = set()
    for constraint in constraints:
        if constraint.blocked:
            cell |= JURISDICTION_BLOCKED
        if category not in constraint.allowed_categories:
            cell |= CATEGORY_NOT_PERMITTED
        if constraint.appropriateness_required:
            cell |= APPROPRIATENESS_REQUIRED
        if constraint.disclosure_acknowledgement_required:
            cell |= DISCLOSURE_NOT_ACKNOWLEDGED
            disclosures.add(constraint.current_disclosure)
    return cell, (frozenset(disclosures) if disclosures else None)


def _investor_pairs(
    investor: InvestorSpec,
    product_index: Mapping[str, int],
    required_disclosures: Mapping[tuple[int, str], frozenset[str | None]],
    requirements_by_disclosure: Mapping[tuple[str, str | None], list[int]],
) -> dict[int, tuple[int, int]]:
    """Per product the investor has anything on record for: (satisfied bits, position).

    Products that are not in the snapshot (delisted, say) are ignored. For an investor with
    ``appropriateness_all`` the appropriateness bit is the default (the investor record's
    ``_ALL_APPROPRIATE``): every pair carries it except the products in
    ``appropriateness_failed``, which get a pair of their own so the default does not apply.
    """
    satisfied: dict[int, int] = {}
    for symbol in investor.appropriateness_passed:
        p = product_index.get(symbol)
        if p is not None:
            satisfied[p] = APPROPRIATENESS_REQUIRED
    failed: set[int] = set()
    if investor.appropriateness_all:
        failed = {product_index[s] for s in investor.appropriateness_failed if s in product_index}
        for p in failed:
            satisfied[p] = 0
    acknowledged = investor.acknowledged_disclosures
    for disclosure in acknowledged:
        for p in requirements_by_disclosure.get((investor.residence, disclosure), ()):
            if required_disclosures[p, investor.residence] <= acknowledged:
                satisfied[p] = satisfied.get(p, 0) | DISCLOSURE_NOT_ACKNOWLEDGED
    positions = {
        product_index[symbol]: position
        for symbol, position in investor.positions.items()
        if symbol in product_index and position
    }
    default = APPROPRIATENESS_REQUIRED if investor.appropriateness_all else 0
    return {
        p: (satisfied.get(p, 0) | (0 if p in failed else default), positions.get(p, 0))
        for p in satisfied.keys() | positions
    }


def _headroom(position_limit: int, position: int) -> int:
    """How many contracts a buy may add to ``position`` under ``position_limit`` (0 = none)."""
    return position_limit - position if position_limit else _NO_POSITION_CAP


def _investor_static_mask(investor: InvestorSpec) -> int:
    mask = _SANCTIONS_MASK[SanctionsState(investor.sanctions)]
    if investor.kyc_status != KYC_APPROVED:
        mask |= KYC_NOT_APPROVED
    return mask


def _kyc_expiry(investor: InvestorSpec) -> int:
    return LATEST if investor.kyc_expires_at is None else to_epoch(investor.kyc_expires_at)


def _notional_limit(investor: InvestorSpec) -> float:
    limit = investor.order_notional_limit
    return _INF if limit is None else float(limit)


# ---------------------------------------------------------------------- batch input helpers


def _indices(index: Mapping[str, int], keys: Iterable[str], count: int = -1) -> np.ndarray:
    """Row indices for ``keys``, -1 for unknown ones (``count`` lets NumPy preallocate)."""
    return np.fromiter(map(index.get, keys, repeat(-1)), np.intp, count)


def _checked_indices(indices: np.ndarray, size: int, kind: str) -> np.ndarray:
    """Indices as intp; -1 is unknown, anything else out of range is a caller error."""
    indices = np.asarray(indices)
    if indices.dtype.kind not in "iu":
        raise TypeError(f"{kind} indices must be integers")
    indices = indices.astype(np.intp, copy=False)
    if indices.size and (indices.min() < -1 or indices.max() >= size):
        raise ValueError(f"{kind} indices must be in -1..{size - 1}")
    return indices


def _integer_array(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values)
    if values.dtype.kind not in "iu":
        raise TypeError("quantities must be an integer array")
    if values.dtype.kind == "u" and values.size and values.max() > MAX_ORDER_QUANTITY:
        # Out-of-range uint64 values would wrap when cast; any value above the maximum is
        # invalid anyway, so cap them just above it.
        values = np.minimum(values, MAX_ORDER_QUANTITY + 1)
    return values.astype(np.int64, copy=False)


def _quantities(values: list[Any]) -> np.ndarray:
    """int64 quantities with :meth:`Snapshot.evaluate`'s notion of valid.

    Anything but a Python int in range becomes 0, which is invalid, so booleans, floats and
    oversized ints are QUANTITY_INVALID exactly as in the single path.
    """
    if set(map(type, values)) <= {int}:
        try:
            return np.array(values, dtype=np.int64)
        except OverflowError:
            pass
    return np.array(
        [v if v.__class__ is int and 0 < v <= MAX_ORDER_QUANTITY else 0 for v in values],
        dtype=np.int64,
    )


def _price_as_float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return _NAN


def _prices(values: list[Any]) -> np.ndarray:
    """float64 prices converted exactly as :meth:`Snapshot.evaluate` converts them."""
    if set(map(type, values)) <= {float, int}:
        try:
            return np.array(values, dtype=np.float64)
        except OverflowError:
            pass
    # Decimals, strings and the like go through float() one by one, as in the single path.
    return np.fromiter(map(_price_as_float, values), np.float64, len(values))


def _client_order_id(order: Mapping[str, Any]) -> Any:
    return order.get("client_order_id")
