"""The API's JSON parser: a body nested past the recursion limit is malformed JSON, a 400."""

import pytest
from rest_framework.test import APIClient

from products.models import Issuer

pytestmark = pytest.mark.django_db


def post_legal_name_nested(officer, depth: int):
    client = APIClient()
    client.force_authenticate(officer)
    body = b'{"legal_name": ' + b"[" * depth + b"]" * depth + b"}"
    return client.generic("POST", "/api/v1/issuers/", body, content_type="application/json")


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
