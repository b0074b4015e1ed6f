"""Shared test set-up. Tests talk to the database, Redis and Celery named by the environment:
`.ci/run` points them at the real PostgreSQL and Redis on 127.0.0.1."""

import pytest

from tests.factories import IssuerFactory, UserFactory


@pytest.fixture
def issuer(db):
    return IssuerFactory()


@pytest.fixture
def issuer_user(issuer):
    return UserFactory(role="issuer", issuer=issuer)


@pytest.fixture
def officer(db):
    return UserFactory(role="officer")


@pytest.fixture
def second_officer(db):
    return UserFactory(role="officer")


@pytest.fixture
def senior(db):
    return UserFactory(role="senior")


@pytest.fixture
def auditor(db):
    return UserFactory(role="auditor")


@pytest.fixture
def require_kyb():
    """Enforce the issuer KYB approval gate (compliance.kyc.gates) in the requesting test."""


@pytest.fixture(autouse=True)
def _issuer_kyb_enforcement(request, settings):
    # The KYB gate is on by default (settings.ATTEST_REQUIRE_ISSUER_KYB); most tests build
    # issuers without a KYB case, so it is off unless a test requests `require_kyb`.
    settings.ATTEST_REQUIRE_ISSUER_KYB = "require_kyb" in request.fixturenames


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness is for production; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def celery_worker_process(transactional_db):
    """A real `celery worker` process consuming this run's queue against the test database."""
    from tests.worker import WorkerProcess, can_run_worker

    if not can_run_worker():
        pytest.skip("a worker process needs the PostgreSQL test database (set DATABASE_URL)")
    worker = WorkerProcess().start()
    yield worker
    worker.stop()
