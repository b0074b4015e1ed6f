"""The snapshot built from database state, the version bump, and the lazy rebuild."""

import gc
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from compliance.disclosures.models import DisclosureAcknowledgement, DisclosureDocument
from compliance.eligibility import holder, versioning
from compliance.eligibility.engine import Order, ReasonCode
from compliance.eligibility.snapshot import build_snapshot, disclosure_key, kyc_expiry, read_inputs
from compliance.kyc.models import AppropriatenessAssessment, Party, Position
from compliance.rules.models import JurisdictionResult, RuleRun
from products import services as product_services
from tests.eligibility.eligibility_support import api_key, investor, key_client, listed_product, order, publish

pytestmark = pytest.mark.usefixtures("screening")

R = ReasonCode
NOW = int(datetime(2026, 6, 1, tzinfo=UTC).timestamp())


def constraints(application, **by_jurisdiction):
    """A completed rule run of the application's current version with these results."""
    run = RuleRun.objects.create(
        application=application,
        version_number=application.version,
        reason="submission",
        status="completed",
        as_of=date(2026, 1, 1),
        started_at=timezone.now(),
        finished_at=timezone.now(),
    )
    for jurisdiction, fields in by_jurisdiction.items():
        JurisdictionResult.objects.create(run=run, jurisdiction=jurisdiction, status="done", **fields)
    return run


def reasons(snapshot, reference, symbol="H100-TEST", venue="XCME", side="buy", quantity=20, price="2.5"):
    decision = snapshot.evaluate(Order("c", reference, symbol, venue, side, quantity, price), NOW)
    return set(decision.reasons)


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    # Run the queued version bump, as a commit would, so later changes queue their own.
    with django_capture_on_commit_callbacks(execute=True):
        return _world()


def _world():
    product, application = listed_product("H100-TEST", ("XCME", "XEUR"), position_limit=100)
    suspended, suspended_app = listed_product("SUSP-TEST", ("XCME",), status="suspended")
    late, late_app = listed_product(
        "LATE-TEST",
        ("XCME",),
        delivery_start=datetime(2026, 3, 1, tzinfo=UTC),
        delivery_end=datetime(2026, 4, 1, tzinfo=UTC),
    )
    delisted, delisted_app = listed_product("GONE-TEST", ("XCME",), status="delisted")
    open_to_all = {"allowed_investor_categories": None}
    constraints(
        application,
        US={"allowed_investor_categories": ["professional", "accredited"]},
        DE={"allowed_investor_categories": None, "appropriateness_required": True},
        EU={"allowed_investor_categories": None, "acknowledgement_required": True},
        CN={"jurisdiction_blocked": True, "allowed_investor_categories": None},
    )
    for app in (suspended_app, late_app, delisted_app):
        constraints(app, US=open_to_all)
    eu_doc = publish(product, "EU")
    return {"product": product, "application": application, "eu_doc": eu_doc}


def test_every_reason_the_database_can_produce(world):
    product = world["product"]
    investor("OK")
    investor("PENDING", kyc_status="awaiting_review")
    investor("LAPSED", kyc_expires_on=date(2026, 5, 31))
    investor("HIT", sanctions="open_hit")
    investor("SANCTIONED", sanctions="confirmed")
    investor("CN", residence="CN")
    investor("JP", residence="JP")
    investor("RETAIL", category="retail")
    de_unassessed = investor("DE-NEW", residence="DE")
    de_ready = investor("DE-READY", residence="DE")
    de_global = investor("DE-GLOBAL", residence="DE")
    investor("CAPPED", limit=Decimal("4000"))
    holder_ = investor("HOLDER")
    at = timezone.now()
    AppropriatenessAssessment.objects.create(investor=de_ready, product=product, passed=True, assessed_at=at)
    AppropriatenessAssessment.objects.create(investor=de_global, product=None, passed=True, assessed_at=at)
    DisclosureAcknowledgement.objects.create(
        document=world["eu_doc"], investor=de_ready, channel="api", acknowledged_at=at
    )
    DisclosureAcknowledgement.objects.create(
        document=world["eu_doc"], investor=de_global, channel="web", acknowledged_at=at
    )
    Position.objects.create(investor=holder_, product=product, contracts=90)

    snapshot = build_snapshot()
    assert snapshot.version == versioning.read_version_from_db()
    assert reasons(snapshot, "OK") == set()
    assert reasons(snapshot, "NOBODY") == {R.INVESTOR_UNKNOWN}
    assert reasons(snapshot, "OK", symbol="NOPE") == {R.PRODUCT_UNKNOWN}
    assert reasons(snapshot, "OK", symbol="GONE-TEST") == {R.NOT_LISTED_ON_VENUE}
    assert reasons(snapshot, "OK", venue="XEUR") == set()
    assert reasons(snapshot, "OK", symbol="SUSP-TEST") == {R.LISTING_SUSPENDED}
    assert reasons(snapshot, "OK", symbol="LATE-TEST") == {R.TRADING_CLOSED}
    assert reasons(snapshot, "PENDING") == {R.KYC_NOT_APPROVED}
    assert reasons(snapshot, "LAPSED") == {R.KYC_EXPIRED}
    assert reasons(snapshot, "HIT") == {R.SANCTIONS_REVIEW_PENDING}
    assert reasons(snapshot, "SANCTIONED") == {R.SANCTIONS_CONFIRMED}
    assert reasons(snapshot, "CN") == {R.JURISDICTION_BLOCKED}
    assert reasons(snapshot, "JP") == {R.JURISDICTION_BLOCKED}  # not offered there
    assert reasons(snapshot, "RETAIL") == {R.CATEGORY_NOT_PERMITTED}
    assert reasons(snapshot, "DE-NEW") == {R.APPROPRIATENESS_REQUIRED, R.DISCLOSURE_NOT_ACKNOWLEDGED}
    assert reasons(snapshot, "DE-READY") == set()
    assert reasons(snapshot, "DE-GLOBAL") == set()
    assert reasons(snapshot, "OK", quantity=25) == {R.LOT_SIZE_MISMATCH}
    assert reasons(snapshot, "OK", quantity=10) == {R.BELOW_MINIMUM_ORDER}
    assert reasons(snapshot, "CAPPED", quantity=20, price="2.5") == {R.ORDER_NOTIONAL_LIMIT}  # 5,000 > 4,000
    assert reasons(snapshot, "CAPPED", quantity=10 * 2, price="2") == set()  # 4,000: inclusive
    assert reasons(snapshot, "HOLDER", quantity=20) == {R.POSITION_LIMIT}
    assert reasons(snapshot, "HOLDER", side="sell", quantity=20) == set()
    assert reasons(snapshot, "OK", price="0") == {R.PRICE_INVALID}
    assert de_unassessed.pk  # built as a row like the others


