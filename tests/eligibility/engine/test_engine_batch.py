"""Batch evaluation: the columnar and order-dict paths give exactly the single-order decisions."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import replace
from decimal import Decimal

import numpy as np
import pytest
from eligibility_engine_builders import INVESTOR, NOW, VENUE, as_float, investor, order, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance.eligibility.engine import (
    EU,
    MAX_ORDER_QUANTITY,
    DistributionConstraint,
    InvestorCategory,
    InvestorSpec,
    ListingSpec,
    Order,
    ProductSpec,
    ReasonCode,
    Snapshot,
)
from compliance.eligibility.engine.pairs import PairTable

# ---------------------------------------------------------------------------- entry points


def test_order_dicts_keep_client_order_ids_and_decisions():
    orders = [order(client_order_id="A"), order(client_order_id="B", quantity=22)]
    result = snapshot().evaluate_orders([o._asdict() for o in orders], now=NOW)
    assert result.client_order_ids == ["A", "B"]
    assert [d.reasons for d in result] == [(), (ReasonCode.LOT_SIZE_MISMATCH,)]
    assert [(order_id, d.eligible) for order_id, d in result.with_order_ids()] == [("A", True), ("B", False)]
    assert result.rejected_count == 1
    assert result.eligible.tolist() == [True, False]
    assert result[1].snapshot_version == 42


def test_a_batch_of_many_chunks_keeps_every_order_in_its_place():
    # evaluate_orders reads the dicts a few thousand at a time; one chunk resolves its investors
    # through the dict (an int reference), the others through the reference index.
    snap = snapshot(investors=[investor(), investor(reference="INV-0002", sanctions="confirmed")])
    references = [INVESTOR, "INV-0002", "INV-0003", INVESTOR + "\x00"]
    orders = [order(client_order_id=f"o-{n}", investor=references[n % 4], quantity=(n % 7) * 10) for n in range(10_001)]
    orders[9_000] = orders[9_000]._replace(investor=2)
    result = snap.evaluate_orders([o._asdict() for o in orders], now=NOW)
    assert result.client_order_ids == [o.client_order_id for o in orders]
    assert result.masks.tolist() == [snap.evaluate(o, NOW).mask for o in orders]


def test_order_dicts_in_a_sequence_without_slices():
    result = snapshot().evaluate_orders(deque([order(client_order_id=f"o-{n}")._asdict() for n in range(3)]), now=NOW)
    assert result.client_order_ids == ["o-0", "o-1", "o-2"] and result.masks.tolist() == [0, 0, 0]


def test_order_ids_are_read_through_the_mappings_own_get():
    class Aliased(dict):
        def get(self, key, default=None):
            return super().get("id" if key == "client_order_id" else key, default)

    fields = order()._asdict()
    fields["id"] = fields.pop("client_order_id")
    assert snapshot().evaluate_orders([Aliased(fields)], now=NOW).client_order_ids == ["ORD-1"]


def test_the_venue_of_the_api_key_overrides_the_order_dicts():
    dicts = [{**order()._asdict(), "venue": "XLON"}]
    snap = snapshot()
    assert snap.evaluate_orders(dicts, venue=VENUE, now=NOW).masks.tolist() == [0]
    assert snap.evaluate_orders(dicts, now=NOW).masks.tolist() == [ReasonCode.NOT_LISTED_ON_VENUE.bit]


def test_the_venue_of_the_api_key_may_be_unknown():
    result = snapshot().evaluate_orders([order()._asdict()], venue="XXXX", now=NOW)
    assert list(result)[0].reasons == (ReasonCode.NOT_LISTED_ON_VENUE,)


def test_an_empty_batch():
    assert len(snapshot().evaluate_orders([], now=NOW)) == 0


def test_batch_results_are_read_only():
    result = snapshot().evaluate_orders([order()._asdict()], now=NOW)
    with pytest.raises(ValueError):
        result.masks[0] = 1


def test_columnar_indices_out_of_range_are_refused():
    snap = snapshot()
    arrays = {
        "investor": np.array([5]),
        "product": np.array([0]),
        "venue": np.array([0]),
        "side": np.array([0]),
        "quantity": np.array([20]),
        "price": np.array([2.5]),
    }
    with pytest.raises(ValueError, match="investor"):
        snap.evaluate_columns(**arrays, now=NOW)


def test_columnar_quantities_must_be_integers():
    snap = snapshot()
    with pytest.raises(TypeError):
        snap.evaluate_columns(
            investor=np.array([0]),
            product=np.array([0]),
            venue=np.array([0]),
            side=np.array([0]),
            quantity=np.array([20.0]),
            price=np.array([2.5]),
            now=NOW,
        )


def test_columnar_unsigned_quantities_beyond_the_maximum_are_invalid():
    result = snapshot().evaluate_columns(
        investor=np.array([0]),
        product=np.array([0]),
        venue=np.array([0]),
        side=np.array([0]),
        quantity=np.array([2**64 - 1], dtype=np.uint64),
        price=np.array([2.5]),
        now=NOW,
    )
    assert list(result)[0].reasons == (ReasonCode.QUANTITY_INVALID,)


def test_order_dicts_with_an_oversized_int_quantity():
    dicts = [order(quantity=2**80)._asdict(), order()._asdict()]
    masks = snapshot().evaluate_orders(dicts, now=NOW).masks.tolist()
    assert masks == [ReasonCode.QUANTITY_INVALID.bit, 0]


@pytest.mark.parametrize(
    ("key_bound", "position_scale"),
    [(6_000, 100), (2**40, 100), (6_000, 2**40)],
    ids=["narrow", "wide-keys", "wide-positions"],
)
def test_the_pair_table_finds_every_key_and_misses_the_rest(key_bound, position_scale):
    rng = np.random.default_rng(7)
    keys = np.unique(rng.integers(0, 5_000, 3_000))
    flags = rng.integers(0, 4, keys.size).astype(np.uint8)
    positions = rng.integers(-position_scale, position_scale, keys.size)
    table = PairTable(keys, flags, positions, key_bound=key_bound)
    queries = np.concatenate([keys, np.arange(-3, 6_000), [-(2**40), 2**41]])
    found_flags, found_positions = table.lookup(queries)
    expected = dict(zip(keys.tolist(), zip(flags.tolist(), positions.tolist(), strict=True), strict=True))
    assert list(zip(found_flags.tolist(), found_positions.tolist(), strict=True)) == [
        expected.get(q, (0, 0)) for q in queries.tolist()
    ]


def test_the_pair_table_refuses_keys_outside_its_bound():
    with pytest.raises(ValueError):
        PairTable(np.array([10]), np.array([1], np.uint8), np.array([0]), key_bound=10)


# ---------------------------------------------------------------------------- property: batch == single

VENUES = ("XEUR", "XLON", "XNAS")
JURISDICTIONS = ("DE", "FR", "US", "GB", EU)
RESIDENCES = ("DE", "FR", "US", "GB", "CH")
TIMES = st.sampled_from([NOW - 10, NOW - 1, NOW, NOW + 1, NOW + 10]) | st.none()
SYMBOLS = ("A-FWD", "B-FWD", "C-FWD", "D-FWD")
REFERENCES = ("INV-1", "INV-2", "INV-3", "INV-4", "INV-5")


@st.composite
def products(draw: st.DrawFn) -> list[ProductSpec]:
    symbols = draw(st.lists(st.sampled_from(SYMBOLS), min_size=1, max_size=4, unique=True))
    specs = []
    for symbol in symbols:
        jurisdictions = draw(st.lists(st.sampled_from(JURISDICTIONS), max_size=4, unique=True))
        constraints = tuple(
            DistributionConstraint(
                jurisdiction=jurisdiction,
                blocked=draw(st.booleans()),
                allowed_categories=frozenset(draw(st.sets(st.sampled_from(list(InvestorCategory))))),
                appropriateness_required=draw(st.booleans()),
                disclosure_acknowledgement_required=draw(st.booleans()),
                current_disclosure=draw(st.sampled_from([None, f"{symbol}/{jurisdiction}/v1", f"{symbol}/v2"])),
            )
            for jurisdiction in jurisdictions
        )
        lot_size = draw(st.integers(1, 5))
        specs.append(
            ProductSpec(
                symbol=symbol,
                contract_size=draw(st.sampled_from([0.1, 1.0, 100.0, 730.5])),
                lot_size=lot_size,
                minimum_order=lot_size * draw(st.integers(0, 3)),
                position_limit=draw(st.sampled_from([0, 1, 10, 100])),
                delivery_start=draw(st.integers(NOW - 5, NOW + 5)),
                constraints=constraints,
            )
        )
    return specs


@st.composite
def investors(draw: st.DrawFn, symbols: list[str]) -> list[InvestorSpec]:
    references = draw(st.lists(st.sampled_from(REFERENCES), max_size=5, unique=True))
    disclosures = [f"{s}/{j}/v1" for s in symbols for j in JURISDICTIONS] + [f"{s}/v2" for s in symbols]
    specs = []
    for reference in references:
        # Each known symbol (and one the snapshot lacks) is passed, failed or not assessed.
        assessed = draw(st.dictionaries(st.sampled_from([*SYMBOLS, "GONE-FWD"]), st.booleans()))
        specs.append(
            InvestorSpec(
                reference=reference,
                category=draw(st.sampled_from(list(InvestorCategory))),
                residence=draw(st.sampled_from(RESIDENCES)),
                kyc_status=draw(st.sampled_from(["approved", "approved", "pending", "rejected"])),
                kyc_expires_at=draw(st.none() | st.integers(NOW - 5, NOW + 5)),
                sanctions=draw(st.sampled_from(["clear", "clear", "open_hit", "confirmed"])),
                appropriateness_passed=frozenset(s for s, passed in assessed.items() if passed),
                acknowledged_disclosures=frozenset(draw(st.sets(st.sampled_from(disclosures)))),
                order_notional_limit=draw(st.none() | st.sampled_from([0.0, 10.0, 1_000.0, 1e6])),
                positions=draw(st.dictionaries(st.sampled_from(symbols), st.integers(-50, 150), max_size=3)),
                appropriateness_all=draw(st.booleans()),
                appropriateness_failed=frozenset(s for s, passed in assessed.items() if not passed),
            )
        )
    return specs


@st.composite
def listings(draw: st.DrawFn, symbols: list[str]) -> list[ListingSpec]:
    pairs = draw(st.lists(st.tuples(st.sampled_from(symbols), st.sampled_from(VENUES)), max_size=8, unique=True))
    return [
        ListingSpec(
            product=symbol,
            venue=venue,
            status=draw(st.sampled_from(["listed", "listed", "suspended"])),
            effective_from=draw(st.integers(NOW - 5, NOW + 5)),
        )
        for symbol, venue in pairs
    ]


QUANTITIES = (
    st.integers(-3, 30)
    | st.sampled_from([0, MAX_ORDER_QUANTITY, MAX_ORDER_QUANTITY + 1, 2**63 - 1, 2**70])
    | st.sampled_from([True, 5.0, "10", None])
)
PRICES = (
    st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([0, 1, 2.5, 1e300, -1.0])
    | st.decimals(allow_nan=True, allow_infinity=True, places=3)
    | st.sampled_from([Decimal("sNaN"), "2.5", "abc", None])
)


def orders(snapshot_symbols: list[str], references: list[str]) -> st.SearchStrategy[list[Order]]:
    return st.lists(
        st.builds(
            Order,
            client_order_id=st.text(max_size=3),
            investor=st.sampled_from([*references, "INV-NOBODY"]),
            product=st.sampled_from([*snapshot_symbols, "NOPE-FWD"]),
            venue=st.sampled_from([*VENUES, "XXXX"]),
            side=st.sampled_from(["buy", "sell", "hold"]),
            quantity=QUANTITIES,
            price=PRICES,
        ),
        min_size=1,
        max_size=30,
    )


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Snapshot, list[Order], int]:
    product_specs = draw(products())
    symbols = [p.symbol for p in product_specs]
    investor_specs = draw(investors(symbols))
    snap = Snapshot.build(
        version=draw(st.integers(1, 9)),
        products=product_specs,
        investors=investor_specs,
        listings=draw(listings(symbols)),
    )
    now = draw(TIMES) or NOW
    return snap, draw(orders(symbols, [i.reference for i in investor_specs])), now


def columnar_masks(snap: Snapshot, orders_: list[Order], now: int) -> list[int]:
    """The columnar path for orders whose quantity is an int in int64 range (what arrays can hold).

    Other quantities are invalid in the single path; they are mapped to 0, as callers building
    arrays must, so the comparison covers every order.
    """

    def column_quantity(q: object) -> int:
        return q if q.__class__ is int and 0 < q <= MAX_ORDER_QUANTITY else 0  # type: ignore[return-value]

    return snap.evaluate_columns(
        investor=snap.investor_indices(o.investor for o in orders_),
        product=snap.product_indices(o.product for o in orders_),
        venue=snap.venue_indices(o.venue for o in orders_),
        side=np.array([{"buy": 0, "sell": 1}.get(o.side, 7) for o in orders_], dtype=np.int8),
        quantity=np.array([column_quantity(o.quantity) for o in orders_], dtype=np.int64),
        price=np.array([as_float(o.price) for o in orders_], dtype=np.float64),
        now=now,
    ).masks.tolist()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_batch_decisions_equal_single_decisions(scenario):
    snap, orders_, now = scenario
    single = [snap.evaluate(o, now).mask for o in orders_]
    assert snap.evaluate_orders([o._asdict() for o in orders_], now=now).masks.tolist() == single
    assert columnar_masks(snap, orders_, now) == single


def expanded(spec: InvestorSpec, symbols: list[str]) -> InvestorSpec:
    """The same investor with ``appropriateness_all`` written out as per-product passes."""
    if not spec.appropriateness_all:
        return replace(spec, appropriateness_failed=frozenset())
    passed = spec.appropriateness_passed | (frozenset(symbols) - spec.appropriateness_failed)
    return replace(spec, appropriateness_all=False, appropriateness_passed=passed, appropriateness_failed=frozenset())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_appropriateness_for_all_products_equals_passing_each_one(data):
    product_specs = data.draw(products())
    symbols = [p.symbol for p in product_specs]
    investor_specs = data.draw(investors(symbols))
    listing_specs = data.draw(listings(symbols))
    flagged = Snapshot.build(version=1, products=product_specs, investors=investor_specs, listings=listing_specs)
    written_out = Snapshot.build(
        version=1,
        products=product_specs,
        investors=[expanded(spec, symbols) for spec in investor_specs],
        listings=listing_specs,
    )
    orders_ = data.draw(orders(symbols, [i.reference for i in investor_specs]))
    now = data.draw(TIMES) or NOW
    assert [flagged.evaluate(o, now).mask for o in orders_] == [written_out.evaluate(o, now).mask for o in orders_]


def test_a_symbol_both_passed_and_failed_is_refused():
    spec = investor(appropriateness_all=True, appropriateness_failed=frozenset({"H100-FWD-26Q3"}))
    spec = replace(spec, appropriateness_passed=spec.appropriateness_failed)
    with pytest.raises(ValueError, match="both passed and failed"):
        snapshot(investors=[spec])


@settings(max_examples=100, deadline=None)
@given(scenarios())
def test_single_decisions_list_reasons_in_catalogue_order(scenario):
    snap, orders_, now = scenario
    for o in orders_:
        reasons = snap.evaluate(o, now).reasons
        assert list(reasons) == sorted(reasons, key=lambda code: code.bit)


def test_a_nan_price_never_passes_the_notional_check():
    # NaN compares false with everything: it must be PRICE_INVALID, never a silent pass.
    snap = snapshot(investors=[investor(order_notional_limit=0.0)])
    decision = snap.evaluate(order(price=math.nan), NOW)
    assert decision.reasons == (ReasonCode.PRICE_INVALID,)
