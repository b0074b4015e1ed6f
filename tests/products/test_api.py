import json

import pytest
from rest_framework.test import APIClient

from products import services
from products.models import ComputeProduct
from tests.factories import IssuerFactory, UserFactory, VenueFactory, product_terms

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def body(issuer, **overrides):
    terms = product_terms(**overrides)
    return json.loads(json.dumps({**terms, "issuer": issuer.lei}, default=str))


@pytest.fixture
def product(issuer_user, issuer):
    return services.product_create(actor=issuer_user, issuer=issuer, **product_terms())


@pytest.fixture
def other_issuer_user(db):
    return UserFactory(role="issuer", issuer=IssuerFactory())


def test_anonymous_request_gets_a_json_401_or_403():
    response = api().get("/api/v1/products/")
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "not_authenticated"


def test_issuer_creates_a_product(issuer_user, issuer):
    response = api(issuer_user).post("/api/v1/products/", body(issuer), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["symbol"] == "H100-TEST"
    assert response.json()["terms_version"] == 1


def test_cross_field_rule_gives_a_field_level_error_and_writes_nothing(issuer_user, issuer):
    response = api(issuer_user).post("/api/v1/products/", body(issuer, lot_size=10, minimum_order=15), format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["minimum_order"] == ["The minimum order must be a multiple of the lot size (10)."]
    assert not ComputeProduct.objects.exists()


def test_unknown_currency_gives_a_field_level_error(issuer_user, issuer):
    response = api(issuer_user).post("/api/v1/products/", body(issuer, settlement_currency="XYZ"), format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["settlement_currency"] == ["XYZ is not an ISO 4217 currency code."]


def test_wrong_types_are_a_400_not_a_500(issuer_user, issuer):
    bad = body(issuer, lot_size="many", delivery_sites="nowhere")
    response = api(issuer_user).post("/api/v1/products/", bad, format="json")
    assert response.status_code == 400
    assert {"lot_size", "delivery_sites"} <= set(response.json()["errors"])


def test_malformed_json_is_a_400(issuer_user):
    response = api(issuer_user).post("/api/v1/products/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_issuer_cannot_file_for_another_issuer(issuer_user):
    other = IssuerFactory()
    response = api(issuer_user).post("/api/v1/products/", body(other), format="json")
    assert response.status_code == 403


def test_issuer_gets_404_for_another_issuers_product(product, other_issuer_user):
    assert api(other_issuer_user).get(f"/api/v1/products/{product.symbol}/").status_code == 404


def test_issuer_lists_only_its_own_products(product, other_issuer_user):
    response = api(other_issuer_user).get("/api/v1/products/")
    assert response.json()["results"] == []


def test_issuer_cannot_edit_another_issuers_draft(product, other_issuer_user):
    response = api(other_issuer_user).patch(f"/api/v1/products/{product.symbol}/", {"lot_size": 5}, format="json")
    assert response.status_code == 404


def test_auditor_reads_every_product(product, auditor):
    response = api(auditor).get(f"/api/v1/products/{product.symbol}/")
    assert response.status_code == 200
    assert response.json()["sla_availability_pct"] == "99.500"


def test_auditor_cannot_create(auditor, issuer):
    assert api(auditor).post("/api/v1/products/", body(issuer), format="json").status_code == 403


def test_patch_updates_a_draft_and_bumps_the_terms_version(product, issuer_user):
    response = api(issuer_user).patch(
        f"/api/v1/products/{product.symbol}/", {"sla_availability_pct": "99.9"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["terms_version"] == 2


def test_application_lifecycle_through_the_api(product, issuer_user, officer, second_officer):
    VenueFactory()
    created = api(issuer_user).post("/api/v1/applications/", {"product": product.symbol}, format="json")
    assert created.status_code == 201
    app_id = created.json()["id"]
    submitted = api(issuer_user).post(f"/api/v1/applications/{app_id}/submit/", {}, format="json")
    assert submitted.json()["state"] == "submitted"
    services.application_start_checks(application_id=app_id)
    services.application_complete_checks(application_id=app_id)
    first = api(officer).post(f"/api/v1/applications/{app_id}/approve/", {"rationale": "ok"}, format="json")
    assert first.json()["state"] == "in_review"
    second = api(second_officer).post(f"/api/v1/applications/{app_id}/approve/", {"rationale": "ok"}, format="json")
    assert second.json()["state"] == "approved"
    assert [a["officer"] for a in second.json()["approvals"]] == [officer.username, second_officer.username]
    listed = api(officer).post(f"/api/v1/applications/{app_id}/list/", {"rationale": "live"}, format="json")
    assert listed.json()["state"] == "listed"
    listings = api(officer).get("/api/v1/listings/").json()["results"]
    assert listings[0]["venue"] == "XCME"


def test_illegal_transition_is_a_409_with_a_code(product, issuer_user, officer):
    app = services.application_create(actor=issuer_user, product=product)
    response = api(officer).post(f"/api/v1/applications/{app.pk}/approve/", {"rationale": "x"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    assert "draft" in response.json()["detail"]


def test_missing_rationale_is_a_field_error(product, issuer_user, officer):
    app = services.application_create(actor=issuer_user, product=product)
    services.application_submit(application=app, actor=issuer_user, run_checks=False)
    services.application_start_checks(application_id=app.pk)
    services.application_complete_checks(application_id=app.pk)
    response = api(officer).post(f"/api/v1/applications/{app.pk}/reject/", {}, format="json")
    assert response.status_code == 400
    assert "rationale" in response.json()["errors"]


def test_a_number_as_the_rationale_is_a_field_error_and_changes_nothing(product, issuer_user, officer):
    # Found by a randomized schemathesis run: {"rationale": -11381} used to be stored as "-11381".
    app = services.application_create(actor=issuer_user, product=product)
    services.application_submit(application=app, actor=issuer_user, run_checks=False)
    services.application_start_checks(application_id=app.pk)
    services.application_complete_checks(application_id=app.pk)
    response = api(officer).post(f"/api/v1/applications/{app.pk}/reject/", {"rationale": -11381}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"rationale": ["Not a valid string."]}
    app.refresh_from_db()
    assert app.state == "in_review"


def test_issuer_gets_404_for_another_issuers_application(product, issuer_user, other_issuer_user):
    app = services.application_create(actor=issuer_user, product=product)
    assert api(other_issuer_user).get(f"/api/v1/applications/{app.pk}/").status_code == 404


def test_venues_are_readable_with_their_mic(issuer_user):
    VenueFactory()
    assert api(issuer_user).get("/api/v1/venues/").json()["results"][0]["mic"] == "XCME"


def test_schema_and_docs_are_served(officer, client):
    client.force_login(officer)
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


def test_session_auth_api_write_requires_csrf(issuer_user, issuer):
    client = APIClient(enforce_csrf_checks=True)
    client.login(username=issuer_user.username, password="correct-horse-battery")
    response = client.post("/api/v1/products/", body(issuer), format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_token_auth_works(issuer_user):
    from knox.models import AuthToken

    _, token = AuthToken.objects.create(issuer_user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/products/").status_code == 200


def test_a_revoked_token_is_refused(issuer_user):
    from knox.models import AuthToken

    from accounts.services import user_api_token_revoke

    instance, token = AuthToken.objects.create(issuer_user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    user_api_token_revoke(actor="system:test", token=instance)
    refused = client.get("/api/v1/products/")
    assert refused.status_code == 403 and refused.json()["detail"] == "Invalid token."


def test_nul_byte_in_the_issuer_lei_is_a_400_not_a_500(issuer_user, issuer):
    response = api(issuer_user).post("/api/v1/products/", {**body(issuer), "issuer": "\x00"}, format="json")
    assert response.status_code == 400
    assert "issuer" in response.json()["errors"]


@pytest.fixture
def stuck_application(product, issuer_user):
    """Submitted while the task queue was down: no check task ever ran."""
    application = services.application_create(actor=issuer_user, product=product)
    return services.application_submit(application=application, actor=issuer_user, run_checks=False)


def test_an_officer_requeues_the_checks_of_a_stuck_application(
    stuck_application, officer, monkeypatch, django_capture_on_commit_callbacks
):
    from products import tasks

    queued = []
    monkeypatch.setattr(tasks.application_run_checks, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        response = api(officer).post(f"/api/v1/applications/{stuck_application.pk}/rerun-checks/")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "submitted"
    assert queued == [stuck_application.pk]


def test_the_issuer_gets_a_json_403_for_requeueing_checks(stuck_application, issuer_user):
    response = api(issuer_user).post(f"/api/v1/applications/{stuck_application.pk}/rerun-checks/")
    assert response.status_code == 403
    assert response.json()["code"] == "not_permitted"


def test_requeueing_checks_of_an_application_in_another_state_is_a_409(product, issuer_user, officer):
    application = services.application_create(actor=issuer_user, product=product)
    response = api(officer).post(f"/api/v1/applications/{application.pk}/rerun-checks/")
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
