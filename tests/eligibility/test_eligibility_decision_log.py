"""The decision log: buffered, append-only, and flushed when a process stops cleanly."""

import json
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, connection, transaction

from compliance.eligibility import decision_log
from compliance.eligibility.models import ApiKey, AppendOnlyError, ScreeningDecision
from tests.eligibility.eligibility_support import api_key
from tests.worker import ROOT, database_url


def _row(decision_id: str) -> tuple:
    return (decision_id, datetime.now(UTC), "XCME", None, "c-1", "INV-1", "H100", "buy", 20, "2.5", True, 0, "[]", 3)


@pytest.mark.usefixtures("screening")
def test_flush_writes_buffered_rows_once():
    decision_log.append([_row("a" * 20), _row("b" * 20)])
    assert decision_log.flush() == 2
    assert decision_log.flush() == 0
    assert sorted(ScreeningDecision.objects.values_list("decision_id", flat=True)) == ["a" * 20, "b" * 20]


@pytest.mark.usefixtures("screening")
def test_logged_decisions_cannot_change():
    decision_log.append([_row("c" * 20)])
    decision_log.flush()
    decision = ScreeningDecision.objects.get()
    with pytest.raises(AppendOnlyError):
        decision.save()
    with pytest.raises(AppendOnlyError):
        ScreeningDecision.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        ScreeningDecision.objects.update(eligible=False)


def buffering_process(rows: int, *, then: str = "") -> tuple[list[str], dict]:
    """A separate process that buffers ``rows`` decisions, prints "pending <n>" and runs ``then``.
    Its background flusher waits ten minutes, so the rows are still in its buffer when it stops."""
    script = textwrap.dedent(
        f"""
        import django, os, time
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        django.setup()
        from datetime import UTC, datetime
        from compliance.eligibility import decision_log
        rows = [(f"{{i:020x}}", datetime.now(UTC), "XCME", None, f"c-{{i}}", "INV-1", "H100", "buy", 20, "2.5",
                 True, 0, "[]", 3) for i in range({rows})]
        decision_log.append(rows)
        print("pending", decision_log.pending(), flush=True)
        {then}
        """
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": database_url(),
        "ELIGIBILITY_DECISION_LOG_FLUSH_MS": "600000",
        "ELIGIBILITY_DECISION_LOG_BATCH": "1000000",
    }
    return [sys.executable, "-c", script], env


def test_a_clean_stop_loses_nothing(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("a second process needs the PostgreSQL test database")
    # The process exits normally with the rows in its buffer: atexit writes them.
    command, env = buffering_process(2500)
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "pending 2500" in done.stdout
    assert ScreeningDecision.objects.count() == 2500


def test_sigterm_is_a_clean_stop_that_loses_nothing(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("a second process needs the PostgreSQL test database")
    # How honcho (make run), systemd and docker stop a runserver process: SIGTERM while it waits.
    command, env = buffering_process(1500, then="time.sleep(60)")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "pending 1500"
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    finally:
        process.kill()
    assert ScreeningDecision.objects.count() == 1500


@pytest.mark.usefixtures("screening")
def test_a_row_the_database_refuses_does_not_block_the_others():
    bad = (*_row("d" * 20)[:4], "x" * 500, *_row("d" * 20)[5:])  # client_order_id too long
    decision_log.append([_row("e" * 20), bad, _row("f" * 20)])
    assert decision_log.flush() == 2
    assert decision_log.pending() == 0
    assert sorted(ScreeningDecision.objects.values_list("decision_id", flat=True)) == ["e" * 20, "f" * 20]


@pytest.mark.usefixtures("screening")
def test_a_decision_for_an_api_key_that_does_not_exist_is_refused():
    row, _ = api_key("XCME")
    missing = row.pk + 1_000
    signed = (*_row("g" * 20)[:3], row.pk, *_row("g" * 20)[4:])
    unknown = (*_row("h" * 20)[:3], missing, *_row("h" * 20)[4:])
    decision_log.append([signed, unknown, _row("i" * 20)])
    assert decision_log.flush() == 2
    logged = dict(ScreeningDecision.objects.values_list("decision_id", "api_key_id"))
    assert logged == {"g" * 20: row.pk, "i" * 20: None}


@pytest.mark.usefixtures("screening")
def test_a_batch_for_an_api_key_that_does_not_exist_is_not_logged():
    row, _ = api_key("XCME")
    batch = decision_log.BatchRows(
        stem="0123456789abcdef0123",
        evaluated_at=datetime.now(UTC),
        venue="XCME",
        api_key_id=row.pk + 1_000,
        snapshot_version=9,
        orders=[_Order("one"), _Order("two")],
        masks=[0, 1],
    )
    decision_log.append_batch(batch)
    assert decision_log.flush() == 0
    assert decision_log.pending() == 0
    assert not ScreeningDecision.objects.exists()


@pytest.mark.usefixtures("screening")
def test_an_api_key_is_never_deleted():
    row, _ = api_key("XCME")
    with pytest.raises(IntegrityError, match="revoked, never deleted"), transaction.atomic():
        ApiKey.objects.filter(pk=row.pk).delete()
    with pytest.raises(IntegrityError, match="revoked, never deleted"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM eligibility_apikey WHERE id = %s", [row.pk])
    assert ApiKey.objects.filter(pk=row.pk).exists()


class _Order:
    def __init__(self, client_order_id: str, investor: str = "INV-1", price: str = "2.5"):
        self.client_order_id, self.investor, self.product = client_order_id, investor, "H100"
        self.side, self.quantity, self.price = "buy", 20, price


@pytest.mark.usefixtures("screening")
def test_a_batch_is_copied_with_the_values_of_its_rows():
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    awkward = ["tab\there", "back\\slash", "new\nline\r", 'quote"d', "ünïcødé", "\\N", "plain"]
    batch = decision_log.BatchRows(
        stem="0123456789abcdef0123",
        evaluated_at=datetime(2026, 11, 25, 12, 0, 0, 123456, tzinfo=UTC),
        venue="XCME",
        api_key_id=None,
        snapshot_version=9,
        orders=[_Order(text, investor=f"INV-{text}") for text in awkward],
        masks=[0, 1 << 13, 0, (1 << 5) | (1 << 11), 1 << 19, 0, 1],
    )
    decision_log.append_batch(batch)
    assert decision_log.pending() == len(awkward)
    assert decision_log.flush() == len(awkward)
    stored = {
        d.decision_id: tuple(getattr(d, name) for name in decision_log.COLUMNS) for d in ScreeningDecision.objects.all()
    }
    expected = {row[0]: (*row[:12], json.loads(row[12]), row[13]) for row in batch.rows()}
    assert stored == expected
