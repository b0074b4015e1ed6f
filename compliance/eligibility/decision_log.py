"""The append-only decision log, written behind the hot path.

Why an in-process buffer rather than a Celery task per batch: a task would still serialize
every decision into the broker (for a 10,000-order batch, megabytes through Redis on the
request path) and a second process would insert them; here a request only appends to a list
(the single screening a row tuple, a batch one :class:`BatchRows` that the writer expands), and
a daemon thread writes them with one COPY (PostgreSQL) or one bulk INSERT per flush,
by size (``ELIGIBILITY_DECISION_LOG_BATCH`` rows) or time (``ELIGIBILITY_DECISION_LOG_FLUSH_MS``).
At a clean stop the buffer is flushed by ``atexit`` and by gunicorn's ``worker_exit`` hook
(``compliance/eligibility/gunicorn_conf.py``). A failed write keeps the rows for the next try.

Decision ids start with the creation time in milliseconds (hex), so the API can tell a
just-made decision that another process has not flushed yet from one that does not exist.
"""

from __future__ import annotations

import atexit
import json
import logging
import re
import secrets
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import DataError, IntegrityError, close_old_connections, connection, transaction

from compliance.eligibility.engine import reasons_from_mask
from compliance.eligibility.models import ScreeningDecision

log = logging.getLogger(__name__)

COLUMNS = (
    "decision_id",
    "evaluated_at",
    "venue",
    "api_key_id",
    "client_order_id",
    "investor",
    "product",
    "side",
    "quantity",
    "price",
    "eligible",
    "reason_mask",
    "reasons",
    "snapshot_version",
)

# Chunks in arrival order: lists of row tuples (append) and BatchRows (append_batch).
_buffer: list[list[tuple] | BatchRows] = []
_buffered = 0  # rows in _buffer
_buffer_lock = threading.Lock()
_flush_lock = threading.Lock()
_wake = threading.Event()
_flusher: threading.Thread | None = None
_reasons_json: dict[int, str] = {}


def new_decision_id(now_ms: int) -> str:
    """20 hex characters: 12 of milliseconds since the epoch, 8 random."""
    return f"{now_ms:012x}{secrets.token_hex(4)}"


def batch_decision_ids(now_ms: int, count: int) -> list[str]:
    """One id per order of a batch: a shared time-and-random stem plus the order's position."""
    stem = new_decision_id(now_ms)
    return [f"{stem}-{i}" for i in range(count)]


def created_ms(decision_id: str) -> int | None:
    """The creation time encoded in a decision id, or None for a malformed id."""
    head = decision_id[:12]
    if len(head) != 12:
        return None
    try:
        return int(head, 16)
    except ValueError:
        return None


def reasons_json(mask: int) -> str:
    text = _reasons_json.get(mask)
    if text is None:
        text = _reasons_json[mask] = json.dumps([code.value for code in reasons_from_mask(mask)])
    return text


def append(rows: list[tuple]) -> None:
    """Queue decision rows (in COLUMNS order) for the log. Cheap: a list append under a lock."""
    _queue(list(rows))


def append_batch(batch: BatchRows) -> None:
    """Queue a screened batch's rows; the writer thread, not the request, makes the rows."""
    _queue(batch)


def _queue(chunk: list[tuple] | BatchRows) -> None:
    global _buffered
    if not len(chunk):
        return
    with _buffer_lock:
        _buffer.append(chunk)
        _buffered += len(chunk)
        size = _buffered
    if not settings.ELIGIBILITY_DECISION_LOG_BACKGROUND:
        return
    _ensure_flusher()
    if size >= settings.ELIGIBILITY_DECISION_LOG_BATCH:
        _wake.set()


def pending() -> int:
    with _buffer_lock:
        return _buffered


def discard() -> None:
    """Drop everything buffered, unwritten (tests start from an empty log)."""
    global _buffered
    with _buffer_lock:
        _buffer.clear()
        _buffered = 0


def _take() -> list[list[tuple] | BatchRows]:
    global _buffered
    with _buffer_lock:
        chunks = _buffer[:]
        del _buffer[:]
        _buffered = 0
    return chunks


def _requeue(chunks: Sequence[list[tuple] | BatchRows]) -> None:
    """Put unwritten chunks back in front of whatever arrived meanwhile."""
    global _buffered
    with _buffer_lock:
        _buffer[:0] = chunks
        _buffered += sum(map(len, chunks))


def flush() -> int:
    """Write everything buffered now, in the calling thread. Returns the number of rows written."""
    with _flush_lock:
        chunks = _take()
        if not chunks:
            return 0
        try:
            _write(chunks)
        except Exception as exc:
            if not _is_data_error(exc):
                _requeue(chunks)  # the database is unreachable: keep them for the next flush
                raise
            return _write_one_by_one([row for chunk in chunks for row in _rows_of(chunk)])
        return sum(map(len, chunks))


def _is_data_error(exc: BaseException) -> bool:
    """A row the database refuses (SQLSTATE class 22 data or 23 integrity), not an outage."""
    while exc is not None:
        if isinstance(exc, DataError | IntegrityError):
            return True
        sqlstate = getattr(exc, "sqlstate", None) or ""
        if sqlstate[:2] in ("22", "23"):
            return True
        exc = exc.__cause__
    return False


def _write_one_by_one(rows: list[tuple]) -> int:
    """Write the rows of a refused batch singly, so one bad row cannot block the log forever."""
    written = 0
    for index, row in enumerate(rows):
        try:
            _write([[row]])
            written += 1
        except Exception as exc:
            if not _is_data_error(exc):
                _requeue([rows[index:]])
                raise
            log.error("screening decision %s could not be logged and is dropped: %s", row[0], exc)
    return written


