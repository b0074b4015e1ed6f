"""CSV upload in the UI (compliance officers): whole file or nothing, errors by line number. Who
may upload is in test_delivery_upload_scope.py."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from delivery.models import DeliveryReport
from tests.factories import UserFactory

HEADER = "granularity,period_start,scheduled_gpu_hours,delivered_gpu_hours,availability_pct,benchmark_pct\n"


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr("delivery.tasks.evaluate_product.delay", lambda product_id: None)


def upload(client, product, text):
    url = f"/delivery/products/{product.symbol}/upload/"
    return client.post(url, {"file": SimpleUploadedFile("r.csv", text.encode(), content_type="text/csv")})


def refused_page(client, product, text) -> str:
    """Upload `text` as a compliance officer; the form comes back and nothing is imported."""
    client.force_login(UserFactory(role="officer"))
    response = upload(client, product, text)
    assert response.status_code == 200 and not DeliveryReport.objects.exists()
    return response.content.decode()


def test_a_valid_file_is_imported(client, officer, listed_product):
    client.force_login(officer)
    text = HEADER + "hour,2026-01-01T00:00:00Z,100,99,99.9,97\nday,2026-01-02T00:00:00Z,2400,2400,100,\n"
    response = upload(client, listed_product, text)
    assert response.status_code == 302
    assert DeliveryReport.objects.filter(product=listed_product, source="csv").count() == 2


def test_errors_are_reported_by_line_and_nothing_is_imported(client, officer, listed_product):
    client.force_login(officer)
    text = (
        HEADER
        + "hour,2026-01-01T00:00:00Z,100,99,99.9,97\n"  # line 2: fine
        + "hour,2026-01-01T01:00:00,100,99,99.9,97\n"  # line 3: no time zone
        + "hour,2026-01-01T02:00:00Z,100,120,99.9,97\n"  # line 4: delivered above scheduled
        + "week,2026-01-01T03:00:00Z,100,99,abc,97\n"  # line 5: granularity and availability
    )
    response = upload(client, listed_product, text)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Line 3: period_start: Give the time zone" in body
    assert "Line 4: delivered_gpu_hours" in body
    assert "Line 5: granularity" in body and "availability_pct: Give a number." in body
    assert "Line 2" not in body
    assert not DeliveryReport.objects.exists()


def test_another_issuers_user_cannot_upload(client, listed_product):
    from tests.factories import IssuerFactory

    client.force_login(UserFactory(role="issuer", issuer=IssuerFactory()))
    response = upload(client, listed_product, HEADER + "hour,2026-01-01T00:00:00Z,100,99,99.9,97\n")
    assert response.status_code == 404 and not DeliveryReport.objects.exists()


def test_a_period_start_outside_the_years_2000_to_2100_is_reported_by_line(client, listed_product):
    text = HEADER + "hour,2026-01-01T00:00:00Z,100,99,99.9,97\nhour,9999-12-31T23:00:00Z,100,99,99.9,97\n"
    assert "Line 3: period_start: Give a date between the years 2000 and 2100." in refused_page(
        client, listed_product, text
    )


def test_a_field_beyond_the_csv_readers_limit_is_a_file_error(client, listed_product):
    text = HEADER + "hour,2026-01-01T00:00:00Z,100,99,99.9,97\n" + 'hour,"' + "x" * 200_000 + '",100,99,99.9,97\n'
    assert "File: Line 3 is not readable CSV (field larger than field limit" in refused_page(
        client, listed_product, text
    )


def test_the_number_of_queries_does_not_grow_with_the_reports(officer, listed_product):
    # The uploader's right to report is checked once per product, not per report: it was a query
    # per report (20,000 hourly reports took 19 s to upload, now under 1 s).
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from delivery import services

    def queries(hours: int) -> int:
        rows = "".join(f"hour,2026-01-01T{h:02d}:00:00Z,100,99,99.9,97\n" for h in range(hours))
        with CaptureQueriesContext(connection) as captured:
            services.delivery_reports_upload_csv(actor=officer, product=listed_product, text=HEADER + rows)
        return len(captured)

    assert queries(2) == queries(20)


def test_a_line_with_more_values_than_the_header_is_a_file_error(client, listed_product):
    text = HEADER + "hour,2026-01-01T00:00:00Z,100,99,99.9,97\nhour,2026-01-01T01:00:00Z,100,99,99.9,97,12\n"
    assert "File: Line 3 has more values than the header has columns." in refused_page(client, listed_product, text)


def test_a_column_named_twice_in_the_header_is_a_file_error(client, listed_product):
    text = "granularity," + HEADER + "day,hour,2026-01-01T00:00:00Z,100,99,99.9,97\n"
    assert "File: The header names granularity more than once." in refused_page(client, listed_product, text)


def test_a_daily_period_that_does_not_start_at_midnight_is_reported_by_line(client, listed_product):
    assert "Line 2: period_start: A daily period starts at midnight UTC" in refused_page(
        client, listed_product, HEADER + "day,2026-01-01T05:00:00Z,100,99,99.9,97\n"
    )
