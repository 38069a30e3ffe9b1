"""Bulk writes: many rows per statement, for the importer, the demo and the bulk settle.

``insert_rows`` and ``update_rows`` take lists of dicts keyed by column name, with the
same Python values the models use (``Decimal`` money, aware datetimes, enums);
``insert_values`` and ``update_values`` take tuples of those values in a given column
order, which spares building a dict per row where there are hundreds of thousands.

On SQLite each statement carries many rows (``INSERT ... VALUES (...), (...)`` and
``UPDATE ... FROM (VALUES ...)``), because SQLite's work per statement execution, not per
row, is most of what an ``executemany`` of single rows costs; every value goes through
its column type's own bind processor (so money is still checked and stored as cents),
memoized per distinct value. Elsewhere (PostgreSQL) the rows go through SQLAlchemy's own
Core executemany ("insertmanyvalues"), which is already fast.

``read_rows`` is the same idea for reading many rows.

``insert_rows_returning_ids`` (and ``insert_values_returning_ids``) gives the new primary
keys in the order of the rows: on PostgreSQL with ``RETURNING`` sorted by parameter order;
on SQLite, whose write transactions are exclusive (``BEGIN IMMEDIATE``), from the table's
largest id before the insert — SQLite gives each new row the largest rowid plus one —
checked afterwards.
"""

from __future__ import annotations

import gc
import sqlite3
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from itertools import chain
from operator import itemgetter
from typing import Any

from sqlalchemy import Select, Table, bindparam, func, select, type_coerce, update
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

Row = dict[str, Any]


def _table(model: Any) -> Table:
    return model.__table__ if hasattr(model, "__table__") else model


class _Memo(dict[Any, Any]):
    """Values already processed, keyed by the value: a plain dict lookup when it is there."""

    def __init__(self, processor: Callable[[Any], Any]) -> None:
        super().__init__()
        self.processor = processor

    def __missing__(self, value: Any) -> Any:
        result = self[value] = self.processor(value)
        return result


@contextmanager
def paused_gc() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a bulk operation builds millions of
    small objects without cycles (each collection would walk them all, again and again);
    restored afterwards, and nested uses are harmless."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


@contextmanager
def bulk_work(session: Session, cache_mib: int = 256) -> Iterator[None]:
    """For one bulk operation: a bigger SQLite page cache on this connection (so pages
    are not spilled to the WAL and rewritten again and again while hundreds of thousands
    of rows go into the indexes), and the garbage collector paused (:func:`paused_gc`).
    Both are restored afterwards."""
    sqlite = _is_sqlite(session)
    if sqlite:
        before = session.connection().exec_driver_sql("PRAGMA cache_size").scalar()
        session.connection().exec_driver_sql(f"PRAGMA cache_size = {-cache_mib * 1024}")
    try:
        with paused_gc():
            yield
    finally:
        if sqlite:
            session.connection().exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


_PLAIN_CACHE: dict[tuple[Any, ...], tuple[list[Any], list[tuple[int, Callable[[Any], Any]]]]] = {}


def _plain_columns(dialect: Any, columns: list[Any]) -> tuple[list[Any], list[tuple[int, Callable[[Any], Any]]]]:
    """The columns without type processing, and each one's result processor (built once
    per distinct list of columns: a screen runs the same queries again and again)."""
    key = (dialect.name, *columns)
    found = _PLAIN_CACHE.get(key)
    if found is None:
        if len(_PLAIN_CACHE) > 500:  # column lists built anew each time (expressions): keep it small
            _PLAIN_CACHE.clear()
        plain = [type_coerce(column, NullType()).label(f"c{index}") for index, column in enumerate(columns)]
        processors = []
        for index, column in enumerate(columns):
            process = column.type.dialect_impl(dialect).result_processor(dialect, None)
            if process is not None:
                processors.append((index, process))
        found = _PLAIN_CACHE[key] = (plain, processors)
    return found


_PREBUILT: dict[tuple[str, Any], tuple[Any, list[tuple[int, Callable[[Any], Any]]]]] = {}


