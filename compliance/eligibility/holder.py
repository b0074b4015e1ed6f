"""The web process's current snapshot: rebuilt lazily, swapped atomically.

``current()`` is on the hot path. It returns the snapshot object the caller must use for the
whole request (one reference, so a decision never mixes two versions). At most once every
``ELIGIBILITY_VERSION_CHECK_MS`` it asks for the latest version (cache or row, see
versioning.py); when that is newer, one thread rebuilds while the others keep answering with
the snapshot they have, and the new one replaces it by a single reference assignment. Only the
very first build (no snapshot yet) makes requests wait.

``ELIGIBILITY_BACKGROUND_REBUILD`` off rebuilds in the calling thread instead: tests use it so
that a bump is visible to the next request deterministically.
"""

from __future__ import annotations

import gc
import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connection

from compliance.eligibility import versioning
from compliance.eligibility.engine import Snapshot

log = logging.getLogger(__name__)

_snapshot: Snapshot | None = None
_next_check = 0.0  # monotonic seconds
_lock = threading.Lock()  # one rebuild at a time
_rebuilding = False


def _build() -> Snapshot:
    from compliance.eligibility.snapshot import build_snapshot

    started = time.perf_counter()
    snapshot = build_snapshot()
    log.info("eligibility snapshot v%s built in %.0f ms", snapshot.version, (time.perf_counter() - started) * 1000)
    return snapshot


def _install(snapshot: Snapshot) -> None:
    global _snapshot
    # Never go back: a slower rebuild that started earlier must not replace a newer snapshot.
    if _snapshot is None or snapshot.version >= _snapshot.version:
        _snapshot = snapshot
        _freeze_survivors()


def _freeze_survivors() -> None:
    """Move everything alive now (the snapshot's objects, Django's modules) out of the cyclic
    collector's reach.

    Otherwise every full collection walks them all while holding the GIL: 80-95 ms stalls of
    every request thread, measured with 10,000 investors. The young generations are collected
    first, so the garbage made while the build paused the collector is freed, not frozen. A
    snapshot holds no reference cycles (tests/eligibility/engine/test_engine_snapshot.py), so a
    replaced one is still freed by reference counting.
    """
    gc.collect(1)
    gc.freeze()


def refresh() -> Snapshot:
    """Rebuild now, in this thread, and install the result."""
    with _lock:
        _install(_build())
        return _snapshot


def _rebuild_in_background() -> None:
    global _rebuilding
    try:
        close_old_connections()
        _install(_build())
    except Exception:
        # Keep serving the snapshot we have; the next version check tries again.
        log.exception("eligibility snapshot rebuild failed")
    finally:
        connection.close()  # the thread's own connection; threads are not reused
        _rebuilding = False


def current() -> Snapshot:
    """The snapshot to evaluate this request against."""
    global _next_check, _rebuilding
    snapshot = _snapshot
    now = time.monotonic()
    if snapshot is not None and now < _next_check:
        return snapshot
    _next_check = now + settings.ELIGIBILITY_VERSION_CHECK_MS / 1000
    if snapshot is not None and versioning.current_version() <= snapshot.version:
        return snapshot
    if snapshot is None or not settings.ELIGIBILITY_BACKGROUND_REBUILD:
        return refresh()
    with _lock:
        if not _rebuilding:
            _rebuilding = True
            threading.Thread(target=_rebuild_in_background, name="eligibility-rebuild", daemon=True).start()
    return snapshot


def reset() -> None:
    """Forget the snapshot (tests, and after a fork when the parent had built one)."""
    global _snapshot, _next_check
    with _lock:
        _snapshot = None
        _next_check = 0.0
