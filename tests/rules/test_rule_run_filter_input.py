"""GET /api/v1/rule-runs/?application=…: anything but an id in ASCII digits is a 400 naming the field,
like any other malformed filter, never a 500."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

FIELD_ERROR = {
    "code": "invalid",
    "detail": "Validation failed.",
    "errors": {"application": ["Give an application id (a positive integer)."]},
}


def api(user):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("value", ["²", "1²", "٣"])
def test_an_application_filter_in_non_ascii_digits_is_a_400_field_error(officer, value):
    response = api(officer).get("/api/v1/rule-runs/", {"application": value})
    assert response.status_code == 400
    assert response.json() == FIELD_ERROR


def test_an_application_filter_in_ascii_digits_is_accepted(officer):
    response = api(officer).get("/api/v1/rule-runs/", {"application": "12"})
    assert response.status_code == 200
    assert response.json()["results"] == []
