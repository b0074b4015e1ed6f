"""Reads of the eligibility app: API key look-up and the decisions a caller may see."""

from __future__ import annotations

import hmac
import threading
import time
from collections import OrderedDict
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


# prefix -> (valid until, monotonic seconds; KeyIdentity), least recently used first.
# Caching spares the hot path a query per request; revocation in another process takes effect
# within ELIGIBILITY_API_KEY_CACHE_SECONDS, and at once in the process that revoked.
# Only keys that exist are cached, at most ELIGIBILITY_API_KEY_CACHE_ENTRIES of them (the least
# recently used is dropped first). An unknown prefix is never cached: random keys from an
# unauthenticated client would never repeat, so caching them saves nothing and would let them
# fill the cache and push out the venues' keys; its look-up is one query on a unique column.
_keys: OrderedDict[str, tuple[float, KeyIdentity]] = OrderedDict()
_keys_lock = threading.Lock()
# Bumped by every forget: a look-up that started before a revocation does not cache what it read.
_generation = 0


def forget_cached_key(prefix: str) -> None:
    global _generation
    with _keys_lock:
        _generation += 1
        _keys.pop(prefix, None)


def forget_cached_keys() -> None:
    global _generation
    with _keys_lock:
        _generation += 1
        _keys.clear()


def cached_key_count() -> int:
    """How many keys this process holds in its cache (for tests and monitoring)."""
    with _keys_lock:
        return len(_keys)


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


def _cached(prefix: str, now: float) -> tuple[KeyIdentity | None, int]:
    """The cached identity (None when absent or expired) and the generation it was read in."""
    with _keys_lock:
        entry = _keys.get(prefix)
        if entry is None:
            return None, _generation
        if entry[0] < now:
            del _keys[prefix]
            return None, _generation
        _keys.move_to_end(prefix)
        return entry[1], _generation


def _remember(identity: KeyIdentity, *, now: float, generation: int) -> None:
    ttl = settings.ELIGIBILITY_API_KEY_CACHE_SECONDS
    limit = settings.ELIGIBILITY_API_KEY_CACHE_ENTRIES
    if ttl <= 0 or limit <= 0:
        return
    with _keys_lock:
        if generation != _generation:
            return  # forgotten while we read it: the next request reads it again
        _keys[identity.prefix] = (now + ttl, identity)
        _keys.move_to_end(identity.prefix)
        while len(_keys) > limit:
            _keys.popitem(last=False)


def api_key_identity(prefix: str, key_hash: str) -> KeyIdentity | None:
    """The key with this prefix if its stored hash equals ``key_hash`` (compared in constant time)."""
    now = time.monotonic()
    identity, generation = _cached(prefix, now)
    if identity is None:
        identity = _load(prefix)
        if identity is not None:
            _remember(identity, now=now, generation=generation)
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