def read_rows(session: Session, query: Select[Any], params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    """The rows of a Core select of columns, as tuples of the usual Python values.

    The query runs with its columns' type processing turned off, and each column's own
    result processor (money from cents, enums, UTC datetimes) is applied afterwards,
    memoized per distinct stored value: reading 100,000 rows of amounts and statuses
    converts each distinct amount and status once, not once per row.

    With ``params``, ``query`` is a statement built once (a module constant with bind
    parameters): building a select and working out its cache key costs far more than
    running a small one, so screens that run the same queries keep them prebuilt.
    """
    dialect = session.get_bind().dialect
    if params is None:
        plain, processors = _plain_columns(dialect, list(query.selected_columns))
        statement = query.with_only_columns(*plain)
    else:
        found = _PREBUILT.get((dialect.name, query))
        if found is None:
            if len(_PREBUILT) > 500:
                _PREBUILT.clear()
            plain, processors = _plain_columns(dialect, list(query.selected_columns))
            found = _PREBUILT[(dialect.name, query)] = (query.with_only_columns(*plain), processors)
        statement, processors = found
    result = session.connection().execute(statement, params or {}).fetchall()
    if not processors or not result:
        return [tuple(row) for row in result]
    columns: list[Any] = list(zip(*result, strict=True))  # converted a column at a time
    for index, process in processors:
        memo = _Memo(process)
        try:
            columns[index] = [memo[value] for value in columns[index]]
        except TypeError:  # an unhashable value: not memoized
            columns[index] = [process(value) for value in columns[index]]
    return list(zip(*columns, strict=True))


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


# Rows per multi-row statement: enough to amortise the per-statement work, few enough that
# the statement text stays small (each distinct text is prepared once and cached).
ROWS_PER_STATEMENT = 500

Values = Sequence[Any]  # one row's values, in the order of its columns


def _bound_flat(dialect: Any, table: Table, columns: Sequence[str], rows: Sequence[Values]) -> list[Any]:
    """The rows' values through each column type's bind processor, row after row in one
    flat list. Converted a column at a time, each distinct value once."""
    converted: list[Any] = list(zip(*rows, strict=True))
    for index, key in enumerate(columns):
        process = table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            memo = _Memo(process)
            try:
                converted[index] = [memo[value] for value in converted[index]]
            except TypeError:  # an unhashable value: not memoized
                converted[index] = [process(value) for value in converted[index]]
    return list(chain.from_iterable(zip(*converted, strict=True)))


def _variable_limit(session: Session) -> int:
    driver = session.connection().connection.driver_connection
    return min(driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER), 32766)


def _run_in_batches(session: Session, head: str, tail: str, width: int, flat: list[Any]) -> None:
    """``head`` + ``(?, ...), (?, ...), ...`` + ``tail``, one statement per batch of rows.

    SQLite does a statement's fixed work (and builds the lookup tables of CHECK ... IN
    constraints) once per execution, so many rows per statement cost far less than an
    ``executemany`` of one row each; every row is still checked by every constraint."""
    group = "(" + ", ".join("?" * width) + ")"
    per_statement = max(1, min(ROWS_PER_STATEMENT, _variable_limit(session) // width))
    step = per_statement * width
    connection = session.connection()
    texts: dict[int, str] = {}
    for start in range(0, len(flat), step):
        values = flat[start : start + step]
        count = len(values) // width
        text = texts.get(count)
        if text is None:
            text = texts[count] = head + ", ".join([group] * count) + tail
        connection.exec_driver_sql(text, tuple(values))


def _sqlite_insert(session: Session, table: Table, columns: Sequence[str], rows: Sequence[Values]) -> None:
    dialect = session.get_bind().dialect
    preparer = dialect.identifier_preparer
    head = (
        f"INSERT INTO {preparer.format_table(table)} "
        f"({', '.join(preparer.quote(table.c[name].name) for name in columns)}) VALUES "
    )
    _run_in_batches(session, head, "", len(columns), _bound_flat(dialect, table, columns, rows))


def _sqlite_update(session: Session, table: Table, columns: Sequence[str], rows: Sequence[Values]) -> None:
    """``UPDATE ... FROM (VALUES ...)`` by primary key (the first column): each batch of
    rows is one statement."""
    dialect = session.get_bind().dialect
    preparer = dialect.identifier_preparer
    name = preparer.format_table(table)
    assignments = ", ".join(
        f"{preparer.quote(table.c[key].name)} = v.column{index}" for index, key in enumerate(columns[1:], 2)
    )
    head = f"UPDATE {name} SET {assignments} FROM (VALUES "
    tail = f") AS v WHERE {name}.{preparer.quote(table.c.id.name)} = v.column1"
    _run_in_batches(session, head, tail, len(columns), _bound_flat(dialect, table, columns, rows))


def _as_values(rows: Sequence[Row]) -> tuple[list[str], list[Values]]:
    columns = list(rows[0])
    get = itemgetter(*columns)
    if len(columns) == 1:
        return columns, [(get(row),) for row in rows]
    return columns, [get(row) for row in rows]


def insert_values(session: Session, model: Any, columns: Sequence[str], rows: Sequence[Values]) -> None:
    """Insert every row, each the values of ``columns`` in that order: on SQLite many rows
    per statement."""
    if not rows:
        return
    session.flush()
    table = _table(model)
    if _is_sqlite(session):
        _sqlite_insert(session, table, columns, rows)
    else:
        session.connection().execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in rows])


