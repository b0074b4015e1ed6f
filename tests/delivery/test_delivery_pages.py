"""The product page's delivery panel (SVG charts, incidents, disclosure prompt), the officers'
overview, incident pages and the issuer's notifications."""

import pytest

from delivery import services
from delivery.models import Incident
from tests.delivery.delivery_helpers import WINDOW_START, hourly


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr("delivery.tasks.evaluate_product.delay", lambda product_id: None)


@pytest.fixture
def breached(listed_product):
    reports = hourly(listed_product.symbol, WINDOW_START, 72, availability="98.5", delivered="98.5")
    services.delivery_reports_ingest(items=reports, actor="system:test", scope=lambda p: None, source="api")
    services.product_evaluate(product_id=listed_product.pk)
    return listed_product


def test_the_product_page_shows_charts_incidents_and_the_disclosure_prompt(client, officer, breached):
    client.force_login(officer)
    body = client.get(f"/products/{breached.symbol}/").content.decode()
    assert body.count("<svg") >= 2 and "SLA 99.5 %" in body
    assert "Disclosure update required" in body
    assert "Availability below SLA" in body


def test_the_issuer_sees_the_notification_badge_and_list(client, breached):
    client.force_login(breached.issuer_user)
    body = client.get("/delivery/notifications/").content.decode()
    assert 'class="badge"' in body and "delivery incident opened" in body
    client.post("/delivery/notifications/")
    assert 'class="badge"' not in client.get("/delivery/notifications/").content.decode()


def test_officers_see_the_overview_and_issuers_do_not(client, officer, breached):
    client.force_login(officer)
    body = client.get("/delivery/").content.decode()
    assert breached.symbol in body and "<svg" in body
    client.force_login(breached.issuer_user)
    assert client.get("/delivery/").status_code == 404


def test_an_officer_resolves_an_incident_from_its_page(client, officer, breached):
    incident = Incident.objects.get(kind="availability")
    client.force_login(officer)
    assert client.get(f"/delivery/incidents/{incident.pk}/").status_code == 200
    client.post(f"/delivery/incidents/{incident.pk}/resolve/", {"rationale": "Credits paid."})
    incident.refresh_from_db()
    assert incident.status == "resolved"
