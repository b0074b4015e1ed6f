"""Rotating keys in the admin: the new key is shown once, in the response, and nowhere else."""

import json
import logging
import re

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import Client

from compliance.audit.models import AuditEvent
from compliance.eligibility import selectors, services
from compliance.eligibility.models import ApiKey
from tests.eligibility.eligibility_support import api_key, install, key_client, one_listed_product_snapshot, order
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("screening")

CHANGELIST = "/admin/eligibility/apikey/"


@pytest.fixture(autouse=True)
def snap(screening):
    install(one_listed_product_snapshot())


@pytest.fixture
def browser():
    client = Client()
    client.force_login(UserFactory(role="admin", is_staff=True, is_superuser=True))
    return client


def rotate(browser, *rows):
    return browser.post(CHANGELIST, {"action": "rotate", "_selected_action": [row.pk for row in rows]})


def shown_keys(response) -> list[str]:
    return re.findall(r'value="(att_[A-Za-z0-9_\-]+)"', response.content.decode())


def test_rotating_shows_the_new_key_once_and_it_works(browser):
    row, old_key = api_key("XCME")
    response = rotate(browser, row)
    assert response.status_code == 200
    [new_key] = shown_keys(response)
    assert new_key != old_key
    assert "copy it now" in response.content.decode()
    row.refresh_from_db()
    assert row.revoked_at is not None and row.replaced_by.key_hash == services.hash_key(new_key)
    identity = selectors.api_key_identity(new_key[: services.PREFIX_LENGTH], services.hash_key(new_key))
    assert identity is not None and identity.active and identity.venue == "XCME"
    assert key_client(new_key).post("/api/v1/screenings", order(), format="json").status_code == 200
    assert key_client(old_key).post("/api/v1/screenings", order(), format="json").status_code == 401
    assert AuditEvent.objects.filter(action="api_key.rotate").count() == 1


def test_the_new_key_is_in_no_cookie_message_or_log(browser, caplog):
    row, _ = api_key("XCME")
    with caplog.at_level(logging.DEBUG):
        response = rotate(browser, row)
    new = ApiKey.objects.get(pk=row.pk).replaced_by
    assert new is not None
    secret = new.prefix  # the new key starts with its prefix; its whole text is in no cookie either
    keys = shown_keys(response)
    for name, morsel in response.cookies.items():
        assert secret not in morsel.value and all(key not in morsel.value for key in keys)
        if name == "messages" and morsel.value:
            stored = CookieStorage(None)._decode(morsel.value) or []
            assert all(secret not in str(message) for message in stored)
    assert secret not in json.dumps(dict(browser.session.items()), default=str)
    follow = browser.get(CHANGELIST)
    assert secret.encode() not in b"".join(str(m).encode() for m in follow.context["messages"])
    assert all(key not in caplog.text for key in keys)


def test_the_page_with_the_key_is_never_cached(browser):
    row, _ = api_key("XCME")
    response = rotate(browser, row)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_refused_rotation_is_reported_beside_the_keys_that_rotated(browser):
    revoked, _ = api_key("XCME")
    services.api_key_revoke(actor="system:test", api_key=revoked, rationale="leaked")
    active, _ = api_key("XCME")
    response = rotate(browser, revoked, active)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    [new_key] = shown_keys(response)
    assert services.hash_key(new_key) == ApiKey.objects.get(pk=active.pk).replaced_by.key_hash
    assert f"Key {revoked.prefix}… is revoked" in response.content.decode()


def test_when_nothing_rotates_the_error_goes_back_to_the_list(browser):
    revoked, _ = api_key("XCME")
    services.api_key_revoke(actor="system:test", api_key=revoked, rationale="leaked")
    response = rotate(browser, revoked)
    assert response.status_code == 302
    follow = browser.get(CHANGELIST)
    assert any("is revoked" in str(message) for message in follow.context["messages"])
