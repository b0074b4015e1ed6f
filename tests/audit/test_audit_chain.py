import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from compliance.audit.models import AppendOnlyError, AuditEvent
from compliance.audit.selectors import audit_chain_verify
from compliance.audit.services import audit_record

pytestmark = pytest.mark.django_db


def record(n: int):
    with transaction.atomic():
        for i in range(n):
            audit_record(actor="system:test", action="test.event", object_type="test", object_id=str(i), after={"i": i})


def test_each_event_links_to_the_previous_hash():
    record(3)
    first, second, third = AuditEvent.objects.order_by("id")
    assert first.prev_hash == "0" * 64
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash


def test_intact_chain_verifies():
    record(5)
    report = audit_chain_verify()
    assert report.ok
    assert report.checked == 5


@pytest.mark.django_db(transaction=True)
def test_audit_record_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        audit_record(actor="system:test", action="x", object_type="t", object_id="1")


def test_application_refuses_to_update_an_event():
    record(1)
    event = AuditEvent.objects.get()
    event.rationale = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()


def test_application_refuses_to_delete_events():
    record(1)
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.get().delete()


def test_queryset_update_is_refused():
    record(1)
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update(rationale="x")


def _tamper(sql: str, params):
    """Change a row behind the application's back, as a DBA with raw SQL could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A superuser can switch user triggers off for the session: the attack we guard against.
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def test_tampered_content_is_caught_at_that_event():
    record(4)
    target = AuditEvent.objects.order_by("id")[2]
    _tamper("UPDATE audit_auditevent SET after = %s WHERE id = %s", ['{"i": 999}', target.id])
    report = audit_chain_verify()
    assert not report.ok
    assert report.broken_event_id == target.id
    assert report.reason == "content does not match its hash"


def test_deleted_event_is_caught_at_the_next_one():
    record(4)
    events = list(AuditEvent.objects.order_by("id"))
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[1].id])
    report = audit_chain_verify()
    assert report.broken_event_id == events[2].id
    assert report.reason == "previous-hash link does not match"


def test_tampering_after_a_first_break_is_counted_too():
    record(6)
    events = list(AuditEvent.objects.order_by("id"))
    for target in (events[1], events[4]):
        _tamper("UPDATE audit_auditevent SET rationale = %s WHERE id = %s", ["edited", target.id])
    report = audit_chain_verify()
    assert (report.broken_event_id, report.broken_count, report.checked) == (events[1].id, 2, 6)


@pytest.mark.parametrize("number", [1e16, -2.5e20, 1.7976931348623157e308, -0.0, 0.1, 1e-7, 123456789.125])
def test_a_number_reads_back_as_it_was_hashed(number):
    # jsonb gives numbers back as numeric does: 1e16 as 10000000000000000, -0.0 as 0.0.
    with transaction.atomic():
        audit_record(actor="system:test", action="test.number", object_type="t", object_id="1", after={"n": number})
    assert audit_chain_verify().ok


def test_verify_audit_command_fails_on_a_broken_chain():
    record(2)
    target = AuditEvent.objects.order_by("id").first()
    _tamper("UPDATE audit_auditevent SET actor_label = %s WHERE id = %s", ["mallory", target.id])
    with pytest.raises(CommandError, match=f"BROKEN at event #{target.id}"):
        call_command("verify_audit")


def test_verify_audit_command_reports_an_intact_chain(capsys):
    record(2)
    call_command("verify_audit")
    assert "Audit chain intact: 2 events verified." in capsys.readouterr().out


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgresql_trigger_refuses_raw_update():
    record(1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET rationale = 'x'")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgresql_trigger_refuses_raw_delete():
    record(1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
