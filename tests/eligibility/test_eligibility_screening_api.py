"""The screening endpoints against a snapshot built directly from engine specs."""

import hashlib
import json
import time
from datetime import UTC, datetime

import pytest

from compliance.eligibility import decision_log
from compliance.eligibility.engine import (
    DistributionConstraint,
    InvestorSpec,
    ListingSpec,
    Order,
    ProductSpec,
    Snapshot,
)
from compliance.eligibility.models import ScreeningDecision
from tests.eligibility.eligibility_support import api_key, install, key_client, order, staff_client

pytestmark = pytest.mark.usefixtures("screening")

US = DistributionConstraint("US", allowed_categories=frozenset({"professional", "accredited"}))


def snapshot(version=7) -> Snapshot:
    return Snapshot.build(
        version=version,
        products=[
            ProductSpec("H100-TEST", 100.0, 10, 20, 1000, datetime(2099, 1, 1, tzinfo=UTC), (US,)),
            ProductSpec("B200-TEST", 50.0, 1, 1, 0, datetime(2099, 1, 1, tzinfo=UTC), (US,)),
        ],
        investors=[
            InvestorSpec("INV-1", "professional", "US", "approved", None, "clear", order_notional_limit=100_000.0),
            InvestorSpec("INV-2", "retail", "US", "approved", None, "open_hit"),
            InvestorSpec("INV-3", "professional", "US", "pending", None, "clear", positions={"H100-TEST": 995}),
        ],
        listings=[
            ListingSpec("H100-TEST", "XCME", "listed", datetime(2026, 1, 1, tzinfo=UTC)),
            ListingSpec("B200-TEST", "XCME", "suspended", datetime(2026, 1, 1, tzinfo=UTC)),
            ListingSpec("B200-TEST", "XEUR", "listed", datetime(2026, 1, 1, tzinfo=UTC)),
        ],
    )


@pytest.fixture
def snap():
    built = snapshot()
    install(built)
    return built


@pytest.fixture
def xcme(snap):
    _, key = api_key("XCME")
    return key_client(key)


ORDERS = [
    order("a", "INV-1", "H100-TEST", "buy", 20, "2.50"),
    order("b", "INV-1", "H100-TEST", "buy", 25, "2.50"),  # lot size
    order("c", "INV-1", "H100-TEST", "buy", 10, "2.50"),  # minimum
    order("d", "INV-1", "H100-TEST", "buy", 500, "2.50"),  # notional 125,000 > 100,000
    order("e", "INV-2", "H100-TEST", "sell", 20, "1"),  # category, sanctions pending
    order("f", "INV-3", "H100-TEST", "buy", 10, "1"),  # KYC, minimum, position
    order("g", "INV-1", "B200-TEST", "buy", 1, "3"),  # suspended on XCME
    order("h", "NOBODY", "NOPE", "buy", 1, "0"),  # unknown both, price zero
]


# Nested past the recursion limit: the JSON decoders raise RecursionError, not a decode error.
DEEP = b"[" * 100_000 + b"]" * 100_000


def engine_answer(snap, o, venue="XCME"):
    decision = snap.evaluate(
        Order(o["client_order_id"], o["investor"], o["product"], venue, o["side"], o["quantity"], o["price"])
    )
    return decision.as_dict(o["client_order_id"])


def strip(answer: dict) -> dict:
    return {k: answer[k] for k in ("client_order_id", "eligible", "reasons", "snapshot_version")}


def test_single_screenings_equal_the_engine(snap, xcme):
    for o in ORDERS:
        response = xcme.post("/api/v1/screenings", o, format="json")
        assert response.status_code == 200, response.content
        body = response.json()
        assert strip(body) == engine_answer(snap, o)
        assert body["snapshot_version"] == 7
        assert datetime.fromisoformat(body["evaluated_at"]).tzinfo is not None
        assert body["decision_id"]