def test_a_newer_disclosure_version_needs_a_new_acknowledgement(world):
    product, eu_doc = world["product"], world["eu_doc"]
    reader = investor("READER", residence="FR")
    DisclosureAcknowledgement.objects.create(
        document=eu_doc, investor=reader, channel="api", acknowledged_at=timezone.now()
    )
    assert reasons(build_snapshot(), "READER") == set()
    newer = publish(product, "EU", version=2, status="draft")
    DisclosureDocument.objects.filter(pk=eu_doc.pk).update(status="superseded", superseded_by=newer)
    DisclosureDocument.objects.filter(pk=newer.pk).update(status="published")
    inputs = read_inputs()
    spec = next(p for p in inputs.products if p.symbol == "H100-TEST")
    assert {c.jurisdiction: c.current_disclosure for c in spec.constraints}["EU"] == disclosure_key(product.pk, "EU", 2)
    assert reasons(build_snapshot(), "READER") == {R.DISCLOSURE_NOT_ACKNOWLEDGED}


def test_a_product_level_failure_overrides_a_global_pass(world):
    product = world["product"]
    person = investor("MIXED", residence="DE")
    at = timezone.now()
    AppropriatenessAssessment.objects.create(investor=person, product=None, passed=True, assessed_at=at)
    AppropriatenessAssessment.objects.create(investor=person, product=product, passed=False, assessed_at=at)
    assert R.APPROPRIATENESS_REQUIRED in reasons(build_snapshot(), "MIXED")


def test_a_product_result_prevails_over_a_newer_global_one(world):
    product = world["product"]
    failed_first = investor("FAILED-FIRST", residence="DE")
    passed_first = investor("PASSED-FIRST", residence="DE")
    earlier = timezone.now() - timedelta(days=1)
    later = timezone.now()
    AppropriatenessAssessment.objects.create(investor=failed_first, product=product, passed=False, assessed_at=earlier)
    AppropriatenessAssessment.objects.create(investor=failed_first, product=None, passed=True, assessed_at=later)
    AppropriatenessAssessment.objects.create(investor=passed_first, product=product, passed=True, assessed_at=earlier)
    AppropriatenessAssessment.objects.create(investor=passed_first, product=None, passed=False, assessed_at=later)
    snapshot = build_snapshot()
    assert R.APPROPRIATENESS_REQUIRED in reasons(snapshot, "FAILED-FIRST")
    assert R.APPROPRIATENESS_REQUIRED not in reasons(snapshot, "PASSED-FIRST")
    spec = next(i for i in read_inputs().investors if i.reference == "FAILED-FIRST")
    assert (spec.appropriateness_all, spec.appropriateness_failed) == (True, frozenset({"H100-TEST"}))


