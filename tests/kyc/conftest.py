import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded KYC documents go to a throwaway folder, not the developer's var/media.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_matcher():
    # The matcher cache is keyed by version ids, which a rolled-back test database reuses.
    from compliance.sanctions.selectors import reset_screening_index

    reset_screening_index()
    yield
    reset_screening_index()
