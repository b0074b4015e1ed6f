"""Races on purpose: a write made in another transaction that stays uncommitted for a while,
and a transaction that holds its locks until another one waits for them."""

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def uncommitted(first_write: Callable[[], object], hold_seconds: float = 1.0) -> Iterator[None]:
    """Run ``first_write`` in a transaction of another thread and hold it open for ``hold_seconds``
    while the body runs: the body's checks do not see that write, and a conflicting write of the
    body waits for its commit, as the loser of a real race does."""
    written = threading.Event()

    def first():
        try:
            with transaction.atomic():
                first_write()
                written.set()
                time.sleep(hold_seconds)
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert written.wait(10), "the first write did not happen"
    try:
        yield
    finally:
        thread.join(10)


# Whether another backend is waiting for a lock this connection holds (PostgreSQL).
BLOCKED_BY_ME = "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid)))"


def wait_until_someone_waits_for_me(timeout: float = 15.0) -> bool:
    """Block until another transaction waits for a lock held by this thread's connection: the
    interleaving a lock-order test needs, made without guessing a sleep. False on timeout."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(BLOCKED_BY_ME)
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False
