"""Who may file or correct delivery figures from the web: compliance officers only. The provider
reports through its key; the issuer is the party being measured, so its users read the figures
but never file them (a report of theirs would clear their own SLA breaches, credits and
suspension)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from compliance.audit.models import AuditEvent
from config.errors import NotPermitted
from delivery import services
from delivery.models import DeliveryReport, DeliveryReportRevision
from tests.delivery.delivery_helpers import WINDOW_START, hourly

HEADER = "granularity,period_start,scheduled_gpu_hours,delivered_gpu_hours,availability_pct,benchmark_pct\n"
# The provider's figure for the first hour of the window, and a "correction" to 100 %.
CORRECTION = HEADER + "hour,2026-01-01T00:00:00Z,100,100,100,99\n"
# An hour nobody has reported yet.
NEW_PERIOD = HEADER + "hour,2026-01-01T05:00:00Z,100,100,100,99\n"


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr("delivery.tasks.evaluate_product.delay", lambda product_id: None)


@pytest.fixture
def reported(listed_product, provider_key):
    """Two hours reported by the product's provider through its key, at 93.735 % availability."""
    key, _ = provider_key
    services.delivery_reports_ingest(
        items=hourly(listed_product.symbol, WINDOW_START, 2, availability="93.735", delivered="93"),
        actor=f"provider:{key.prefix}",
        scope=services.provider_scope(key),
        source="api",
    )
    return listed_product


def upload(client, product, text):
    url = f"/delivery/products/{product.symbol}/upload/"
    return client.post(url, {"file": SimpleUploadedFile("r.csv", text.encode(), content_type="text/csv")})


def snapshot():
    return (
        list(
            DeliveryReport.objects.order_by("pk").values_list(
                "pk", "availability_pct", "delivered_gpu_hours", "revision", "source", "received_at"
            )
        ),
        DeliveryReportRevision.objects.count(),
        AuditEvent.objects.filter(action="delivery_report.ingest").count(),
    )


def test_an_issuer_users_correction_of_the_providers_figures_is_refused_and_changes_nothing(client, reported):
    before = snapshot()
    client.force_login(reported.issuer_user)
    response = upload(client, reported, CORRECTION)
    assert response.status_code == 404
    assert snapshot() == before
    report = DeliveryReport.objects.get(product=reported, period_start=WINDOW_START)
    assert (float(report.availability_pct), report.revision, report.source) == (93.735, 1, "api")


def test_an_issuer_user_cannot_file_a_period_nobody_has_reported(client, reported):
    before = snapshot()
    client.force_login(reported.issuer_user)
    response = upload(client, reported, NEW_PERIOD)
    assert response.status_code == 404
    assert snapshot() == before


def test_an_issuer_user_is_not_served_the_upload_page(client, listed_product):
    client.force_login(listed_product.issuer_user)
    assert client.get(f"/delivery/products/{listed_product.symbol}/upload/").status_code == 404


def test_the_service_refuses_an_issuer_user_before_reading_the_file(reported):
    before = snapshot()
    with pytest.raises(NotPermitted):
        services.delivery_reports_upload_csv(actor=reported.issuer_user, product=reported, text=CORRECTION)
    # Refused before the file is read: an empty or broken file gets the same answer, not its errors.
    with pytest.raises(NotPermitted):
        services.delivery_reports_upload_csv(actor=reported.issuer_user, product=reported, text=HEADER)
    assert snapshot() == before


def test_the_upload_form_is_not_shown_to_issuer_users(client, officer, listed_product):
    link = f'href="/delivery/products/{listed_product.symbol}/upload/"'
    client.force_login(listed_product.issuer_user)
    page = client.get(f"/products/{listed_product.symbol}/")
    assert page.status_code == 200 and "Delivery assurance" in page.content.decode()
    assert link not in page.content.decode()
    client.force_login(officer)
    assert link in client.get(f"/products/{listed_product.symbol}/").content.decode()


def test_an_officers_correction_still_replaces_the_providers_figure_and_keeps_its_history(client, officer, reported):
    client.force_login(officer)
    response = upload(client, reported, CORRECTION)
    assert response.status_code == 302
    report = DeliveryReport.objects.get(product=reported, period_start=WINDOW_START)
    assert (float(report.availability_pct), report.revision, report.source) == (100.0, 2, "csv")
    old = DeliveryReportRevision.objects.get(report=report)
    assert (float(old.availability_pct), old.revision, old.source) == (93.735, 1, "api")
    event = AuditEvent.objects.filter(action="delivery_report.ingest").latest("id")
    assert event.actor_id == officer.pk and event.after["corrections"][0]["revision"] == 2
