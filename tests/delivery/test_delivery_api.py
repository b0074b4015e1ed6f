"""Provider API: authentication by provider key, scoping to the provider's own products,
idempotency per product and period, corrections with revisions, per-item field errors."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from knox.models import AuthToken
from rest_framework.test import APIClient

from compliance.audit.models import AuditEvent
from delivery import services
from delivery.models import DeliveryReport, DeliveryReportRevision
from tests.delivery.delivery_helpers import OTHER_LEI, WINDOW_START, hourly, make_listed_product

URL = "/api/v1/delivery-reports"


def client_with(key=None, token=None):
    client = APIClient()
    if key:
        client.credentials(HTTP_AUTHORIZATION=f"Provider-Key {key}")
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def post(client, reports):
    return client.post(URL, {"reports": reports}, format="json")


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    # Evaluation is queued after commit; these tests look at ingestion only.
    monkeypatch.setattr("delivery.tasks.evaluate_product.delay", lambda product_id: None)


def test_the_command_prints_a_key_once_and_stores_only_its_hash(db):
    out = StringIO()
    call_command("create_provider_key", "--lei", OTHER_LEI, stdout=out, stderr=StringIO())
    clear = out.getvalue().strip()
    key = services.provider_key_authenticate(clear)
    assert key is not None and key.provider_lei == OTHER_LEI
    assert clear.startswith(key.prefix + ".") and clear not in key.key_hash


def test_without_a_key_the_answer_is_401(listed_product):
    response = post(client_with(), hourly(listed_product.symbol, WINDOW_START, 1))
    assert response.status_code == 401 and response.json()["code"] in ("not_authenticated", "error")


def test_a_wrong_or_revoked_key_is_refused(listed_product, provider_key):
    key, clear = provider_key
    assert post(client_with(clear + "x"), hourly(listed_product.symbol, WINDOW_START, 1)).status_code == 401
    services.provider_key_revoke(actor="system:test", key=key)
    assert post(client_with(clear), hourly(listed_product.symbol, WINDOW_START, 1)).status_code == 401


def test_an_officer_token_cannot_submit_reports(listed_product, officer):
    _, token = AuthToken.objects.create(officer)
    response = post(client_with(token=token), hourly(listed_product.symbol, WINDOW_START, 1))
    assert response.status_code == 403


def test_a_provider_reports_for_its_own_product(listed_product, provider_key):
    response = post(client_with(provider_key[1]), hourly(listed_product.symbol, WINDOW_START, 3))
    assert response.status_code == 200, response.json()
    assert response.json()["counts"] == {"created": 3, "corrected": 0, "unchanged": 0, "refused": 0}
    assert DeliveryReport.objects.filter(product=listed_product).count() == 3
    event = AuditEvent.objects.filter(action="delivery_report.ingest").get()
    assert event.actor_label == f"provider-key:{provider_key[0].prefix}"


def test_a_provider_cannot_report_for_another_providers_product(listed_product, other_provider_key):
    response = post(client_with(other_provider_key[1]), hourly(listed_product.symbol, WINDOW_START, 1))
    assert response.status_code == 207
    (item,) = response.json()["results"]
    assert item["status"] == 403 and item["outcome"] == "refused"
    assert not DeliveryReport.objects.exists()


def test_mixed_batch_stores_the_good_items_and_refuses_the_rest_one_by_one(listed_product, provider_key):
    foreign = make_listed_product(provider_lei=OTHER_LEI)
    good = hourly(listed_product.symbol, WINDOW_START, 1)
    bad = hourly(listed_product.symbol, WINDOW_START, 1, availability="101", delivered="200")
    bad[0]["period_start"] = "2026-01-01T00:30:00+00:00"
    unknown = hourly("NOPE-1", WINDOW_START, 1)
    nul = hourly("NUL\x00", WINDOW_START, 1)
    items = good + bad + unknown + hourly(foreign.symbol, WINDOW_START, 1) + nul
    response = post(client_with(provider_key[1]), items)
    assert response.status_code == 207
    results = response.json()["results"]
    assert [r["status"] for r in results] == [201, 400, 404, 403, 400]
    assert set(results[1]["errors"]) == {"period_start", "availability_pct", "delivered_gpu_hours"}
    assert DeliveryReport.objects.count() == 1


def _refused_beside_a_good_report(product, provider_key, **bad_fields):
    """Post a good report and a bad one; the bad one must be refused alone, the good one stored."""
    good = hourly(product.symbol, WINDOW_START, 1)
    bad = hourly(product.symbol, WINDOW_START + timedelta(hours=1), 1)
    bad[0].update(bad_fields)
    response = post(client_with(provider_key[1]), good + bad)
    assert response.status_code == 207, response.content
    results = response.json()["results"]
    assert [r["status"] for r in results] == [201, 400]
    assert DeliveryReport.objects.count() == 1
    return results[1]["errors"]


@pytest.mark.parametrize("granularity", [["hour"], {"hour": 1}])
def test_a_granularity_that_is_not_a_string_is_refused_with_its_own_field_error(
    listed_product, provider_key, granularity
):
    errors = _refused_beside_a_good_report(listed_product, provider_key, granularity=granularity)
    assert errors == {"granularity": ['Use "hour" or "day".']}


@pytest.mark.parametrize(
    "period_start",
    ["0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00+00:00", "1999-12-31T23:00:00+00:00", "2101-01-01T00:00:00Z"],
)
def test_a_period_start_outside_the_years_2000_to_2100_is_refused_with_its_own_field_error(
    listed_product, provider_key, period_start
):
    errors = _refused_beside_a_good_report(listed_product, provider_key, period_start=period_start)
    assert errors == {"period_start": ["Give a date between the years 2000 and 2100."]}


@pytest.mark.parametrize("value", ["1e100", 10**30, "-1e40"])
def test_a_number_too_large_to_round_is_refused_with_its_own_field_error(listed_product, provider_key, value):
    errors = _refused_beside_a_good_report(listed_product, provider_key, scheduled_gpu_hours=value)
    assert errors == {"scheduled_gpu_hours": ["Must be between 0 and 10000000000."]}


def test_resending_a_batch_changes_nothing(listed_product, provider_key):
    client = client_with(provider_key[1])
    reports = hourly(listed_product.symbol, WINDOW_START, 5)
    post(client, reports)
    events = AuditEvent.objects.count()
    response = post(client, reports)
    assert response.json()["counts"]["unchanged"] == 5
    assert DeliveryReport.objects.count() == 5 and AuditEvent.objects.count() == events


def test_a_corrected_report_replaces_the_earlier_one_and_keeps_its_history(listed_product, provider_key):
    client = client_with(provider_key[1])
    post(client, hourly(listed_product.symbol, WINDOW_START, 2, delivered="90", availability="90"))
    response = post(client, hourly(listed_product.symbol, WINDOW_START, 1, delivered="99", availability="99"))
    (item,) = response.json()["results"]
    assert item["outcome"] == "corrected" and item["revision"] == 2
    report = DeliveryReport.objects.get(product=listed_product, period_start=WINDOW_START)
    assert report.delivered_gpu_hours == 99 and report.revision == 2
    old = DeliveryReportRevision.objects.get(report=report)
    assert old.revision == 1 and old.delivered_gpu_hours == 90
    event = AuditEvent.objects.filter(action="delivery_report.ingest").latest("id")
    assert event.after["corrections"][0]["revision"] == 2


def test_out_of_order_and_in_batch_duplicates(listed_product, provider_key):
    later, earlier = hourly(listed_product.symbol, WINDOW_START, 4)[2:], hourly(listed_product.symbol, WINDOW_START, 2)
    client = client_with(provider_key[1])
    post(client, later)
    response = post(client, earlier + earlier)
    assert [r["outcome"] for r in response.json()["results"]] == ["created", "created", "unchanged", "unchanged"]
    assert DeliveryReport.objects.count() == 4


def test_reports_outside_the_window_or_not_yet_ended_are_refused(listed_product, provider_key):
    from datetime import timedelta

    from django.utils import timezone

    before = hourly(listed_product.symbol, WINDOW_START - timedelta(hours=1), 1)
    future_product = make_listed_product(delivery_end=timezone.now() + timedelta(days=30))
    # The next hour, not the current one: within CLOCK_SKEW of the top of the hour the current
    # hour counts as ended.
    next_hour = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    future = hourly(future_product.symbol, next_hour, 1)
    response = post(client_with(provider_key[1]), before + future)
    errors = [r["errors"]["period_start"][0] for r in response.json()["results"]]
    assert "Outside the delivery window" in errors[0] and "not ended" in errors[1]


def test_a_malformed_envelope_is_refused(listed_product, provider_key):
    client = client_with(provider_key[1])
    assert client.post(URL, {"reports": []}, format="json").status_code == 400
    assert client.post(URL, {"reports": "x"}, format="json").status_code == 400
    assert client.post(URL, [1, 2], format="json").status_code == 400


def test_staff_read_reports_with_a_token_and_providers_cannot(listed_product, provider_key, officer):
    post(client_with(provider_key[1]), hourly(listed_product.symbol, WINDOW_START, 2))
    _, token = AuthToken.objects.create(officer)
    response = client_with(token=token).get(URL, {"product": listed_product.symbol})
    assert response.status_code == 200 and response.json()["count"] == 2
    assert client_with(provider_key[1]).get(URL).status_code == 403


def test_an_issuer_reads_only_its_own_products_reports(listed_product, provider_key):
    other = make_listed_product()
    post(
        client_with(provider_key[1]),
        hourly(listed_product.symbol, WINDOW_START, 1) + hourly(other.symbol, WINDOW_START, 1),
    )
    client = APIClient()
    client.force_authenticate(listed_product.issuer_user)
    body = client.get(URL).json()
    assert [r["product"] for r in body["results"]] == [listed_product.symbol]


def test_a_provider_files_a_capacity_attestation_with_hashed_evidence(listed_product, provider_key):
    import base64
    import hashlib

    content = b"inventory walk-through"
    body = {
        "product": listed_product.symbol,
        "attested_on": "2026-01-15",
        "attesting_party": "Audit LLP",
        "attesting_role": "auditor",
        "sites": [{"site_id": "iad-2", "country": "US", "accelerator_model": "H100 SXM", "accelerator_count": 64}],
        "evidence": [{"filename": "walk.txt", "content_base64": base64.b64encode(content).decode()}],
    }
    response = client_with(provider_key[1]).post("/api/v1/capacity-attestations", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["accelerator_count"] == 64
    assert data["evidence"][0]["sha256"] == hashlib.sha256(content).hexdigest()
    foreign = make_listed_product(provider_lei=OTHER_LEI)
    body["product"] = foreign.symbol
    assert client_with(provider_key[1]).post("/api/v1/capacity-attestations", body, format="json").status_code == 404


def test_an_attestation_site_country_is_read_case_insensitively(listed_product, provider_key):
    body = {
        "product": listed_product.symbol,
        "attested_on": "2026-01-15",
        "attesting_party": "Audit LLP",
        "attesting_role": "auditor",
        "sites": [{"site_id": "iad-2", "country": "us", "accelerator_model": "H100 SXM", "accelerator_count": 64}],
        "evidence": [{"filename": "walk.txt", "content_base64": "aW52ZW50b3J5"}],
    }
    response = client_with(provider_key[1]).post("/api/v1/capacity-attestations", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["sites"][0]["country"] == "US"


def test_an_attestation_whose_total_overflows_the_count_column_is_refused(listed_product, provider_key):
    import base64

    from delivery.models import CapacityAttestation

    sites = [
        {"site_id": f"s{n}", "country": "US", "accelerator_model": "H100", "accelerator_count": 10_000_000}
        for n in range(215)
    ]
    body = {
        "product": listed_product.symbol,
        "attested_on": "2026-01-15",
        "attesting_party": "Audit LLP",
        "attesting_role": "auditor",
        "sites": sites,
        "evidence": [{"filename": "walk.txt", "content_base64": base64.b64encode(b"walk").decode()}],
    }
    response = client_with(provider_key[1]).post("/api/v1/capacity-attestations", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "sites": ["At most 2147483647 accelerators in all; these sites add up to 2150000000."]
    }
    assert not CapacityAttestation.objects.exists()
