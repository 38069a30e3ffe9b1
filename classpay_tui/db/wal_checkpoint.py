"""Checkpoints of a bulk write's WAL, run after its commit in a background thread.

In WAL mode a commit appends the changed pages to the ``-wal`` file and syncs it: from
then on the transaction is durable. Copying those pages back into the database file (a
checkpoint) is housekeeping that SQLite does by itself after any commit that leaves more
than 1,000 pages in the WAL, in the committing call. After an import of 100,000 payments
that is ~9,000 pages, and the copy (and its sync) took longer than the commit itself. A
bulk write therefore commits with that automatic checkpoint off, and this module runs it
in a thread of its own right after: the caller has its answer once the data is durable,
and the next clerk to commit does not inherit a 36 MB WAL to copy.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

AUTOMATIC_PAGES = 1000  # SQLite's own default for PRAGMA wal_autocheckpoint


@contextmanager
def automatic_checkpoint_off(connection: Connection) -> Iterator[None]:
    """No automatic checkpoint on this SQLite connection until the block ends: put
    around a transaction, its commit leaves the pages it wrote in the WAL. Set on the
    driver's connection, so that SQLAlchemy does not begin a transaction for it."""
    driver: Any = connection.connection.driver_connection
    driver.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        yield
    finally:
        driver.execute(f"PRAGMA wal_autocheckpoint = {AUTOMATIC_PAGES}")


class BackgroundCheckpoints:
    """Checkpoints started after bulk commits, one thread each; :meth:`wait` joins them.

    The thread is not a daemon: a command that imports and exits still finishes the copy
    before the process ends (an interrupted checkpoint is safe, but leaves the work to
    the next writer). ``PASSIVE`` never blocks a reader or a writer: pages that a reader's
    snapshot still needs stay in the WAL for a later checkpoint."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        thread = threading.Thread(target=self._checkpoint, name="classpay-checkpoint")
        with self._lock:
            self._threads = [running for running in self._threads if running.is_alive()]
            self._threads.append(thread)
        thread.start()

    def _checkpoint(self) -> None:
        try:
            with self.engine.connect() as connection:
                connection.connection.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except (DBAPIError, sqlite3.Error):
            pass  # housekeeping only: the data is committed, and the next commit checkpoints instead

    def wait(self) -> None:
        with self._lock:
            threads, self._threads = self._threads, []
        for thread in threads:
            thread.join()
