"""Running a bulk write's statements in a second thread, in order, while the calling thread
works out the next rows.

The database driver lets go of Python's interpreter lock while SQLite (or the server) runs
a statement, so on two cores building rows and writing them overlap. The caller converts
every value (:func:`~classpay_tui.db.bulk.prepare_insert` and friends) and converts what
it reads (:func:`~classpay_tui.db.bulk.converted`), so that the thread mostly waits on the
database and seldom on the interpreter lock.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from classpay_tui.db.bulk import (
    Values,
    Write,
    _bound_flat,
    _table,
    insert_values_returning_ids,
    prepare_insert,
    prepare_update,
)


class Statements:
    """Where a bulk operation's statements run, in the order they are submitted: here, at
    once. :class:`StatementThread` runs them in a second thread instead."""

    def __init__(self) -> None:
        self.next_ids: dict[str, int] = {}  # table → the id its next new row gets (SQLite)

    def submit(self, work: Callable[..., Any], *args: Any) -> Future[Any]:
        """``work(*args)`` after everything submitted before it; its future result."""
        done: Future[Any] = Future()
        try:
            done.set_result(work(*args))
        except BaseException as error:
            done.set_exception(error)
        return done

    def call(self, work: Callable[..., Any], *args: Any) -> Any:
        """``work(*args)`` after everything submitted before it, waited for: its result."""
        return self.submit(work, *args).result()

    def drain(self) -> None:
        """Wait until everything submitted has run; raise the first error, if any."""


class StatementThread(Statements):
    """The statements of one bulk write, run in order by one worker thread on the session's
    connection. The session is the worker's from the first ``submit`` to :meth:`drain`:
    the caller reaches it only through ``submit``/``call``. Once something fails, nothing
    later runs: every following future, and ``drain``, raise that first error (the caller
    then rolls back).

    While it runs, threads swap the interpreter lock every :data:`SWITCH_INTERVAL` seconds
    instead of Python's 5 ms: the worker, back from a statement, would otherwise wait up to
    5 ms for the lock before sending the next one, idling the database after every statement.
    At 0.5 ms an import of 100,000 payments still spent ~0.3 s of its 2.7 s so; at 0.1 ms
    the worker is busy with SQL almost all the time and the caller's share barely grows.
    """

    SWITCH_INTERVAL = 0.0001

    def __init__(self) -> None:
        super().__init__()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="classpay-statements")
        self._failed: BaseException | None = None
        self._pending: list[Future[Any]] = []
        self._switch = sys.getswitchinterval()
        sys.setswitchinterval(min(self._switch, self.SWITCH_INTERVAL))

    def _run(self, work: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        if self._failed is not None:
            raise self._failed
        try:
            return work(*args)
        except BaseException as error:
            self._failed = error
            raise

    def submit(self, work: Callable[..., Any], *args: Any) -> Future[Any]:
        future = self._pool.submit(self._run, work, args)
        self._pending.append(future)
        return future

    def drain(self) -> None:
        pending, self._pending = self._pending, []
        wait(pending)
        if self._failed is not None:
            raise self._failed

    def close(self) -> None:
        """Wait for what is running, drop what has not started, restore the switch interval."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        sys.setswitchinterval(self._switch)

    def __enter__(self) -> StatementThread:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if exc[0] is None:
                self.drain()
        finally:
            self.close()


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _largest_id(session: Session, table: Table) -> int:
    return session.execute(select(func.max(table.c.id))).scalar() or 0


def _checked(session: Session, table: Table, write: Write, ids: range) -> None:
    """Run the insert, and check that its rows got ``ids``."""
    write()
    id_column = table.c.id
    found = session.execute(
        select(func.min(id_column), func.max(id_column), func.count()).where(id_column >= ids.start)
    ).one()
    if tuple(found) != (ids.start, ids.stop - 1, len(ids)):
        raise RuntimeError(f"{table.name}: new ids are not consecutive; another writer in the same transaction?")


def reserve_ids(statements: Statements, session: Session, model: Any, count: int) -> range | None:
    """On SQLite (one writer at a time), the ids the next ``count`` rows inserted into the
    table through ``statements`` will get: from the table's largest id, read once per
    ``statements`` (then counted on); None elsewhere, where the database assigns them."""
    if not _is_sqlite(session):
        return None
    table = _table(model)
    first = statements.next_ids.get(table.name)
    if first is None:
        first = statements.call(_largest_id, session, table) + 1
    statements.next_ids[table.name] = first + count
    return range(first, first + count)


def submit_insert(
    statements: Statements,
    session: Session,
    model: Any,
    columns: Sequence[str],
    rows: Sequence[Values],
    ids: range | None = None,
) -> None:
    """Submit the insert of the rows (their values converted here); with ``ids`` (from
    :func:`reserve_ids`), it checks that they got them."""
    if not rows:
        return
    write = prepare_insert(session, model, columns, rows)
    if ids is None:
        statements.submit(write)
    else:
        statements.submit(_checked, session, _table(model), write, ids)


def submit_insert_returning_ids(
    statements: Statements, session: Session, model: Any, columns: Sequence[str], rows: Sequence[Values]
) -> list[int]:
    """:func:`~classpay_tui.db.bulk.insert_values_returning_ids` through ``statements``: on
    SQLite the new ids are known at once (:func:`reserve_ids`) and the insert runs later;
    elsewhere it is waited for (``RETURNING``). Every insert into that table while
    ``statements`` runs must go through here."""
    if not rows:
        return []
    ids = reserve_ids(statements, session, model, len(rows))
    if ids is None:
        return statements.call(insert_values_returning_ids, session, model, columns, rows)
    submit_insert(statements, session, model, columns, rows, ids)
    return list(ids)


def submit_update(
    statements: Statements, session: Session, model: Any, columns: Sequence[str], rows: Sequence[Values]
) -> None:
    """Submit :func:`~classpay_tui.db.bulk.update_values` (its values converted here)."""
    if rows:
        statements.submit(prepare_update(session, model, columns, rows))


def submit_changed(
    statements: Statements,
    session: Session,
    model: Any,
    columns: Sequence[str],
    rows: Sequence[Values],
    stored: Sequence[Sequence[Any] | None],
) -> None:
    """Submit the update of rows by primary key (``columns[0]`` is ``"id"``) that sets, of
    the columns that ``stored`` holds (each row's first ``len(stored[i])`` other columns
    as read raw; None: as if all differed), only those whose value differs, and every
    column after them. Rows that set the same columns share statements. Meant for columns
    that indexes hold: SQLite moves a row in an index whenever one of its columns is set,
    changed or not."""
    if not rows:
        return
    width = len(columns)
    dialect = session.get_bind().dialect
    compared = max((len(before) for before in stored if before is not None), default=0)
    flat = _bound_flat(dialect, _table(model), columns[: compared + 1], [row[: compared + 1] for row in rows])
    groups: dict[tuple[int, ...], list[Values]] = {}
    rest = tuple(range(compared + 1, width))
    everything = tuple(range(1, width))
    step = compared + 1
    for position, (row, before) in enumerate(zip(rows, stored, strict=True)):
        if before is None:
            changed = everything
        else:
            values = flat[position * step : (position + 1) * step]
            changed = (*(index for index, old in enumerate(before, 1) if values[index] != old), *rest)
            if not changed:
                continue
        groups.setdefault(changed, []).append(row)
    for changed, group in groups.items():
        pick = itemgetter(0, *changed)
        names = ["id", *(columns[index] for index in changed)]
        submit_update(statements, session, model, names, [pick(row) for row in group])
