"""Floors: the same work done by raw ``sqlite3``, measured in the same run.

For reads, the floor is the very SQL the service sent (captured with a
``before_cursor_execute`` listener), run again through a plain ``sqlite3`` connection: what
SQLite alone costs for that work, so the ratio is what Python, SQLAlchemy and pydantic
add. For recording one payment, the floor is one row inserted and committed (WAL, fsync).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

Statement = tuple[str, Any, bool]


@contextmanager
def captured(engine: Engine) -> Iterator[list[Statement]]:
    statements: list[Statement] = []

    def listen(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append((statement, parameters, executemany))

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def connect(path: Path) -> sqlite3.Connection:
    """A plain connection set up as classpay's (WAL, synchronous=FULL, foreign keys on)."""
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in ("busy_timeout = 30000", "journal_mode = WAL", "synchronous = FULL", "foreign_keys = ON"):
        connection.execute(f"PRAGMA {pragma}")
    return connection


def replay(connection: sqlite3.Connection, statements: list[Statement], *, commit: bool = False) -> float:
    """Run ``statements`` again, fetching every row; returns the seconds it took."""
    start = time.perf_counter()
    for sql, parameters, many in statements:
        if many:
            connection.executemany(sql, parameters)
        else:
            connection.execute(sql, parameters).fetchall()
    if connection.in_transaction:
        connection.execute("COMMIT" if commit else "ROLLBACK")
    return time.perf_counter() - start


def one_row_committed(path: Path, runs: int) -> float:
    """Median seconds for one ledger row inserted and committed."""
    connection = connect(path)
    bundle_id = connection.execute("SELECT MAX(id) FROM class_bundles").fetchone()[0]
    times = []
    for index in range(runs):
        start = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "INSERT INTO order_payments (bundle_id, kind, amount, method, reference, received_at, recorded_at, "
            "recorded_by) VALUES (?, 'payment', 100, 'cash', ?, '2024-01-15 12:00:00.000000', "
            "'2024-01-15 12:00:00.000000', 'bench')",
            (bundle_id, f"FLOOR-{time.time_ns()}-{index}"),
        )
        connection.execute("COMMIT")
        times.append(time.perf_counter() - start)
    connection.close()
    times.sort()
    return times[len(times) // 2]
