"""Races on purpose: a write made in another transaction that stays uncommitted for a while."""

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
