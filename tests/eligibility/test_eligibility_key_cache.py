"""The in-process API key cache: bounded, never filled by unknown keys, and revocation still bites."""

import secrets
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from compliance.eligibility import selectors, services
from compliance.eligibility.engine import ListingSpec, ProductSpec, Snapshot
from compliance.eligibility.models import ApiKey
from tests.eligibility.eligibility_support import api_key, install, key_client, order

pytestmark = pytest.mark.usefixtures("screening")

LIMIT = 20


@pytest.fixture(autouse=True)
def caching(settings, screening):
    """Cache keys for a minute in a small cache (the screening fixture turns caching off)."""
    install(
        Snapshot.build(
            version=1,
            products=[ProductSpec("H100-TEST", 100.0, 10, 20, 0, datetime(2099, 1, 1, tzinfo=UTC))],
            investors=[],
            listings=[ListingSpec("H100-TEST", "XCME", "listed", datetime(2026, 1, 1, tzinfo=UTC))],
        )
    )
    settings.ELIGIBILITY_API_KEY_CACHE_SECONDS = 60
    settings.ELIGIBILITY_API_KEY_CACHE_ENTRIES = LIMIT


def random_key() -> str:
    return f"{services.KEY_PREFIX}{secrets.token_hex(4)}{secrets.token_urlsafe(32)}"


def identify(key: str):
    return selectors.api_key_identity(key[: services.PREFIX_LENGTH], services.hash_key(key))


def flood(count: int) -> None:
    for _ in range(count):
        assert identify(random_key()) is None


def test_unknown_keys_do_not_grow_the_cache():
    flood(10 * LIMIT)
    assert len(selectors._keys) <= LIMIT


def test_unknown_keys_over_the_api_do_not_grow_the_cache():
    for _ in range(3 * LIMIT):
        assert key_client(random_key()).post("/api/v1/screenings", order(), format="json").status_code == 401
    assert len(selectors._keys) <= LIMIT


def test_a_known_key_stays_cached_after_many_unknown_keys(django_assert_num_queries):
    row, key = api_key("XCME")
    assert identify(key).id == row.pk  # loads and caches it
    flood(10 * LIMIT)
    assert len(selectors._keys) <= LIMIT
    with django_assert_num_queries(0):
        assert identify(key).id == row.pk


def test_the_least_recently_used_key_is_dropped_first(django_assert_num_queries):
    first, first_key = api_key("XCME")
    assert identify(first_key).id == first.pk
    others = [services.api_key_create(actor="system:test", venue=first.venue) for _ in range(LIMIT)]
    for row, key in others[:-1]:
        assert identify(key).id == row.pk
    assert identify(first_key).id == first.pk  # used again: now the most recent
    last, last_key = others[-1]
    assert identify(last_key).id == last.pk  # one over the limit: drops the least recently used
    assert len(selectors._keys) == LIMIT
    with django_assert_num_queries(0):
        assert identify(first_key).id == first.pk
        assert identify(last_key).id == last.pk
    with django_assert_num_queries(1):
        assert identify(others[0][1]).id == others[0][0].pk  # the one dropped: read again


def test_revocation_in_this_process_takes_effect_at_once_in_a_full_cache(django_capture_on_commit_callbacks):
    row, key = api_key("XCME")
    client = key_client(key)
    assert client.post("/api/v1/screenings", order(), format="json").status_code == 200
    flood(10 * LIMIT)
    with django_capture_on_commit_callbacks(execute=True):
        services.api_key_revoke(actor="system:test", api_key=row, rationale="leaked")
    response = client.post("/api/v1/screenings", order(), format="json")
    assert response.status_code == 401 and "revoked" in response.json()["detail"]
    assert len(selectors._keys) <= LIMIT


def test_revocation_elsewhere_takes_effect_within_the_cache_seconds(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(selectors, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    row, key = api_key("XCME")
    client = key_client(key)
    assert client.post("/api/v1/screenings", order(), format="json").status_code == 200
    flood(10 * LIMIT)
    # Another process revokes: this one's cache is not told.
    ApiKey.objects.filter(pk=row.pk).update(revoked_at=timezone.now())
    clock[0] += 59
    assert client.post("/api/v1/screenings", order(), format="json").status_code == 200
    clock[0] += 2
    response = client.post("/api/v1/screenings", order(), format="json")
    assert response.status_code == 401 and "revoked" in response.json()["detail"]
    assert len(selectors._keys) <= LIMIT


def test_a_look_up_racing_a_revocation_does_not_cache_the_stale_key(monkeypatch):
    row, key = api_key("XCME")
    prefix = key[: services.PREFIX_LENGTH]
    load = selectors._load

    def load_then_revoked(wanted):
        identity = load(wanted)  # read while the key is still active ...
        ApiKey.objects.filter(pk=row.pk).update(revoked_at=timezone.now())
        selectors.forget_cached_key(wanted)  # ... and the revocation commits before it is cached
        return identity

    monkeypatch.setattr(selectors, "_load", load_then_revoked)
    assert identify(key).active  # this request was already under way
    monkeypatch.setattr(selectors, "_load", load)
    assert prefix not in selectors._keys
    assert not identify(key).active
