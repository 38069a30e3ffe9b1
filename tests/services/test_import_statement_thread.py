"""The importer's statement thread: statements run in the order they were submitted, in the
caller's transaction; the first failure stops everything after it and is raised to the
caller; leaving (even on an error) waits for what runs and puts the switch interval back."""

from __future__ import annotations

import sys
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from classpay_tui.db.bulk import insert_values
from classpay_tui.db.models import Client, Writer
from classpay_tui.db.statement_thread import StatementThread, reserve_ids, submit_insert, submit_insert_returning_ids

NOW = datetime(2024, 1, 15, 10, 0, tzinfo=UTC)


def _clients(names: list[str]) -> list[tuple[object, ...]]:
    return [(name, NOW) for name in names]


def _count(session, model) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(model))


def test_statements_run_in_order_in_another_thread(sqlite_service):
    seen: list[str] = []
    with sqlite_service.db.write() as session, StatementThread() as statements:
        ids = submit_insert_returning_ids(statements, session, Client, ("name", "created_at"), _clients(["a", "b"]))
        statements.submit(lambda: seen.append(threading.current_thread().name))
        [more] = submit_insert_returning_ids(statements, session, Client, ("name", "created_at"), _clients(["c"]))
        assert statements.call(_count, session, Client) == 3  # after both inserts
        assert reserve_ids(statements, session, Client, 2) == range(more + 1, more + 3)
    assert seen and seen[0].startswith("classpay-statements")
    with sqlite_service.db.read() as session:
        assert session.execute(select(Client.id, Client.name).order_by(Client.id)).all() == [
            (ids[0], "a"),
            (ids[1], "b"),
            (ids[1] + 1, "c"),
        ]


WRITER = ("username", "display_name", "active", "created_at")


def test_the_first_failure_stops_what_follows_and_reaches_the_caller(sqlite_service):
    row = ("ann", "Ann", True, NOW)
    with pytest.raises(IntegrityError), sqlite_service.db.write() as session, StatementThread() as statements:
        submit_insert(statements, session, Writer, WRITER, [row])
        failing = statements.submit(insert_values, session, Writer, WRITER, [row])  # the same username again
        later = statements.submit(_count, session, Writer)
        with pytest.raises(IntegrityError):
            failing.result()
        with pytest.raises(IntegrityError):
            later.result()  # not run: it would have counted one writer
        statements.drain()  # raises the first failure
    with sqlite_service.db.read() as session:
        assert _count(session, Writer) == 0  # rolled back


def test_leaving_on_an_error_waits_for_the_running_statement_and_drops_the_rest(sqlite_service):
    interval = sys.getswitchinterval()
    started, release = threading.Event(), threading.Event()
    ran: list[str] = []

    def slow() -> None:
        started.set()
        release.wait(5)
        ran.append("slow")

    with (
        pytest.raises(RuntimeError, match="the caller failed"),
        sqlite_service.db.write() as session,
        StatementThread() as statements,
    ):
        assert sys.getswitchinterval() <= StatementThread.SWITCH_INTERVAL
        submit_insert(statements, session, Client, ("name", "created_at"), _clients(["written, then rolled back"]))
        statements.submit(slow)
        statements.submit(lambda: ran.append("dropped"))
        started.wait(5)
        threading.Timer(0.05, release.set).start()
        raise RuntimeError("the caller failed")
    assert ran == ["slow"]
    assert sys.getswitchinterval() == interval
    with sqlite_service.db.read() as session:
        assert _count(session, Client) == 0
