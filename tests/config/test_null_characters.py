"""A NUL character in the URL path or a query parameter is refused with a 400 before any view
runs: PostgreSQL cannot store or compare text containing one, so letting it through ends in a
DataError (a 500) wherever the value reaches a query."""

import jsonschema
import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", ["/products/%00/", "/products/AB%00C/"])
def test_nul_in_a_web_path_is_a_400_page(auditor, url):
    response = logged_in(auditor).get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "url",
    [
        "/disclosures/?product=%00",
        "/audit/?object_type=%00",
        "/audit/?object_id=%00",
        "/kyc/parties/?sanctions=%00",
        "/sanctions/hits/?state=%00",
        "/applications/?q=a%00b",
    ],
)
def test_nul_in_a_web_query_value_is_a_400_page(auditor, url):
    response = logged_in(auditor).get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_nul_in_a_web_query_parameter_name_is_a_400_page(auditor):
    assert logged_in(auditor).get("/audit/?object%00type=x").status_code == 400


def test_an_encoded_percent_sign_followed_by_zeros_is_not_a_nul(auditor):
    # "%2500" is the text "%00", not a NUL character.
    assert logged_in(auditor).get("/audit/?object_type=%2500").status_code == 200


def test_nul_in_an_api_path_is_a_json_400(officer):
    response = logged_in(officer).get("/api/v1/screenings/ab%00cd")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "invalid", "detail": "Null characters are not allowed in the URL."}


def test_nul_in_an_api_query_value_is_a_json_400_naming_the_parameter(officer):
    response = logged_in(officer).get("/api/v1/rule-runs/?application=1%002")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "code": "invalid",
        "detail": "Validation failed.",
        "errors": {"application": ["Null characters are not allowed."]},
    }


def test_nul_in_an_api_query_parameter_name_is_a_json_400(officer):
    response = logged_in(officer).get("/api/v1/rule-runs/?appli%00cation=1")
    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "detail": "Null characters are not allowed in the URL."}


@pytest.mark.parametrize("url", ["/api/v1/rule-runs/?application=%00", "/api/v1/rule-runs/?a%00=1"])
def test_the_api_answer_matches_the_documented_400_body(officer, url):
    client = logged_in(officer)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    documented = schema["paths"]["/api/v1/rule-runs/"]["get"]["responses"]["400"]["content"]["application/json"]
    body = client.get(url).json()
    jsonschema.validate(body, {**documented["schema"], "components": schema["components"]})


def test_every_api_operation_documents_the_400_a_malformed_url_gets(officer):
    schema = logged_in(officer).get("/api/schema/", {"format": "json"}).json()
    undocumented = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "400" not in operation["responses"]
    ]
    assert undocumented == []
