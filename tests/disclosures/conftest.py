"""Minimal, self-contained Django configuration for the disclosure renderer tests.

The renderer needs only Django's template engine and translation machinery, not the database.
Inside the project's suite pytest-django has already configured ``config.settings`` and those are
used as they are. Run on their own without pytest-django, these tests configure exactly what the
renderer needs:

    .venv/bin/python -m pytest tests/disclosures -p no:django --confcutdir=tests/disclosures

(``--confcutdir`` keeps the suite-wide tests/conftest.py, which imports the models, out.)
"""

from __future__ import annotations

import copy

import django
import pytest
from disclosure_samples import CASH_TERMS, ISSUER, PHYSICAL_TERMS, REPO_ROOT, TOKEN_TERMS
from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        USE_I18N=True,
        USE_TZ=True,
        LANGUAGE_CODE="en",
        LANGUAGES=[("en", "English")],
        INSTALLED_APPS=[],
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [REPO_ROOT / "templates"],
                "APP_DIRS": False,
                "OPTIONS": {"string_if_invalid": ""},
            }
        ],
    )
    django.setup()


@pytest.fixture
def physical_terms() -> dict:
    return copy.deepcopy(PHYSICAL_TERMS)


@pytest.fixture
def cash_terms() -> dict:
    return copy.deepcopy(CASH_TERMS)


@pytest.fixture
def token_terms() -> dict:
    return copy.deepcopy(TOKEN_TERMS)


@pytest.fixture
def issuer_attrs() -> dict:
    return dict(ISSUER)