def _rows_of(chunk: list[tuple] | BatchRows) -> Iterator[tuple] | list[tuple]:
    return chunk.rows() if isinstance(chunk, BatchRows) else chunk


def _write(chunks: Sequence[list[tuple] | BatchRows]) -> None:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            columns = ", ".join(COLUMNS)
            with connection.cursor() as cursor:
                with cursor.cursor.copy(f"COPY eligibility_screeningdecision ({columns}) FROM STDIN") as copy:
                    for chunk in chunks:
                        if isinstance(chunk, BatchRows):
                            copy.write(chunk.copy_text())  # one string per batch, see copy_text
                        else:
                            for row in chunk:
                                copy.write_row(row)
        else:
            decisions = []
            for row in (row for chunk in chunks for row in _rows_of(chunk)):
                fields = dict(zip(COLUMNS, row, strict=True))
                fields["reasons"] = json.loads(fields["reasons"])
                decisions.append(ScreeningDecision(**fields))
            ScreeningDecision.objects.bulk_create(decisions, batch_size=500)


def _run_flusher() -> None:
    interval = settings.ELIGIBILITY_DECISION_LOG_FLUSH_MS / 1000
    while True:
        _wake.wait(interval)
        _wake.clear()
        if not settings.ELIGIBILITY_DECISION_LOG_BACKGROUND:
            continue  # switched off at run time (tests): the request threads flush instead
        try:
            close_old_connections()
            flush()
        except Exception:
            log.exception("writing %s screening decisions failed; kept for the next flush", pending())
            time.sleep(interval)


def _ensure_flusher() -> None:
    global _flusher
    if _flusher is not None and _flusher.is_alive():
        return
    with _flush_lock:
        if _flusher is None or not _flusher.is_alive():
            _flusher = threading.Thread(target=_run_flusher, name="eligibility-decision-log", daemon=True)
            _flusher.start()


def flush_at_exit() -> None:
    """Clean stop: write what is left. Logged, never raised (the process is going away)."""
    try:
        written = flush()
        if written:
            log.info("flushed %s screening decisions at exit", written)
    except Exception:
        log.exception("could not flush %s screening decisions at exit", pending())


atexit.register(flush_at_exit)


def _exit_on_sigterm(signum, frame) -> None:
    raise SystemExit(128 + signum)


def flush_on_sigterm() -> None:
    """Make SIGTERM a clean stop that runs ``atexit`` (and so ``flush_at_exit``).

    By default SIGTERM ends Python at once, skipping atexit; honcho (``make run``), systemd and
    ``docker stop`` all stop processes with it, so a runserver process would lose its buffer.
    Only a default handler is replaced: gunicorn, Celery and others install their own, which
    already exit cleanly. Signal handlers can only be set from the main thread.
    """
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _exit_on_sigterm)


def row(
    *,
    decision_id: str,
    evaluated_at: datetime,
    venue: str,
    api_key_id: int | None,
    order,
    mask: int,
    snapshot_version: int,
) -> tuple:
    """One log row for a validated order (see validation.ScreeningOrder)."""
    return (
        decision_id,
        evaluated_at,
        venue,
        api_key_id,
        order.client_order_id,
        order.investor,
        order.product,
        order.side,
        order.quantity,
        order.price,
        not mask,
        mask,
        reasons_json(mask),
        snapshot_version,
    )


# COPY's text format: backslash, tab, newline and carriage return in a value are escaped.
_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(text: str) -> str:
    return text.translate(_COPY_ESCAPES)


@dataclass(frozen=True, slots=True)
class BatchRows:
    """The log rows of one screened batch, as the request had them: validated orders (see
    validation.ScreeningOrder) and their masks. Decision ids are ``f"{stem}-{i}"`` for the i-th
    order, as :func:`batch_decision_ids` makes them. The writer thread expands them, either to
    row tuples (:meth:`rows`) or straight to COPY text (:meth:`copy_text`).
    """

    stem: str
    evaluated_at: datetime
    venue: str
    api_key_id: int | None
    snapshot_version: int
    orders: Sequence
    masks: Sequence[int]

    def __len__(self) -> int:
        return len(self.orders)

    def rows(self) -> Iterator[tuple]:
        for i, (order, mask) in enumerate(zip(self.orders, self.masks, strict=True)):
            yield row(
                decision_id=f"{self.stem}-{i}",
                evaluated_at=self.evaluated_at,
                venue=self.venue,
                api_key_id=self.api_key_id,
                order=order,
                mask=mask,
                snapshot_version=self.snapshot_version,
            )

    def copy_text(self) -> str:
        """The rows in COPY text format: the same values :meth:`rows` gives, about ten times
        cheaper than ``write_row`` per value, since the per-batch and per-mask columns are
        formatted once."""
        orders = self.orders
        strings = [(o.client_order_id, o.investor, o.product, o.side, o.price) for o in orders]
        if _COPY_SPECIAL.search("".join(text for fields in strings for text in fields)):
            strings = [tuple(map(_copy_value, fields)) for fields in strings]
        key = r"\N" if self.api_key_id is None else str(self.api_key_id)
        head = f"\t{_copy_value(self.evaluated_at.isoformat())}\t{_copy_value(self.venue)}\t{key}\t"
        tails: dict[int, str] = {}
        for mask in set(self.masks):
            eligible = "f" if mask else "t"
            tails[mask] = f"\t{eligible}\t{mask}\t{_copy_value(reasons_json(mask))}\t{self.snapshot_version}\n"
        stem = self.stem
        return "".join(
            f"{stem}-{i}{head}{client_order_id}\t{investor}\t{product}\t{side}\t{order.quantity}\t{price}{tails[mask]}"
            for i, ((client_order_id, investor, product, side, price), order, mask) in enumerate(
                zip(strings, orders, self.masks, strict=True)
            )
        )
