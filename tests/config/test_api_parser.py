"""The API's JSON parser: a body nested past the recursion limit is malformed JSON, a 400."""

import pytest
from rest_framework.test import APIClient

from products.models import Issuer

pytestmark = pytest.mark.django_db


def post_issuer_body(officer, body: bytes):
    client = APIClient()
    client.force_authenticate(officer)
    return client.generic("POST", "/api/v1/issuers/", body, content_type="application/json")


def post_legal_name_nested(officer, depth: int):
    return post_issuer_body(officer, b'{"legal_name": ' + b"[" * depth + b"]" * depth + b"}")


def test_a_deeply_nested_body_is_a_400_and_writes_nothing(officer):
    response = post_legal_name_nested(officer, 100_000)

    assert response.status_code == 400
    assert response.json() == {
        "code": "parse_error",
        "detail": "JSON parse error - the document is nested too deeply.",
    }
    assert not Issuer.objects.exists()


def test_nesting_within_the_limit_still_reaches_the_serializer(officer):
    response = post_legal_name_nested(officer, 100)

    assert response.status_code == 400
    assert "legal_name" in response.json()["errors"]


def test_a_body_over_the_limit_is_a_413_and_writes_nothing(officer, settings):
    settings.ATTEST_API_MAX_BODY_BYTES = 1_000
    body = b'{"legal_name": "' + b"x" * 1_000 + b'"}'

    response = post_issuer_body(officer, body)

    assert response.status_code == 413
    assert response.json() == {"code": "payload_too_large", "detail": "The body may be at most 1000 bytes."}
    assert not Issuer.objects.exists()


def test_a_chunked_body_is_a_411_not_an_empty_body(officer):
    client = APIClient()
    client.force_authenticate(officer)
    response = client.generic(
        "POST",
        "/api/v1/issuers/",
        b'{"legal_name": "x"}',
        content_type="application/json",
        HTTP_TRANSFER_ENCODING="chunked",
    )

    assert response.status_code == 411
    assert response.json()["code"] == "length_required"
    assert not Issuer.objects.exists()


def test_a_body_at_the_limit_is_read(officer, settings):
    body = b'{"legal_name": "' + b"x" * 500 + b'"}'
    settings.ATTEST_API_MAX_BODY_BYTES = len(body)

    response = post_issuer_body(officer, body)

    assert response.status_code == 400 and "legal_name" in response.json()["errors"]  # too long a name


def test_the_schema_documents_the_413_of_every_operation_with_a_body(officer):
    client = APIClient()
    client.force_authenticate(officer)
    paths = client.get("/api/schema/?format=json").json()["paths"]
    with_body = [op for ops in paths.values() for op in ops.values() if isinstance(op, dict) and "requestBody" in op]

    assert with_body and all("413" in op["responses"] for op in with_body)
