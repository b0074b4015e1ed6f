"""Exchange API keys: authentication, hashing at rest, venue scoping, rotation and revocation."""

import io
import json

import pytest
from django.core.management import call_command
from knox.models import AuthToken
from rest_framework.test import APIClient

from compliance.audit.models import AuditEvent
from compliance.eligibility import decision_log, services
from compliance.eligibility.models import ApiKey
from config.errors import NotPermitted
from tests.eligibility.eligibility_support import (
    api_key,
    install,
    key_client,
    one_listed_product_snapshot,
    order,
    venue,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("screening")


@pytest.fixture(autouse=True)
def snap(screening):
    install(one_listed_product_snapshot())


def test_missing_credentials_are_401():
    response = APIClient().post("/api/v1/screenings", order(), format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Api-Key")
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("header", ["Api-Key nope", "Api-Key att_0000000000000000000000000000", "Api-Key ", "Bearer x"])
def test_invalid_keys_are_401(header):
    api_key("XCME")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.post("/api/v1/screenings", order(), format="json").status_code == 401


def test_a_key_with_a_known_prefix_and_wrong_secret_is_401():
    _, key = api_key("XCME")
    forged = key[: services.PREFIX_LENGTH] + "x" * (len(key) - services.PREFIX_LENGTH)
    assert key_client(forged).post("/api/v1/screenings", order(), format="json").status_code == 401


def test_revoked_key_is_refused():
    row, key = api_key("XCME")
    client = key_client(key)
    assert client.post("/api/v1/screenings", order(), format="json").status_code == 200
    services.api_key_revoke(actor="system:test", api_key=row, rationale="leaked")
    response = client.post("/api/v1/screenings", order(), format="json")
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_a_user_token_is_not_a_screening_credential():
    _, token = AuthToken.objects.create(UserFactory(role="officer"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.post("/api/v1/screenings", order(), format="json").status_code == 401
    client.force_authenticate(UserFactory(role="officer"))
    assert client.post("/api/v1/screenings", order(), format="json").status_code == 403


def test_the_database_never_holds_the_key():
    row, key = api_key("XCME")
    stored = ApiKey.objects.values().get(pk=row.pk)
    assert key not in json.dumps(stored, default=str)
    assert key[services.PREFIX_LENGTH :] not in json.dumps(stored, default=str)
    assert stored["key_hash"] == services.hash_key(key)
    events = list(AuditEvent.objects.filter(action="api_key.create").values())
    assert len(events) == 1 and key not in json.dumps(events, default=str)


def test_rotation_replaces_the_key():
    row, key = api_key("XCME")
    new, new_key = services.api_key_rotate(actor="system:test", api_key=row)
    assert new_key != key and new.venue_id == row.venue_id
    assert key_client(key).post("/api/v1/screenings", order(), format="json").status_code == 401
    assert key_client(new_key).post("/api/v1/screenings", order(), format="json").status_code == 200
    row.refresh_from_db()
    assert row.replaced_by == new and row.revoked_at is not None
    assert AuditEvent.objects.filter(action="api_key.rotate").count() == 1


def test_only_admins_manage_keys():
    with pytest.raises(NotPermitted):
        services.api_key_create(actor=UserFactory(role="officer"), venue=venue("XCME"))
    services.api_key_create(actor=UserFactory(role="admin"), venue=venue("XCME"))


def test_a_venue_cannot_read_another_venues_decisions():
    _, cme_key = api_key("XCME")
    _, eurex_key = api_key("XEUR")
    made = key_client(cme_key).post("/api/v1/screenings", order(), format="json").json()
    decision_log.flush()
    assert key_client(cme_key).get(f"/api/v1/screenings/{made['decision_id']}").status_code == 200
    assert key_client(eurex_key).get(f"/api/v1/screenings/{made['decision_id']}").status_code == 404


def test_create_api_key_command_prints_the_key_once():
    venue("XEUR")
    out = io.StringIO()
    call_command("create_api_key", "--venue", "XEUR", "--name", "Eurex T7", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    assert key.startswith("att_")
    assert key_client(key).post("/api/v1/screenings", order(), format="json").status_code == 200
    assert ApiKey.objects.get().key_hash == services.hash_key(key)
