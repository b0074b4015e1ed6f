"""The snapshot version: a counter row in the database, mirrored in the cache.

Why a row and not only a cache key: it works with every cache backend. With Redis the cache is
shared, so a bump written there reaches every web process without a query; the embedded
local-memory cache is private to one process, so there the version is read from the row (one
primary-key SELECT per check interval, see ``holder.py``). Bumps run after the changing
transaction commits, so a process that sees the new number also sees the new data.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F

from compliance.eligibility.models import SnapshotVersion
from config.cache import CACHE_UNAVAILABLE

log = logging.getLogger(__name__)

CACHE_KEY = "eligibility:snapshot-version"


def cache_is_shared() -> bool:
    """True when every process reads the same cache (anything but the local-memory backend)."""
    backend = settings.CACHES["default"]["BACKEND"]
    return not backend.endswith(("locmem.LocMemCache", "dummy.DummyCache"))


def _cache_ttl() -> int:
    # Two bumps that race may write their numbers to the cache in the wrong order; the entry
    # expires soon, and the next read takes the row's value, so a stale number cannot stick.
    return settings.ELIGIBILITY_VERSION_CACHE_SECONDS


def read_version_from_db() -> int:
    value = SnapshotVersion.objects.filter(pk=1).values_list("value", flat=True).first()
    return value if value is not None else 0


def current_version() -> int:
    """The latest committed version: from the shared cache when there is one, else the row."""
    if not cache_is_shared():
        return read_version_from_db()
    try:
        value = cache.get(CACHE_KEY)
    except CACHE_UNAVAILABLE:
        return read_version_from_db()  # the row is the truth; the cache only spares the query
    if value is not None:
        return value
    value = read_version_from_db()
    try:
        cache.set(CACHE_KEY, value, _cache_ttl())
    except CACHE_UNAVAILABLE:
        pass
    return value


def bump_now() -> int:
    """Increment the counter (F() keeps concurrent bumps from losing one) and publish it."""
    with transaction.atomic():
        updated = SnapshotVersion.objects.filter(pk=1).update(value=F("value") + 1)
        if not updated:
            # The row goes missing only when a test flushes the tables; start again above zero.
            SnapshotVersion.objects.get_or_create(pk=1, defaults={"value": 2})
        value = read_version_from_db()
    if cache_is_shared():
        try:
            cache.set(CACHE_KEY, value, _cache_ttl())
        except CACHE_UNAVAILABLE:
            # The row holds the bump; readers fall back to it while the cache is away, and a
            # stale cached number expires within ELIGIBILITY_VERSION_CACHE_SECONDS.
            log.warning("snapshot version %s not published: the cache is unavailable", value)
    return value


class _PendingBump:
    """One bump queued on a transaction; ``done`` once it ran."""

    __slots__ = ("done",)

    def __init__(self):
        self.done = False

    def __call__(self):
        self.done = True
        bump_now()


def bump_on_commit() -> None:
    """Bump once after the current transaction commits (immediately outside a transaction).

    Many rows change in one service call (a suspension touches every listing of a product, an
    import thousands of positions); one bump per transaction is enough, so a bump already
    queued on this transaction and not yet run is reused.
    """
    if connection.in_atomic_block:
        for entry in connection.run_on_commit:
            if isinstance(entry[1], _PendingBump) and not entry[1].done:
                return
    transaction.on_commit(_PendingBump())
