"""Personal API tokens: issued once, stored as digests only, revoked on the record."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from knox.models import AuthToken
from rest_framework.test import APIClient

from compliance.audit.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def issue(username, *args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("create_api_token", username, *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_a_token_is_printed_once_and_stored_only_as_a_digest():
    officer = UserFactory(role="officer")
    token = issue(officer.username)
    stored = AuthToken.objects.get(user=officer)
    assert token not in (stored.digest, stored.token_key) and stored.digest != token
    assert stored.token_key == token[: len(stored.token_key)]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/products/").status_code == 200


def test_issuing_a_token_is_on_the_audit_trail_without_the_token():
    officer = UserFactory(role="officer")
    token = issue(officer.username, "--days", "7")
    event = AuditEvent.objects.get(action="api_token.create", object_id=str(officer.pk))
    stored = AuthToken.objects.get(user=officer)
    assert event.after["token_key"] == stored.token_key == token[: len(stored.token_key)]
    assert token not in str(event.after)


def test_a_token_lives_as_long_as_asked_within_limits():
    officer = UserFactory(role="officer")
    with pytest.raises(CommandError, match="1 to 366 days"):
        issue(officer.username, "--days", "400")
    with pytest.raises(CommandError, match="No user"):
        issue("nobody")


def test_an_admin_revokes_a_token_in_the_admin_on_the_record():
    officer = UserFactory(role="officer")
    token = issue(officer.username)
    admin_user = UserFactory(role="admin", is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(admin_user)
    stored = AuthToken.objects.get(user=officer)
    response = browser.post("/admin/knox/authtoken/", {"action": "revoke", "_selected_action": [stored.pk]})
    assert response.status_code == 302
    assert not AuthToken.objects.filter(user=officer).exists()
    assert AuditEvent.objects.filter(action="api_token.revoke", actor_label=admin_user.username).exists()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    refused = client.get("/api/v1/products/")
    # 403, not 401: session authentication comes first and sends no WWW-Authenticate challenge.
    assert refused.status_code == 403 and refused.json()["detail"] == "Invalid token."


def test_the_admin_does_not_mint_tokens():
    browser = Client()
    browser.force_login(UserFactory(role="admin", is_staff=True, is_superuser=True))
    assert browser.get("/admin/knox/authtoken/add/").status_code == 403
