"""Single-order evaluation: one behaviour per test, every reason code.

Each test also runs the order through both batch entry points (``decide`` asserts they agree),
so every rule below is pinned for the single and the columnar path alike.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from eligibility_engine_builders import (
    DAY,
    DISCLOSURE_DE,
    DISCLOSURE_EU,
    GERMANY,
    INVESTOR,
    NOW,
    SYMBOL,
    VENUE,
    batch_masks,
    investor,
    listing,
    order,
    product,
    snapshot,
)

from compliance.eligibility.engine import (
    MAX_ORDER_QUANTITY,
    DistributionConstraint,
    Order,
    ReasonCode,
    Snapshot,
)


def decide(snap: Snapshot, the_order: Order, now: int = NOW) -> list[str]:
    decision = snap.evaluate(the_order, now)
    if isinstance(the_order.quantity, int) and not isinstance(the_order.quantity, bool):
        from_dicts, columnar = batch_masks(snap, [the_order], now)
        assert from_dicts == columnar == [decision.mask]
    else:
        assert snap.evaluate_orders([the_order._asdict()], now=now).masks.tolist() == [decision.mask]
    return [code.value for code in decision.reasons]


# ---------------------------------------------------------------------------- baseline


def test_the_baseline_order_is_eligible():
    decision = snapshot().evaluate(order(), NOW)
    assert decision.eligible
    assert decision.reasons == ()
    assert decision.snapshot_version == 42


def test_a_sell_of_an_eligible_order_is_eligible():
    assert decide(snapshot(), order(side="sell")) == []


def test_the_clock_is_read_when_now_is_omitted():
    # The baseline's KYC expires in a year and delivery starts in 30 days after NOW; with the
    # real clock both are far in the past or future, so only check that a decision comes back.
    assert snapshot().evaluate(order()).snapshot_version == 42


# ---------------------------------------------------------------------------- references


def test_unknown_investor():
    assert decide(snapshot(), order(investor="INV-NOBODY")) == ["INVESTOR_UNKNOWN"]


def test_unknown_investor_still_reports_product_and_order_reasons():
    closed = snapshot(products=[product(delivery_start=NOW - DAY)])
    assert decide(closed, order(investor="INV-NOBODY", quantity=7)) == [
        "INVESTOR_UNKNOWN",
        "TRADING_CLOSED",
        "LOT_SIZE_MISMATCH",
        "BELOW_MINIMUM_ORDER",
    ]


def test_unknown_investor_is_not_held_to_the_position_limit():
    # The position is unknown, so the limit is not evaluated (INVESTOR_UNKNOWN already rejects).
    assert decide(snapshot(), order(investor="INV-NOBODY", quantity=5_000)) == ["INVESTOR_UNKNOWN"]


def test_unknown_product():
    assert decide(snapshot(), order(product="NOPE-FWD")) == ["PRODUCT_UNKNOWN"]


def test_unknown_product_still_reports_investor_and_order_reasons():
    snap = snapshot(investors=[investor(kyc_status="pending", sanctions="open_hit")])
    assert decide(snap, order(product="NOPE-FWD", quantity=0)) == [
        "PRODUCT_UNKNOWN",
        "KYC_NOT_APPROVED",
        "SANCTIONS_REVIEW_PENDING",
        "QUANTITY_INVALID",
    ]


# ---------------------------------------------------------------------------- listing and window


def test_not_listed_on_the_venue():
    assert decide(snapshot(), order(venue="XLON")) == ["NOT_LISTED_ON_VENUE"]


def test_unknown_venue_is_not_listed():
    snap = snapshot(listings=[])
    assert decide(snap, order(venue="XXXX")) == ["NOT_LISTED_ON_VENUE"]


def test_listing_suspended():
    assert decide(snapshot(listings=[listing(status="suspended")]), order()) == ["LISTING_SUSPENDED"]


def test_trading_closed_once_delivery_starts():
    snap = snapshot(products=[product(delivery_start=NOW)])
    assert decide(snap, order()) == ["TRADING_CLOSED"]


def test_trading_open_until_the_second_before_delivery():
    snap = snapshot(products=[product(delivery_start=NOW + 1)])
    assert decide(snap, order()) == []


def test_trading_closed_before_the_listing_is_effective():
    snap = snapshot(listings=[listing(effective_from=NOW + 1)])
    assert decide(snap, order()) == ["TRADING_CLOSED"]


def test_trading_open_from_the_effective_second():
    assert decide(snapshot(listings=[listing(effective_from=NOW)]), order()) == []


# ---------------------------------------------------------------------------- investor standing


def test_kyc_not_approved():
    assert decide(snapshot(investors=[investor(kyc_status="in_review")]), order()) == ["KYC_NOT_APPROVED"]


def test_kyc_expired_at_the_expiry_second():
    assert decide(snapshot(investors=[investor(kyc_expires_at=NOW)]), order()) == ["KYC_EXPIRED"]


def test_kyc_without_expiry_never_expires():
    assert decide(snapshot(investors=[investor(kyc_expires_at=None)]), order()) == []


def test_sanctions_confirmed():
    assert decide(snapshot(investors=[investor(sanctions="confirmed")]), order()) == ["SANCTIONS_CONFIRMED"]


def test_sanctions_review_pending():
    assert decide(snapshot(investors=[investor(sanctions="open_hit")]), order()) == ["SANCTIONS_REVIEW_PENDING"]


# ---------------------------------------------------------------------------- distribution


def test_jurisdiction_blocked():
    blocked = DistributionConstraint(
        "DE",
        blocked=True,
        allowed_categories=frozenset({"retail"}),
    )
    assert decide(snapshot(products=[product(constraints=(blocked,))]), order()) == ["JURISDICTION_BLOCKED"]


def test_not_offered_in_the_jurisdiction_is_blocked():
    assert decide(snapshot(investors=[investor(residence="US")]), order()) == ["JURISDICTION_BLOCKED"]


def test_category_not_permitted():
    professional_only = DistributionConstraint("DE", allowed_categories=frozenset({"professional"}))
    snap = snapshot(products=[product(constraints=(professional_only,))])
    assert decide(snap, order()) == ["CATEGORY_NOT_PERMITTED"]


def test_appropriateness_required():
    snap = snapshot(investors=[investor(appropriateness_passed=frozenset())])
    assert decide(snap, order()) == ["APPROPRIATENESS_REQUIRED"]


def test_appropriateness_is_assessed_per_product():
    snap = snapshot(investors=[investor(appropriateness_passed=frozenset({"OTHER-FWD"}))])
    assert decide(snap, order()) == ["APPROPRIATENESS_REQUIRED"]


def test_appropriateness_passed_for_all_products():
    snap = snapshot(investors=[investor(appropriateness_passed=frozenset(), appropriateness_all=True)])
    assert decide(snap, order()) == []


def test_a_failed_product_assessment_prevails_over_the_global_pass():
    failed = investor(
        appropriateness_passed=frozenset(), appropriateness_all=True, appropriateness_failed=frozenset({SYMBOL})
    )
    snap = snapshot(investors=[failed])
    assert decide(snap, order()) == ["APPROPRIATENESS_REQUIRED"]
    from_dicts, columns = batch_masks(snap, [order()], NOW)
    assert from_dicts == columns == [snap.evaluate(order(), NOW).mask]


def test_appropriateness_not_required_needs_no_assessment():
    relaxed = DistributionConstraint("DE", allowed_categories=frozenset({"retail"}))
    snap = snapshot(
        products=[product(constraints=(relaxed,))], investors=[investor(appropriateness_passed=frozenset())]
    )
    assert decide(snap, order()) == []


def test_disclosure_not_acknowledged():
    snap = snapshot(investors=[investor(acknowledged_disclosures=frozenset())])
    assert decide(snap, order()) == ["DISCLOSURE_NOT_ACKNOWLEDGED"]


def test_an_outdated_disclosure_version_does_not_count():
    snap = snapshot(investors=[investor(acknowledged_disclosures=frozenset({f"{SYMBOL}/DE/v1"}))])
    assert decide(snap, order()) == ["DISCLOSURE_NOT_ACKNOWLEDGED"]


def test_a_required_but_unpublished_disclosure_cannot_be_acknowledged():
    unpublished = DistributionConstraint(
        "DE", allowed_categories=frozenset({"retail"}), disclosure_acknowledgement_required=True
    )
    snap = snapshot(products=[product(constraints=(unpublished,))])
    assert decide(snap, order()) == ["DISCLOSURE_NOT_ACKNOWLEDGED"]


def test_an_eu_resident_matches_constraints_filed_under_eu():
    eu_only = DistributionConstraint("EU", allowed_categories=frozenset({"retail"}))
    snap = snapshot(products=[product(constraints=(eu_only,))], investors=[investor(residence="FR")])
    assert decide(snap, order()) == []


def test_a_non_eu_resident_does_not_match_eu_constraints():
    eu_only = DistributionConstraint("EU", allowed_categories=frozenset({"retail"}))
    snap = snapshot(products=[product(constraints=(eu_only,))], investors=[investor(residence="CH")])
    assert decide(snap, order()) == ["JURISDICTION_BLOCKED"]


def test_an_eu_resident_is_held_to_both_the_national_and_the_eu_constraints():
    eu = DistributionConstraint(
        "EU",
        allowed_categories=frozenset({"professional"}),
        disclosure_acknowledgement_required=True,
        current_disclosure=DISCLOSURE_EU,
    )
    snap = snapshot(products=[product(constraints=(GERMANY, eu))])
    assert decide(snap, order()) == ["CATEGORY_NOT_PERMITTED", "DISCLOSURE_NOT_ACKNOWLEDGED"]


def test_both_disclosures_acknowledged_satisfy_the_national_and_eu_requirement():
    eu = DistributionConstraint(
        "EU",
        allowed_categories=frozenset({"retail"}),
        disclosure_acknowledgement_required=True,
        current_disclosure=DISCLOSURE_EU,
    )
    snap = snapshot(
        products=[product(constraints=(GERMANY, eu))],
        investors=[investor(acknowledged_disclosures=frozenset({DISCLOSURE_DE, DISCLOSURE_EU}))],
    )
    assert decide(snap, order()) == []


# ---------------------------------------------------------------------------- the order


@pytest.mark.parametrize("quantity", [0, -5, MAX_ORDER_QUANTITY + 5])
def test_quantity_invalid_skips_the_size_checks(quantity):
    assert decide(snapshot(), order(quantity=quantity)) == ["QUANTITY_INVALID"]


@pytest.mark.parametrize("quantity", [20.0, True, "20", None])
def test_a_quantity_that_is_not_an_int_is_invalid(quantity):
    assert decide(snapshot(), order(quantity=quantity)) == ["QUANTITY_INVALID"]


def test_side_invalid():
    assert decide(snapshot(), order(side="short")) == ["SIDE_INVALID"]


@pytest.mark.parametrize("price", [0, -1.5, float("nan"), float("inf"), "abc", None])
def test_price_invalid(price):
    assert decide(snapshot(), order(price=price)) == ["PRICE_INVALID"]


def test_decimal_and_string_prices_are_accepted():
    assert decide(snapshot(), order(price=Decimal("2.50"))) == []
    assert decide(snapshot(), order(price="2.5")) == []


def test_lot_size_mismatch():
    assert decide(snapshot(), order(quantity=22)) == ["LOT_SIZE_MISMATCH"]


def test_below_minimum_order():
    assert decide(snapshot(), order(quantity=5)) == ["BELOW_MINIMUM_ORDER"]


def test_order_notional_limit():
    # 20 contracts x 100 GPU-hours x 50.01 = 100,020 > 100,000.
    assert decide(snapshot(), order(price=50.01)) == ["ORDER_NOTIONAL_LIMIT"]


def test_order_notional_exactly_at_the_limit_is_allowed():
    # 20 x 100 x 50 = 100,000: the limit is inclusive.
    assert decide(snapshot(), order(price=50)) == []


def test_no_notional_limit_set():
    snap = snapshot(investors=[investor(order_notional_limit=None)])
    assert decide(snap, order(price=1e9)) == []


def test_position_limit_on_a_buy():
    # 900 held + 105 bought > 1,000.
    assert decide(snapshot(), order(quantity=105)) == ["POSITION_LIMIT"]


def test_position_limit_reached_exactly_is_allowed():
    assert decide(snapshot(), order(quantity=100)) == []


def test_sells_are_not_held_to_the_position_limit():
    assert decide(snapshot(), order(side="sell", quantity=105)) == []


def test_no_position_limit_set():
    snap = snapshot(products=[product(position_limit=0)])
    assert decide(snap, order(quantity=10_000, price=0.01)) == []


def test_a_short_position_leaves_more_room_to_buy():
    # -300 held: a buy of 1,300 ends exactly at the 1,000 limit, 1,305 beyond it.
    snap = snapshot(investors=[investor(positions={SYMBOL: -300})])
    assert decide(snap, order(quantity=1_300, price=0.01)) == []
    assert decide(snap, order(quantity=1_305, price=0.01)) == ["POSITION_LIMIT"]


def test_an_investor_without_a_position_starts_from_zero():
    snap = snapshot(investors=[investor(positions={})])
    assert decide(snap, order(quantity=1_000, price=0.01)) == []
    assert decide(snap, order(quantity=1_005, price=0.01)) == ["POSITION_LIMIT"]


# ---------------------------------------------------------------------------- several at once


def test_every_failing_reason_is_reported_in_catalogue_order():
    snap = snapshot(
        products=[product(delivery_start=NOW - DAY)],
        investors=[
            investor(
                kyc_status="rejected",
                kyc_expires_at=NOW - DAY,
                sanctions="confirmed",
                appropriateness_passed=frozenset(),
                acknowledged_disclosures=frozenset(),
                order_notional_limit=10.0,
            )
        ],
        listings=[listing(status="suspended")],
    )
    assert decide(snap, order(quantity=1_003, price=1.0, side="buy")) == [
        "LISTING_SUSPENDED",
        "TRADING_CLOSED",
        "KYC_NOT_APPROVED",
        "KYC_EXPIRED",
        "SANCTIONS_CONFIRMED",
        "APPROPRIATENESS_REQUIRED",
        "DISCLOSURE_NOT_ACKNOWLEDGED",
        "LOT_SIZE_MISMATCH",
        "ORDER_NOTIONAL_LIMIT",
        "POSITION_LIMIT",
    ]


def test_both_references_unknown_and_a_malformed_order():
    assert decide(snapshot(), order(investor="?", product="?", venue="?", side="", quantity=-1, price=0)) == [
        "INVESTOR_UNKNOWN",
        "PRODUCT_UNKNOWN",
        "QUANTITY_INVALID",
        "SIDE_INVALID",
        "PRICE_INVALID",
    ]


# ---------------------------------------------------------------------------- decisions


def test_equal_rejections_share_one_decision_object():
    snap = snapshot()
    assert snap.evaluate(order(quantity=22), NOW) is snap.evaluate(order(quantity=27), NOW)


def test_decision_as_api_payload():
    payload = snapshot().evaluate(order(quantity=22), NOW).as_dict("ORD-9")
    assert payload == {
        "client_order_id": "ORD-9",
        "eligible": False,
        "reasons": [{"code": "LOT_SIZE_MISMATCH", "message": ReasonCode.LOT_SIZE_MISMATCH.message}],
        "snapshot_version": 42,
    }


def test_an_order_may_be_any_sequence_of_the_order_fields():
    assert snapshot().evaluate(("ORD-1", INVESTOR, SYMBOL, VENUE, "buy", 22, 2.5), NOW).reasons == (
        ReasonCode.LOT_SIZE_MISMATCH,
    )