def insert_rows(session: Session, model: Any, rows: Sequence[Row]) -> None:
    """Insert every row (dicts, all with the same keys)."""
    if rows:
        insert_values(session, model, *_as_values(rows))


def insert_values_returning_ids(
    session: Session, model: Any, columns: Sequence[str], rows: Sequence[Values]
) -> list[int]:
    """Insert every row (as :func:`insert_values`) and return their new ids, in order."""
    if not rows:
        return []
    session.flush()
    table = _table(model)
    id_column = table.c.id
    if not _is_sqlite(session):
        statement = table.insert().returning(id_column, sort_by_parameter_order=True)
        params = [dict(zip(columns, row, strict=True)) for row in rows]
        return list(session.connection().execute(statement, params).scalars())
    before = session.execute(select(func.max(id_column))).scalar() or 0
    insert_values(session, table, columns, rows)
    first, last, count = session.execute(
        select(func.min(id_column), func.max(id_column), func.count()).where(id_column > before)
    ).one()
    if (first, last, count) != (before + 1, before + len(rows), len(rows)):
        raise RuntimeError(f"{table.name}: new ids are not consecutive; another writer in the same transaction?")
    return list(range(before + 1, before + len(rows) + 1))


def insert_rows_returning_ids(session: Session, model: Any, rows: Sequence[Row]) -> list[int]:
    """Insert every row (dicts) and return their new ids, in the order of ``rows``."""
    if not rows:
        return []
    return insert_values_returning_ids(session, model, *_as_values(rows))


def update_values(session: Session, model: Any, columns: Sequence[str], rows: Sequence[Values]) -> None:
    """Update rows by primary key: ``columns[0]`` is ``"id"``, each row its values in order.
    No row may appear twice."""
    if not rows:
        return
    if columns[0] != "id":
        raise ValueError("the first column of an update is the id")
    if len({row[0] for row in rows}) != len(rows):
        raise ValueError("the same row is updated twice")
    session.flush()
    table = _table(model)
    if _is_sqlite(session) and sqlite3.sqlite_version_info >= (3, 33):  # UPDATE ... FROM
        _sqlite_update(session, table, columns, rows)
        return
    dicts = [dict(zip(columns, row, strict=True)) for row in rows]
    if hasattr(model, "__mapper__"):
        session.execute(update(model), dicts)  # the ORM's bulk UPDATE by primary key
        return
    statement = (
        table.update()
        .where(table.c.id == bindparam("b_id"))
        .values({name: bindparam(f"b_{name}") for name in columns[1:]})
    )
    session.connection().execute(statement, [{f"b_{key}": value for key, value in row.items()} for row in dicts])


