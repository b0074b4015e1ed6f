"""Fixtures for the screening API tests (the engine tests in engine/ need none of them)."""

import pytest


@pytest.fixture
def screening(settings, db):
    """Deterministic screening: rebuild and log in the request's thread, no caching of keys."""
    from compliance.eligibility import decision_log, holder
    from compliance.eligibility.selectors import forget_cached_keys

    settings.ELIGIBILITY_BACKGROUND_REBUILD = False
    settings.ELIGIBILITY_DECISION_LOG_BACKGROUND = False
    settings.ELIGIBILITY_VERSION_CHECK_MS = 0
    settings.ELIGIBILITY_API_KEY_CACHE_SECONDS = 0
    holder.reset()
    forget_cached_keys()
    decision_log.flush()  # nothing from an earlier test (its rows were rolled back anyway)
    decision_log.discard()
    yield
    decision_log.discard()
    holder.reset()
    forget_cached_keys()
