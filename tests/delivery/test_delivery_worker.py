"""A provider's report batch reaches a real Celery worker, which evaluates the product."""

import pytest
from rest_framework.test import APIClient

from delivery import services
from delivery.models import DeliveryStatus, Incident, SlaPeriod
from tests.delivery.delivery_helpers import PROVIDER_LEI, WINDOW_START, hourly, make_listed_product
from tests.worker import wait_until

pytestmark = pytest.mark.slow


def test_ingestion_queues_an_evaluation_that_a_real_worker_runs(celery_worker_process):
    product = make_listed_product()
    _, clear = services.provider_key_create(actor="system:test", provider_lei=PROVIDER_LEI)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Provider-Key {clear}")
    reports = hourly(product.symbol, WINDOW_START, 48, availability="97", delivered="97")
    assert client.post("/api/v1/delivery-reports", {"reports": reports}, format="json").status_code == 200

    def evaluated():
        return Incident.objects.filter(product=product, kind="availability").exists()

    assert wait_until(evaluated, timeout=30), celery_worker_process.output()[-2000:]
    assert Incident.objects.get(product=product, kind="availability").severity == "critical"
    assert SlaPeriod.objects.filter(product=product, kind="day").count() == 2

    # The beat entry's task fans out to every listed product; a second evaluation is a no-op.
    from delivery.tasks import evaluate_all

    hash_before = DeliveryStatus.objects.get(product=product).result_hash
    incidents_before = Incident.objects.filter(product=product).count()  # availability and delivery
    assert evaluate_all.delay().get(timeout=30) >= 1
    assert wait_until(lambda: "evaluate_product" in celery_worker_process.output(), timeout=10)
    assert DeliveryStatus.objects.get(product=product).result_hash == hash_before
    assert Incident.objects.filter(product=product).count() == incidents_before == 2
