"""The API keys page refuses a malformed form with a message on the page, never a 500."""

import pytest
from django.test import Client

from compliance.eligibility import services
from compliance.eligibility.models import ApiKey
from tests.factories import UserFactory, VenueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return UserFactory(role="admin")


@pytest.fixture
def venue():
    return VenueFactory()


@pytest.fixture
def api_key(admin, venue):
    api_key, _ = services.api_key_create(actor=admin, venue=venue)
    return api_key


def logged_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def post(user, data):
    return logged_in(user).post("/dashboard/api-keys/", data, follow=True)


@pytest.mark.parametrize("value", ["abc", "²", "", "999999"])
def test_creating_a_key_for_a_venue_that_is_not_one_is_refused_with_a_message(admin, venue, value):
    response = post(admin, {"action": "create", "venue": value})
    assert response.status_code == 200
    assert "Choose a venue from the list." in response.content.decode()
    assert not ApiKey.objects.exists()


def test_a_holder_name_longer_than_its_column_is_refused_with_a_message(admin, venue):
    response = post(admin, {"action": "create", "venue": venue.pk, "name": "x" * 121})
    assert response.status_code == 200
    assert "at most 120 characters" in response.content.decode()
    assert not ApiKey.objects.exists()


def test_a_valid_create_shows_the_new_key_once(admin, venue):
    response = logged_in(admin).post("/dashboard/api-keys/", {"action": "create", "venue": venue.pk, "name": "Desk"})
    assert response.status_code == 200
    api_key = ApiKey.objects.get()
    assert (api_key.venue, api_key.name) == (venue, "Desk")
    assert "copy it now" in response.content.decode()


@pytest.mark.parametrize("action", ["rotate", "revoke"])
@pytest.mark.parametrize("value", ["abc", "²", "", "999999"])
def test_rotating_or_revoking_a_key_that_is_not_one_is_refused_with_a_message(admin, api_key, action, value):
    response = post(admin, {"action": action, "key": value, "rationale": "compromised"})
    assert response.status_code == 200
    assert "Choose a key from the list." in response.content.decode()
    api_key.refresh_from_db()
    assert api_key.revoked_at is None


def test_revoking_without_a_reason_is_refused_with_a_message(admin, api_key):
    response = post(admin, {"action": "revoke", "key": api_key.pk, "rationale": "  "})
    assert "A reason is required to rotate or revoke a key." in response.content.decode()
    api_key.refresh_from_db()
    assert api_key.revoked_at is None


def test_a_valid_revoke_revokes_the_key(admin, api_key):
    response = post(admin, {"action": "revoke", "key": api_key.pk, "rationale": "compromised"})
    assert "revoked; it stops working now" in response.content.decode()
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None


def test_an_unknown_action_is_a_404(admin):
    assert logged_in(admin).post("/dashboard/api-keys/", {"action": "explode"}).status_code == 404
