"""The audit page's chain badge: the whole chain is walked hourly, each view walks what came since."""

import pytest
from django.core.cache import cache
from django.db import transaction

from compliance.audit import chain, selectors
from compliance.audit.models import AuditEvent
from compliance.audit.services import audit_record
from compliance.audit.tasks import audit_chain_walk_task
from tests.audit.test_audit_chain import _tamper

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_checkpoint():
    cache.delete(selectors.CHECKPOINT_KEY)
    yield
    cache.delete(selectors.CHECKPOINT_KEY)


def record(n: int):
    with transaction.atomic():
        for i in range(n):
            audit_record(actor="system:test", action="test.event", object_type="test", object_id=str(i))


@pytest.fixture
def hashed(monkeypatch):
    """How many events the selectors re-hash."""
    calls = []
    real = chain.event_hash

    def counting(**fields):
        calls.append(fields)
        return real(**fields)

    monkeypatch.setattr(selectors, "event_hash", counting)
    return calls


def test_a_view_walks_only_the_events_since_the_last_walk(hashed):
    record(5)
    assert selectors.audit_chain_status().checked == 5
    record(2)
    hashed.clear()
    report = selectors.audit_chain_status()
    assert (report.ok, report.checked, len(hashed)) == (True, 7, 2)
    assert report.whole_chain_walked_at is not None


def test_the_hourly_walk_finds_tampering_the_views_had_not_walked_again():
    record(4)
    assert selectors.audit_chain_status().ok
    _tamper("UPDATE audit_auditevent SET rationale = %s WHERE id = %s", ["edited", AuditEvent.objects.first().id])
    assert audit_chain_walk_task() is False
    report = selectors.audit_chain_status()  # no checkpoint left: the whole chain again
    assert not report.ok and report.broken_event_id == AuditEvent.objects.first().id


def test_a_checkpoint_whose_last_event_changed_is_not_trusted():
    record(3)
    assert selectors.audit_chain_status().ok
    _tamper("UPDATE audit_auditevent SET hash = %s WHERE id = %s", ["f" * 64, AuditEvent.objects.last().id])
    assert not selectors.audit_chain_status().ok  # walked it all again, and found the forged hash


def test_the_audit_page_says_when_the_whole_chain_was_walked(client, auditor):
    record(2)
    client.force_login(auditor)
    client.get("/audit/")
    page = client.get("/audit/").content.decode()
    assert "Hash chain verified (2 events; whole chain walked" in page
