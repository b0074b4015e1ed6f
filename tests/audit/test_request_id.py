import pytest

from compliance.audit.models import AuditEvent
from tests.factories import product_terms

pytestmark = pytest.mark.django_db


def test_api_write_records_the_request_id(client, issuer_user, issuer):
    client.force_login(issuer_user)
    body = {**product_terms(), "issuer": issuer.lei}
    response = client.post(
        "/api/v1/products/", body, content_type="application/json", headers={"X-Request-ID": "req-abc-123"}
    )
    assert response.status_code == 201, response.json()
    assert response["X-Request-ID"] == "req-abc-123"
    assert AuditEvent.objects.get(action="product.create").request_id == "req-abc-123"


def test_invalid_incoming_request_id_is_replaced(client, issuer_user):
    client.force_login(issuer_user)
    response = client.get("/api/v1/products/", headers={"X-Request-ID": "bad id with spaces"})
    assert response["X-Request-ID"] != "bad id with spaces"
    assert len(response["X-Request-ID"]) == 32
