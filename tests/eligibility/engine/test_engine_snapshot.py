"""The reason catalogue, and building a snapshot: input formats, validation, immutability."""

from __future__ import annotations

import ast
import gc
from datetime import UTC, datetime
from pathlib import Path

import pytest
from eligibility_engine_builders import NOW, SYMBOL, investor, listing, order, product, snapshot

import compliance.eligibility.engine as engine
from compliance.eligibility.engine import (
    BITS,
    CATALOGUE,
    EU_MEMBER_STATES,
    MESSAGES,
    DistributionConstraint,
    ReasonCode,
    Snapshot,
    mask_from_reasons,
    reasons_from_mask,
)

REQUIRED_CODES = [
    "INVESTOR_UNKNOWN",
    "PRODUCT_UNKNOWN",
    "NOT_LISTED_ON_VENUE",
    "LISTING_SUSPENDED",
    "TRADING_CLOSED",
    "KYC_NOT_APPROVED",
    "KYC_EXPIRED",
    "SANCTIONS_CONFIRMED",
    "SANCTIONS_REVIEW_PENDING",
    "JURISDICTION_BLOCKED",
    "CATEGORY_NOT_PERMITTED",
    "APPROPRIATENESS_REQUIRED",
    "DISCLOSURE_NOT_ACKNOWLEDGED",
    "QUANTITY_INVALID",
    "LOT_SIZE_MISMATCH",
    "BELOW_MINIMUM_ORDER",
    "ORDER_NOTIONAL_LIMIT",
    "POSITION_LIMIT",
]


# ---------------------------------------------------------------------------- catalogue


def test_the_catalogue_has_every_required_code_in_the_documented_order():
    present = [code.value for code in CATALOGUE if code.value in REQUIRED_CODES]
    assert present == REQUIRED_CODES


def test_every_code_has_one_bit_and_a_message():
    assert sorted(BITS.values()) == [1 << n for n in range(len(CATALOGUE))]
    assert all(MESSAGES[code] for code in CATALOGUE)


def test_masks_and_reasons_round_trip():
    codes = (ReasonCode.PRODUCT_UNKNOWN, ReasonCode.POSITION_LIMIT)
    assert reasons_from_mask(mask_from_reasons(["POSITION_LIMIT", "PRODUCT_UNKNOWN"])) == codes


def test_the_readme_documents_every_code():
    readme = (Path(engine.__file__).parent / "README.md").read_text()
    assert all(f"`{code.value}`" in readme for code in CATALOGUE)


def test_the_eu_has_27_member_states():
    assert len(EU_MEMBER_STATES) == 27
    assert "GR" in EU_MEMBER_STATES and "GB" not in EU_MEMBER_STATES


def test_the_engine_imports_no_django():
    package = Path(engine.__file__).parent
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [alias.name for alias in node.names] + [getattr(node, "module", None) or ""]
                assert not any(name.split(".")[0] == "django" for name in names), path


# ---------------------------------------------------------------------------- input formats


def test_a_snapshot_builds_from_plain_dicts():
    snap = Snapshot.build(
        version=3,
        products=[
            {
                "symbol": SYMBOL,
                "contract_size": 100,
                "lot_size": 5,
                "minimum_order": 10,
                "position_limit": 0,
                "delivery_start": datetime(2026, 9, 1, tzinfo=UTC),
                "constraints": [{"jurisdiction": "DE", "allowed_categories": ["retail"]}],
            }
        ],
        investors=[
            {
                "reference": "INV-0001",
                "category": "retail",
                "residence": "DE",
                "kyc_status": "approved",
                "kyc_expires_at": None,
                "sanctions": "clear",
                "appropriateness_passed": [SYMBOL],
                "acknowledged_disclosures": [],
                "order_notional_limit": None,
                "positions": {SYMBOL: 3},
            }
        ],
        listings=[{"product": SYMBOL, "venue": "XEUR", "status": "listed", "effective_from": 0}],
    )
    assert snap.evaluate(order(), NOW).eligible
    assert snap.version == 3


def test_index_lookups_for_columnar_callers():
    snap = snapshot()
    assert snap.investor_indices(["INV-0001", "nobody"]).tolist() == [0, -1]
    assert snap.product_indices([SYMBOL, "nope"]).tolist() == [0, -1]
    assert snap.venue_indices(["XEUR", "XLON"]).tolist() == [0, -1]
    assert dict(snap.investor_index) == {"INV-0001": 0}
    assert dict(snap.product_index) == {SYMBOL: 0}
    assert dict(snap.venue_index) == {"XEUR": 0}