def test_a_professional_target_market_excludes_retail_where_the_rules_do_not(world):
    open_to_all = {"allowed_investor_categories": None}
    _, professional_app = listed_product("PRO-TEST", ("XCME",), target_market="professional")
    _, retail_app = listed_product("RET-TEST", ("XCME",), target_market="retail")
    constraints(professional_app, US=open_to_all)
    constraints(retail_app, US=open_to_all)
    investor("RETAIL", category="retail")
    investor("PRO", category="professional")
    snapshot = build_snapshot()
    assert reasons(snapshot, "RETAIL", symbol="PRO-TEST") == {R.CATEGORY_NOT_PERMITTED}
    assert reasons(snapshot, "PRO", symbol="PRO-TEST") == set()
    assert reasons(snapshot, "RETAIL", symbol="RET-TEST") == set()


def test_kyc_is_valid_through_its_expiry_date():
    assert kyc_expiry(date(2026, 5, 31)) == datetime(2026, 6, 1, tzinfo=UTC)
    assert kyc_expiry(None) is None


def test_the_build_is_set_based(world):
    for i in range(5):
        investor(f"FEW-{i}")
    with CaptureQueriesContext(connection) as few:
        build_snapshot()
    for i in range(60):
        person = investor(f"MANY-{i}")
        Position.objects.create(investor=person, product=world["product"], contracts=i + 1)
        listed_product(f"P{i:03d}-TEST", ("XCME",))
    with CaptureQueriesContext(connection) as many:
        build_snapshot()
    assert len(many) == len(few) <= 12


def test_changes_bump_the_version_after_commit(world, django_capture_on_commit_callbacks):
    before = versioning.read_version_from_db()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        investor("NEW")  # two rows (party, investor) in one transaction: one bump
    assert len(callbacks) == 1
    assert versioning.read_version_from_db() == before + 1


def test_a_suspension_reaches_the_next_screening(world, django_capture_on_commit_callbacks):
    from tests.factories import UserFactory

    with django_capture_on_commit_callbacks(execute=True):
        investor("INV-1")
    _, key = api_key("XCME")
    client = key_client(key)
    first = client.post("/api/v1/screenings", order(), format="json").json()
    assert first["eligible"] is True

    with django_capture_on_commit_callbacks(execute=True):
        product_services.application_suspend(
            application=world["application"], actor=UserFactory(role="officer"), rationale="Delivery breach"
        )
    second = client.post("/api/v1/screenings", order(), format="json").json()
    assert second["snapshot_version"] > first["snapshot_version"]
    assert [r["code"] for r in second["reasons"]] == ["LISTING_SUSPENDED"]


def test_the_holder_checks_the_version_at_most_every_interval(world, settings, django_capture_on_commit_callbacks):
    settings.ELIGIBILITY_VERSION_CHECK_MS = 60_000
    first = holder.current()
    with django_capture_on_commit_callbacks(execute=True):
        investor("LATER")
    assert holder.current() is first  # within the interval: the same snapshot object
    holder._next_check = 0.0
    assert holder.current().version > first.version


def test_kyc_expiry_is_judged_at_evaluation_time(world):
    investor("SOON", kyc_expires_on=date(2026, 6, 1))
    snapshot = build_snapshot()
    assert reasons(snapshot, "SOON") == set()
    later = int((datetime(2026, 6, 2, tzinfo=UTC) + timedelta(seconds=1)).timestamp())
    decision = snapshot.evaluate(Order("c", "SOON", "H100-TEST", "XCME", "buy", 20, "2.5"), later)
    assert decision.reasons == (R.KYC_EXPIRED,)


def test_an_installed_snapshot_is_frozen_out_of_the_cyclic_collector(world):
    snapshot = holder.refresh()
    tables = snapshot._investors
    # Frozen objects are in no generation, so no collection walks them (and stalls requests).
    assert not any(thing is tables for thing in gc.get_objects())
    assert gc.get_freeze_count() > 0


def test_a_bump_without_the_cache_still_counts(world, settings, django_capture_on_commit_callbacks):
    settings.CACHES = {
        "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"},
    }
    before = versioning.read_version_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        investor("WHILE-REDIS-IS-DOWN")  # the change commits; publishing the number fails quietly
    assert versioning.read_version_from_db() == before + 1
    assert versioning.current_version() == before + 1


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_during_the_build_is_wholly_out_of_it(monkeypatch):
    from compliance.eligibility import snapshot as snapshot_module

    _, application = listed_product("H100-TEST", ("XCME",))
    constraints(application, US={"allowed_investor_categories": None})
    person = investor("TORN")
    read_disclosures = snapshot_module.current_disclosures

    def commit_a_change_midway():
        # Another connection revokes the KYC approval after the listings were read and before
        # the investors are.
        def revoke():
            Party.objects.filter(pk=person.party_id).update(kyc_status="rejected")
            connection.close()

        writer = threading.Thread(target=revoke)
        writer.start()
        writer.join()
        return read_disclosures()

    monkeypatch.setattr(snapshot_module, "current_disclosures", commit_a_change_midway)
    assert reasons(build_snapshot(), "TORN") == set()  # the state when the build began
    monkeypatch.undo()
    assert reasons(build_snapshot(), "TORN") == {R.KYC_NOT_APPROVED}