def test_batch_equals_the_engine_and_the_single_path(snap, xcme):
    response = xcme.post("/api/v1/screenings/batch", {"orders": ORDERS}, format="json")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [strip(r) for r in results] == [engine_answer(snap, o) for o in ORDERS]
    assert len({r["decision_id"] for r in results}) == len(ORDERS)
    singles = [strip(xcme.post("/api/v1/screenings", o, format="json").json()) for o in ORDERS]
    assert singles == [strip(r) for r in results]


def test_the_key_venue_decides_the_listing(snap):
    _, key = api_key("XEUR")
    body = key_client(key).post("/api/v1/screenings", ORDERS[6], format="json").json()
    assert body == {**body, **engine_answer(snap, ORDERS[6], venue="XEUR")}
    assert body["eligible"] is True


def test_batch_reports_invalid_orders_in_place_and_screens_the_rest(snap, xcme):
    orders = [
        ORDERS[0],
        {**ORDERS[1], "quantity": "25"},
        {**ORDERS[2], "colour": "red"},
        {**ORDERS[3], "quantity": -5},
        42,
        {k: v for k, v in ORDERS[4].items() if k != "side"},
        ORDERS[5],
    ]
    results = xcme.post("/api/v1/screenings/batch", {"orders": orders}, format="json").json()["results"]
    assert len(results) == 7
    assert strip(results[0]) == engine_answer(snap, ORDERS[0])
    assert strip(results[6]) == engine_answer(snap, ORDERS[5])
    assert results[1] == {"client_order_id": "b", "errors": {"quantity": ["Expected `int`, got `str`"]}}
    assert results[2] == {"client_order_id": "c", "errors": {"colour": ["Unknown field."]}}
    assert results[3]["client_order_id"] == "d" and list(results[3]["errors"]) == ["quantity"]
    assert results[4]["client_order_id"] is None and "non_field_errors" in results[4]["errors"]
    assert results[5] == {"client_order_id": "e", "errors": {"side": ["This field is required."]}}


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"price": "2.5\n"}, {"price": ['A price is a decimal string such as "2.50".']}),
        ({"investor": "INV\x001"}, {"investor": ["NUL characters are not allowed."]}),
        # The fast path checks all prices in one run over them joined by ",": a "," in a
        # price must not pass as two prices.
        ({"price": "1,2"}, {"price": ['A price is a decimal string such as "2.50".']}),
        ({"price": "1,"}, {"price": ['A price is a decimal string such as "2.50".']}),
        ({"investor": " \u3000\x1c"}, {"investor": ["This field may not be blank."]}),
        ({"product": "\u2028"}, {"product": ["This field may not be blank."]}),
        ({"client_order_id": "\x85"}, {"client_order_id": ["This field may not be blank."]}),
    ],
)
def test_an_order_only_the_extra_checks_refuse_is_reported_in_place(snap, xcme, change, errors):
    # msgspec accepts these; the whole-batch fast path must fall back to the per-order checks.
    orders = [ORDERS[0], {**ORDERS[1], **change}]
    results = xcme.post("/api/v1/screenings/batch", {"orders": orders}, format="json").json()["results"]
    assert strip(results[0]) == engine_answer(snap, ORDERS[0])
    assert results[1] == {"client_order_id": orders[1]["client_order_id"], "errors": errors}


def test_oversize_batch_is_413(snap, xcme, settings):
    settings.ELIGIBILITY_MAX_BATCH = 3
    response = xcme.post("/api/v1/screenings/batch", {"orders": ORDERS[:4]}, format="json")
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_oversize_body_is_413(snap, xcme, settings):
    settings.ELIGIBILITY_MAX_BODY_BYTES = 200
    response = xcme.post("/api/v1/screenings/batch", {"orders": ORDERS}, format="json")
    assert response.status_code == 413