def update_rows(session: Session, model: Any, rows: Sequence[Row]) -> None:
    """Update rows by primary key: each row (a dict) has ``id`` and the same other keys."""
    if not rows:
        return
    columns = ["id", *(key for key in rows[0] if key != "id")]
    get = itemgetter(*columns)
    update_values(session, model, columns, [get(row) for row in rows])


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
    connection while the calling thread works out the next rows.

    The database driver lets go of Python's interpreter lock while SQLite (or the server)
    runs a statement, so on two cores building rows and writing them overlap. The session is
    the worker's from the first ``submit`` until :meth:`drain`: the caller reaches it only
    through ``submit``/``call``. Once something fails, nothing later runs: every following
    future, and ``drain``, raises that first error (the caller then rolls back).

    While it runs, threads swap the lock every :data:`SWITCH_INTERVAL` seconds instead of
    Python's 5 ms: the worker, back from a statement, would otherwise wait up to 5 ms for
    the lock before sending the next one, idling the database a little after every statement.
    """

    SWITCH_INTERVAL = 0.0005

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


def _largest_id(session: Session, table: Table) -> int:
    return session.execute(select(func.max(table.c.id))).scalar() or 0


def _insert_checked(session: Session, table: Table, columns: Sequence[str], rows: Sequence[Values], first: int) -> None:
    """Insert the rows, and check they got the ids ``first``, ``first + 1``, ..."""
    insert_values(session, table, columns, rows)
    id_column = table.c.id
    found = session.execute(
        select(func.min(id_column), func.max(id_column), func.count()).where(id_column >= first)
    ).one()
    if tuple(found) != (first, first + len(rows) - 1, len(rows)):
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
    statements: Statements, session: Session, model: Any, columns: Sequence[str], rows: Sequence[Values], ids: range
) -> None:
    """Submit the insert of rows that :func:`reserve_ids` gave ``ids``; it checks that they got them."""
    if rows:
        statements.submit(_insert_checked, session, _table(model), columns, rows, ids.start)


def submit_insert_returning_ids(
    statements: Statements, session: Session, model: Any, columns: Sequence[str], rows: Sequence[Values]
) -> list[int]:
    """:func:`insert_values_returning_ids` through ``statements``: on SQLite the new ids are
    known at once (:func:`reserve_ids`) and the insert runs later; elsewhere it is waited for
    (``RETURNING``). Every insert into that table during ``statements`` must go through here."""
    if not rows:
        return []
    ids = reserve_ids(statements, session, model, len(rows))
    if ids is None:
        return statements.call(insert_values_returning_ids, session, model, columns, rows)
    submit_insert(statements, session, model, columns, rows, ids)
    return list(ids)


def stored_values(
    session: Session, model: Any, columns: Sequence[str], rows: Sequence[Values]
) -> list[tuple[Any, ...]]:
    """The rows as the database stores them (each value through its column type's bind
    processor, each distinct value once), to compare with values read raw."""
    if not rows:
        return []
    flat = _bound_flat(session.get_bind().dialect, _table(model), columns, rows)
    width = len(columns)
    return list(zip(*(flat[index::width] for index in range(width)), strict=True))


def update_changed(
    session: Session,
    model: Any,
    columns: Sequence[str],
    rows: Sequence[Values],
    stored: Sequence[Sequence[Any] | None],
) -> None:
    """Update rows by primary key (``columns[0]`` is ``"id"``), setting only the columns
    whose value differs from ``stored`` (each row's other columns as read raw, in order;
    None: set them all). Rows that change the same columns share statements; a row that
    changes nothing is left alone. An index is only rewritten for the rows that change it."""
    if not rows:
        return
    new = stored_values(session, model, columns, rows)
    groups: dict[tuple[int, ...], list[tuple[Any, ...]]] = {}
    everything = tuple(range(1, len(columns)))
    for row, values, before in zip(rows, new, stored, strict=True):
        if before is None:
            changed = everything
        else:
            changed = tuple(index for index, old in enumerate(before, 1) if values[index] != old)
            if not changed:
                continue
        groups.setdefault(changed, []).append(row)
    for changed, group in groups.items():
        pick = itemgetter(0, *changed)
        update_values(session, model, ["id", *(columns[index] for index in changed)], [pick(row) for row in group])