def test_positions_and_assessments_for_products_outside_the_snapshot_are_ignored():
    snap = snapshot(
        investors=[investor(positions={"GONE-FWD": 5}, appropriateness_passed=frozenset({SYMBOL, "GONE-FWD"}))]
    )
    assert snap.evaluate(order(), NOW).eligible


# ---------------------------------------------------------------------------- immutability


@pytest.mark.parametrize("reference", [b"INV-9", 7, None])
def test_an_investor_reference_must_be_text(reference):
    with pytest.raises(TypeError, match="must be a str"):
        snapshot(investors=[investor(reference=reference), investor()])


def test_a_snapshot_cannot_be_changed():
    snap = snapshot()
    with pytest.raises(AttributeError):
        snap.version = 43
    with pytest.raises(AttributeError):
        del snap.columns
    with pytest.raises(TypeError):
        snap.investor_index["INV-X"] = 1  # type: ignore[index]
    with pytest.raises(ValueError):
        snap.columns.investor_mask[0] = 0


# ---------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"lot_size": 0}, "lot_size"),
        ({"minimum_order": -1}, "minimum_order"),
        ({"position_limit": -1}, "position_limit"),
        ({"contract_size": 0.0}, "contract_size"),
        ({"constraints": (DistributionConstraint("DE"), DistributionConstraint("DE"))}, "per jurisdiction"),
        ({"constraints": (DistributionConstraint("Germany"),)}, "jurisdiction"),
        ({"constraints": (DistributionConstraint("DE", allowed_categories=frozenset({"vip"})),)}, "categories"),
    ],
)
def test_inconsistent_products_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        snapshot(products=[product(**changes)])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"category": "vip"}, "category"),
        ({"sanctions": "maybe"}, "sanctions"),
        ({"residence": "EU"}, "residence"),
        ({"residence": "de"}, "residence"),
        ({"order_notional_limit": -1.0}, "order_notional_limit"),
        ({"positions": {SYMBOL: 2**63}}, "position"),
    ],
)
def test_inconsistent_investors_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        snapshot(investors=[investor(**changes)])


def test_duplicates_are_refused():
    with pytest.raises(ValueError, match="duplicate investor"):
        snapshot(investors=[investor(), investor()])
    with pytest.raises(ValueError, match="duplicate product"):
        snapshot(products=[product(), product()])
    with pytest.raises(ValueError, match="duplicate listing"):
        snapshot(listings=[listing(), listing()])


def test_listings_must_name_a_known_product_and_status():
    with pytest.raises(ValueError, match="unknown product"):
        snapshot(listings=[listing(product="NOPE")])
    with pytest.raises(ValueError, match="status"):
        snapshot(listings=[listing(status="delisted")])


def test_timestamps_are_epoch_ints_or_aware_datetimes():
    with pytest.raises(ValueError, match="naive"):
        snapshot(products=[product(delivery_start=datetime(2026, 9, 1))])  # noqa: DTZ001
    with pytest.raises(TypeError):
        snapshot(products=[product(delivery_start=1.5)])


def test_a_build_leaves_the_garbage_collector_as_it_found_it():
    assert gc.isenabled()
    snapshot()
    assert gc.isenabled()
    gc.disable()
    try:
        snapshot()
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(ValueError):
        snapshot(investors=[investor(), investor()])  # duplicate reference
    assert gc.isenabled()


def test_a_used_snapshot_is_freed_without_the_cyclic_collector():
    # Web processes freeze each installed snapshot out of the collector's reach (holder.py),
    # which is only safe while a snapshot holds no reference cycles.
    snap = snapshot(investors=[investor(), investor(reference="INV-2", category="retail")])
    snap.evaluate(order(), NOW)
    snap.evaluate(order(investor="INV-2", quantity=-1), NOW)
    snap.evaluate_orders([order()._asdict()], now=NOW)
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what the collector finds unreachable stays in gc.garbage
    try:
        del snap
        gc.collect()
        leaked = [thing for thing in gc.garbage if isinstance(thing, Snapshot)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert leaked == []