def test_a_full_batch_of_ten_thousand_is_accepted(snap, xcme):
    orders = [{**ORDERS[i % 8], "client_order_id": f"o-{i}"} for i in range(10_000)]
    response = xcme.post("/api/v1/screenings/batch", {"orders": orders}, format="json")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 10_000
    assert decision_log.pending() == 10_000


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{not json", "non_field_errors"),
        (b"", "non_field_errors"),
        (b"[]", "non_field_errors"),
        (json.dumps({**ORDERS[0], "quantity": 1.5}).encode(), "quantity"),
        (json.dumps({**ORDERS[0], "quantity": 0}).encode(), "quantity"),
        (json.dumps({**ORDERS[0], "quantity": 2**60}).encode(), "quantity"),
        (json.dumps({**ORDERS[0], "quantity": 10**9 + 1}).encode(), "quantity"),  # absurd
        (json.dumps({**ORDERS[0], "investor": "\x1c\x85"}).encode(), "investor"),  # whitespace to Python
        (json.dumps({**ORDERS[0], "client_order_id": "?"}).encode().replace(b"?", b"\xff"), "non_field_errors"),
        (json.dumps({**ORDERS[0], "price": "-1"}).encode(), "price"),
        (json.dumps({**ORDERS[0], "price": "2.5\n"}).encode(), "price"),
        (json.dumps({**ORDERS[0], "side": "short"}).encode(), "side"),
        (json.dumps({**ORDERS[0], "investor": "  "}).encode(), "investor"),
        (json.dumps({**ORDERS[0], "venue": "XEUR"}).encode(), "venue"),
        (json.dumps({**ORDERS[0], "client_order_id": "a\u0000b"}).encode(), "client_order_id"),
        (DEEP, "non_field_errors"),
        (b'{"a":' * 5_000 + b"1" + b"}" * 5_000, "a"),  # unknown field; its id is searched for
    ],
)
def test_invalid_single_orders_are_400_with_field_errors(snap, xcme, body, field):
    response = xcme.generic("POST", "/api/v1/screenings", body, content_type="application/json")
    assert response.status_code == 400
    payload = response.json()
    assert payload["code"] == "invalid" and payload["detail"]
    assert field in payload["errors"]


def test_an_order_that_is_not_utf8_gets_its_own_error_in_a_batch(snap, xcme):
    bad = json.dumps({**ORDERS[0], "client_order_id": "?"}).encode().replace(b"?", b"\xff")
    body = b'{"orders": [' + bad + b"," + json.dumps(ORDERS[0]).encode() + b"]}"
    response = xcme.generic("POST", "/api/v1/screenings/batch", body, content_type="application/json")
    assert response.status_code == 200
    refused, screened = response.json()["results"]
    assert refused == {
        "client_order_id": None,
        "errors": {"non_field_errors": ["Malformed JSON: the body is not UTF-8"]},
    }
    assert screened["client_order_id"] == ORDERS[0]["client_order_id"]


@pytest.mark.parametrize("path", ["/api/v1/screenings", "/api/v1/screenings/batch"])
def test_a_chunked_body_is_411_not_read_as_empty(snap, xcme, path):
    response = xcme.generic(
        "POST", path, json.dumps(ORDERS[0]), content_type="application/json", HTTP_TRANSFER_ENCODING="chunked"
    )
    assert response.status_code == 411
    assert response.json()["code"] == "length_required"


