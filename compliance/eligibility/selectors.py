"""Reads of the eligibility app: API key look-up and the decisions a caller may see."""

from __future__ import annotations

import hmac
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from compliance.eligibility.models import ApiKey, ScreeningDecision


@dataclass(frozen=True, slots=True)
class KeyIdentity:
    """What a request authenticated with an API key carries as ``request.auth``."""

    id: int
    prefix: str
    venue: str  # MIC
    key_hash: str
    active: bool


# prefix -> (valid until, monotonic seconds; KeyIdentity or None for "no such key").
# Caching spares the hot path a query per request; revocation in another process takes effect
# within ELIGIBILITY_API_KEY_CACHE_SECONDS, and at once in the process that revoked.
_keys: dict[str, tuple[float, KeyIdentity | None]] = {}
_keys_lock = threading.Lock()


def forget_cached_key(prefix: str) -> None:
    with _keys_lock:
        _keys.pop(prefix, None)


def forget_cached_keys() -> None:
    with _keys_lock:
        _keys.clear()


def _load(prefix: str) -> KeyIdentity | None:
    row = (
        ApiKey.objects.filter(prefix=prefix)
        .values_list("id", "venue__mic", "key_hash", "revoked_at", "venue__active")
        .first()
    )
    if row is None:
        return None
    key_id, mic, key_hash, revoked_at, venue_active = row
    return KeyIdentity(key_id, prefix, mic, key_hash, revoked_at is None and venue_active)


def api_key_identity(prefix: str, key_hash: str) -> KeyIdentity | None:
    """The key with this prefix if its stored hash equals ``key_hash`` (compared in constant time)."""
    now = time.monotonic()
    cached = _keys.get(prefix)
    if cached is None or cached[0] < now:
        identity = _load(prefix)
        with _keys_lock:
            _keys[prefix] = (now + settings.ELIGIBILITY_API_KEY_CACHE_SECONDS, identity)
    else:
        identity = cached[1]
    if identity is None:
        # Compare anyway, so an unknown prefix costs what a wrong key costs.
        hmac.compare_digest(key_hash, "0" * 64)
        return None
    if not hmac.compare_digest(key_hash, identity.key_hash):
        return None
    return identity


def decision_visible(decision_id: str, *, venue: str | None) -> ScreeningDecision | None:
    """A logged decision; ``venue`` limits it to one venue's (None: staff, any venue)."""
    decisions = ScreeningDecision.objects.filter(decision_id=decision_id)
    if venue is not None:
        decisions = decisions.filter(venue=venue)
    return decisions.first()


def decisions_for_venue(venue: str) -> QuerySet[ScreeningDecision]:
    return ScreeningDecision.objects.filter(venue=venue)


def api_keys_of_venue(venue_mic: str) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(venue__mic=venue_mic).select_related("venue")
