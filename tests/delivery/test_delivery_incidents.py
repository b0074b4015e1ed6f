"""Evaluation opens, updates and clears incidents (one open per product and kind), officers
work them, and a critical breach suspends the listing when the product's policy says so."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from compliance.audit.models import AuditEvent
from config.errors import NotPermitted
from delivery import services
from delivery.models import Incident, IncidentStatus, Notification, SlaPeriod
from products.models import ApplicationState, ComputeProduct, ListingStatus
from tests.delivery.delivery_helpers import WINDOW_START, hourly

SYSTEM = "system:test"


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr("delivery.tasks.evaluate_product.delay", lambda product_id: None)


def ingest(product, reports):
    return services.delivery_reports_ingest(items=reports, actor=SYSTEM, scope=lambda p: None, source="api")


def evaluate(product):
    return services.product_evaluate(product_id=product.pk)


def test_a_clean_product_has_periods_and_no_incident(listed_product):
    ingest(listed_product, hourly(listed_product.symbol, WINDOW_START, 48))
    result = evaluate(listed_product)
    assert result.breaches == [] and not Incident.objects.exists()
    assert SlaPeriod.objects.filter(product=listed_product, kind="day").count() == 2
    assert SlaPeriod.objects.filter(product=listed_product, kind="month").count() == 1


def test_a_breach_opens_one_incident_and_reevaluation_does_not_duplicate_it(listed_product):
    # 99.2 % against a 99.5 % SLA: 0.3 pt below -> minor.
    ingest(listed_product, hourly(listed_product.symbol, WINDOW_START, 24, availability="99.2"))
    evaluate(listed_product)
    events = AuditEvent.objects.count()
    evaluate(listed_product)
    incident = Incident.objects.get()
    assert (incident.kind, incident.severity, incident.status) == ("availability", "minor", "open")
    assert not incident.disclosure_update_required
    assert AuditEvent.objects.count() == events  # nothing changed, nothing recorded
    assert Notification.objects.filter(issuer=listed_product.issuer, incident=incident).count() == 1


def test_a_worsening_breach_escalates_the_same_incident_and_prompts_a_disclosure(listed_product):
    ingest(listed_product, hourly(listed_product.symbol, WINDOW_START, 24, availability="99.2"))
    evaluate(listed_product)
    ingest(listed_product, hourly(listed_product.symbol, WINDOW_START, 24, availability="98.5"))  # corrections
    evaluate(listed_product)
    incident = Incident.objects.get()
    assert incident.severity == "major" and incident.peak_severity == "major"
    assert incident.disclosure_update_required
    assert AuditEvent.objects.filter(action="incident.escalate", object_id=str(incident.pk)).exists()


def test_a_breach_that_clears_is_marked_but_left_for_the_officer(listed_product):
    ingest(listed_product, hourly(listed_product.symbol, WINDOW_START, 24, availability="99.2"))
    evaluate(listed_product)
    ingest(listed_product, hourly(listed_product.symbol, WINDOW_START, 24, availability="100"))
    evaluate(listed_product)
    incident = Incident.objects.get()
    assert incident.status == IncidentStatus.OPEN and incident.condition_cleared_at is not None


def test_officers_assign_annotate_and_resolve_with_audit_events(listed_product, officer, second_officer):
    ingest(listed_product, hourly(listed_product.symbol, WINDOW_START, 24, delivered="80"))
    evaluate(listed_product)
    incident = Incident.objects.get(kind="delivery_shortfall")
    assert incident.severity == "critical"  # 80 % delivered
    services.incident_assign(incident=incident, actor=officer, assignee=second_officer)
    services.incident_annotate(incident=incident, actor=second_officer, text="Provider confirms a PDU failure.")
    with pytest.raises(ValidationError):
        services.incident_resolve(incident=incident, actor=second_officer, rationale=" ")
    services.incident_resolve(incident=incident, actor=second_officer, rationale="Credits paid; capacity restored.")
    incident.refresh_from_db()
    assert incident.status == "resolved" and incident.resolved_by == second_officer
    actions = list(
        AuditEvent.objects.filter(object_id=str(incident.pk), object_type="delivery.incident").values_list(
            "action", flat=True
        )
    )
    assert actions == ["incident.open", "incident.assign", "incident.annotate", "incident.resolve"]


def test_an_issuer_user_cannot_resolve(listed_product):
    ingest(listed_product, hourly(listed_product.symbol, WINDOW_START, 24, delivered="80"))
    evaluate(listed_product)
    with pytest.raises(NotPermitted):
        services.incident_resolve(incident=Incident.objects.first(), actor=listed_product.issuer_user, rationale="x")


def test_a_resolved_incident_whose_breach_persists_reopens_as_a_new_incident(listed_product, officer):
    ingest(listed_product, hourly(listed_product.symbol, WINDOW_START, 24, availability="99.2"))
    evaluate(listed_product)
    services.incident_resolve(incident=Incident.objects.get(), actor=officer, rationale="Accepted.")
    evaluate(listed_product)
    assert Incident.objects.filter(status="open").count() == 1 and Incident.objects.count() == 2


def test_a_critical_breach_suspends_the_listing_when_the_policy_says_so(listed_product):
    services.policy_set(actor=SYSTEM, product=listed_product, auto_suspend_on_critical=True)
    ingest(listed_product, hourly(listed_product.symbol, WINDOW_START, 24, availability="95", delivered="95"))
    result = evaluate(listed_product)
    assert result.suspended
    listing = listed_product.listings.get()
    assert listing.status == ListingStatus.SUSPENDED
    application = listed_product.applications.get()
    assert application.state == ApplicationState.SUSPENDED
    event = AuditEvent.objects.get(action="application.suspend_automatically")
    assert event.actor_label == "system:delivery" and "critical delivery incident" in event.rationale
    assert Incident.objects.get(kind="availability").auto_suspended
    assert Notification.objects.filter(message__contains="suspended automatically").exists()
    assert not evaluate(listed_product).suspended  # idempotent: already suspended


def test_the_eligibility_snapshot_rejects_orders_on_the_suspended_listing(listed_product):
    snapshot = pytest.importorskip("compliance.eligibility.snapshot")
    decision_module = pytest.importorskip("compliance.eligibility.engine.decision")
    reasons = pytest.importorskip("compliance.eligibility.engine.reasons")
    services.policy_set(actor=SYSTEM, product=listed_product, auto_suspend_on_critical=True)
    ingest(listed_product, hourly(listed_product.symbol, WINDOW_START, 24, availability="95", delivered="95"))
    evaluate(listed_product)
    order = decision_module.Order("c-1", "INV-1", listed_product.symbol, "XCME", "buy", 20, 2.0)
    decision = snapshot.build_snapshot().evaluate(order)
    assert reasons.ReasonCode.LISTING_SUSPENDED in decision.reasons


def test_without_the_policy_a_critical_breach_does_not_suspend(listed_product):
    ingest(listed_product, hourly(listed_product.symbol, WINDOW_START, 24, availability="95", delivered="95"))
    assert not evaluate(listed_product).suspended
    assert listed_product.listings.get().status == ListingStatus.ACTIVE


def test_an_overdue_attestation_opens_an_incident(listed_product):
    listed_product.last_attestation_date = timezone.now().date() - timedelta(days=100)
    listed_product.save(update_fields=["last_attestation_date"])
    evaluate(listed_product)
    incident = Incident.objects.get(kind="attestation_overdue")
    assert incident.severity == "major" and incident.threshold == 90  # 10 days over the 90 allowed


def test_a_future_attestation_date_on_file_does_not_silence_the_age_check(listed_product):
    # Terms saved before future dates were refused may still hold one: it attests nothing yet.
    ComputeProduct.objects.filter(pk=listed_product.pk).update(last_attestation_date=date(2099, 1, 1))
    evaluate(listed_product)
    assert Incident.objects.filter(kind="attestation_overdue").exists()


def test_attested_capacity_below_open_positions_opens_an_incident(listed_product):
    from tests.factories import IssuerFactory  # noqa: F401 - keeps the factory registry loaded

    services.policy_set(
        actor=SYSTEM, product=listed_product, auto_suspend_on_critical=False, declared_obligation_gpu_hours=10**9
    )
    services.attestation_file(
        product=listed_product,
        filed_by="test",
        attested_on=timezone.now().date(),
        attesting_party="Audit LLP",
        attesting_role="auditor",
        sites=[{"site_id": "iad-2", "country": "US", "accelerator_model": "H100 SXM", "accelerator_count": 8}],
        evidence=[("a.txt", b"evidence")],
        actor=SYSTEM,
    )
    evaluate(listed_product)
    assert Incident.objects.filter(kind="capacity_shortfall", severity="critical").exists()