@pytest.mark.parametrize(
    "body", [b"{bad", b"[]", b'{"orders": 3}', b'{"orders": [], "more": 1}', b"", b'{"orders": ' + DEEP + b"}"]
)
def test_malformed_batches_are_400(snap, xcme, body):
    response = xcme.generic("POST", "/api/v1/screenings/batch", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_idempotency_key_returns_the_first_answer(snap, xcme):
    first = xcme.post("/api/v1/screenings", ORDERS[0], format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = xcme.post("/api/v1/screenings", ORDERS[0], format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert decision_log.pending() == 1  # screened and logged once
    other = xcme.post("/api/v1/screenings", ORDERS[1], format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    fresh = xcme.post("/api/v1/screenings", ORDERS[0], format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert fresh.json()["decision_id"] != first.json()["decision_id"]


def test_a_retry_while_the_first_is_being_answered_is_a_409_and_screens_nothing(snap, xcme, monkeypatch):
    from compliance.eligibility import api

    retries = []
    screen = api.ScreeningView.screen

    def screen_after_a_retry(self, identity, body):
        retries.append(xcme.post("/api/v1/screenings", ORDERS[0], format="json", HTTP_IDEMPOTENCY_KEY="k-race"))
        return screen(self, identity, body)

    monkeypatch.setattr(api.ScreeningView, "screen", screen_after_a_retry)
    first = xcme.post("/api/v1/screenings", ORDERS[0], format="json", HTTP_IDEMPOTENCY_KEY="k-race")
    assert first.status_code == 200
    (retry,) = retries
    assert retry.status_code == 409
    assert retry["Retry-After"] == "1"
    assert retry.json()["code"] == "idempotency_key_in_progress"
    assert decision_log.pending() == 1  # only the first was screened and logged
    monkeypatch.setattr(api.ScreeningView, "screen", screen)
    again = xcme.post("/api/v1/screenings", ORDERS[0], format="json", HTTP_IDEMPOTENCY_KEY="k-race")
    assert again.json() == first.json()


def test_a_refused_request_frees_its_idempotency_key(snap, xcme):
    invalid = xcme.post("/api/v1/screenings", {**ORDERS[0], "side": "short"}, format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    assert invalid.status_code == 400
    valid = xcme.post("/api/v1/screenings", ORDERS[0], format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    assert valid.status_code == 200
    assert "Idempotent-Replayed" not in valid


def test_a_stored_batch_answer_is_compressed(snap):
    from django.core.cache import cache

    from compliance.eligibility.services import PREFIX_LENGTH

    _, key = api_key("XCME")
    client = key_client(key)
    orders = [order(f"c-{i}", "INV-1", "H100-TEST", "buy", 20, "2.50") for i in range(2_000)]
    answer = client.post("/api/v1/screenings/batch", {"orders": orders}, format="json", HTTP_IDEMPOTENCY_KEY="k-big")
    digest = hashlib.sha256(b"k-big").hexdigest()
    _, _, stored = cache.get(f"eligibility:idem2:{key[:PREFIX_LENGTH]}:batch:{digest}")
    assert len(stored) * 5 < len(answer.content)
    replay = client.post("/api/v1/screenings/batch", {"orders": orders}, format="json", HTTP_IDEMPOTENCY_KEY="k-big")
    assert replay.content == answer.content


def test_idempotency_keys_are_per_api_key(snap, xcme):
    _, other_key = api_key("XCME")
    first = xcme.post("/api/v1/screenings", ORDERS[0], format="json", HTTP_IDEMPOTENCY_KEY="same")
    second = key_client(other_key).post("/api/v1/screenings", ORDERS[0], format="json", HTTP_IDEMPOTENCY_KEY="same")
    assert second.json()["decision_id"] != first.json()["decision_id"]


def test_rate_limit_answers_429_with_retry_after(snap, xcme, settings):
    settings.ELIGIBILITY_RATE_LIMIT = 3
    settings.ELIGIBILITY_RATE_WINDOW_SECONDS = 60
    statuses = [xcme.post("/api/v1/screenings", ORDERS[0], format="json").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = xcme.post("/api/v1/screenings/batch", {"orders": ORDERS}, format="json")
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert limited.json()["code"] == "throttled"
    _, other_key = api_key("XCME")
    assert key_client(other_key).post("/api/v1/screenings", ORDERS[0], format="json").status_code == 200


def test_a_decision_is_logged_and_retrievable(snap, xcme):
    made = xcme.post("/api/v1/screenings", ORDERS[4], format="json").json()
    assert decision_log.pending() == 1
    assert not ScreeningDecision.objects.exists()
    # A GET that misses flushes this process's buffer first.
    got = xcme.get(f"/api/v1/screenings/{made['decision_id']}")
    assert got.status_code == 200
    body = got.json()
    assert {k: body[k] for k in made} == made
    assert body | {} == {
        **made,
        "venue": "XCME",
        "investor": "INV-2",
        "product": "H100-TEST",
        "side": "sell",
        "quantity": 20,
        "price": "1",
    }
    row = ScreeningDecision.objects.get()
    assert row.reasons == [r["code"] for r in made["reasons"]]
    assert row.api_key_id is not None and row.snapshot_version == 7


def test_batch_decisions_are_logged_in_order(snap, xcme):
    results = xcme.post("/api/v1/screenings/batch", {"orders": ORDERS}, format="json").json()["results"]
    assert decision_log.flush() == len(ORDERS)
    logged = {d.decision_id: d for d in ScreeningDecision.objects.all()}
    for result, sent in zip(results, ORDERS, strict=True):
        row = logged[result["decision_id"]]
        assert (row.client_order_id, row.investor, row.quantity, row.eligible) == (
            sent["client_order_id"],
            sent["investor"],
            sent["quantity"],
            result["eligible"],
        )


def test_staff_read_any_venue_issuers_cannot(snap, xcme):
    made = xcme.post("/api/v1/screenings", ORDERS[0], format="json").json()
    decision_log.flush()
    assert staff_client("auditor").get(f"/api/v1/screenings/{made['decision_id']}").status_code == 200
    assert staff_client("officer").get(f"/api/v1/screenings/{made['decision_id']}").status_code == 200
    assert staff_client("issuer").get(f"/api/v1/screenings/{made['decision_id']}").status_code == 403


def test_unknown_decision_is_404(snap, xcme):
    assert xcme.get("/api/v1/screenings/ffffffffffff00000000").status_code == 404
    assert xcme.get("/api/v1/screenings/nonsense").status_code == 404


def test_a_decision_too_recent_to_be_logged_is_a_404_to_retry_at_once(snap, xcme, settings):
    settings.ELIGIBILITY_DECISION_LOG_FLUSH_MS = 200
    recent = decision_log.new_decision_id(int(time.time() * 1000))  # as another process would make it
    response = xcme.get(f"/api/v1/screenings/{recent}")  # answered at once, not held for the window
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert 1 <= int(response["Retry-After"]) <= 2


def test_batch_results_are_the_bytes_msgspec_makes_of_the_result_dicts():
    from compliance.eligibility.api import _encoder, batch_results_json, reason_list

    class _Order:
        def __init__(self, client_order_id):
            self.client_order_id = client_order_id

    ids = ["plain", 'quo"te', "back\\slash", "tab\tnew\nline", "ünïcødé ✓", "</script>", "\u2028"]
    masks = [0, 1 << 13, 0, (1 << 5) | (1 << 11), 1 << 19, 0, 1]
    errors = {"client_order_id": None, "errors": {"price": ["bad"]}}
    results = [None] * 3 + [errors] + [None] * 4 + [errors]
    positions = [0, 1, 2, 4, 5, 6, 7]
    at_iso = "2026-11-25T12:00:00.123456Z"
    expected = list(results)
    for i, (client_order_id, mask, position) in enumerate(zip(ids, masks, positions, strict=True)):
        expected[position] = {
            "decision_id": f"stem0123-{i}",
            "client_order_id": client_order_id,
            "eligible": not mask,
            "reasons": reason_list(mask),
            "snapshot_version": 7,
            "evaluated_at": at_iso,
        }
    content = batch_results_json(results, [_Order(i) for i in ids], positions, masks, "stem0123", 7, at_iso)
    assert content == _encoder.encode({"results": expected})


@pytest.fixture
def cache_down(settings):
    """The cache is a Redis nobody listens on: every call raises ConnectionInterrupted."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }


def test_screening_goes_on_without_the_cache(snap, xcme, cache_down):
    response = xcme.post("/api/v1/screenings", ORDERS[0], format="json")
    assert response.status_code == 200
    assert response.json()["snapshot_version"] == snap.version


def test_an_idempotency_key_without_the_cache_is_a_503_and_screens_nothing(snap, xcme, cache_down):
    response = xcme.post("/api/v1/screenings", ORDERS[0], format="json", HTTP_IDEMPOTENCY_KEY="k-down")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["code"] == "service_unavailable"
    assert decision_log.pending() == 0
