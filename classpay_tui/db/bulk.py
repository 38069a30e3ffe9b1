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

``prepare_insert`` and ``prepare_update`` convert the values at once and give the write to
run later (:mod:`classpay_tui.db.statement_thread` runs it in a second thread).

``read_rows`` is the same idea for reading many rows; ``prebuilt_read``, ``fetch_raw``
(or ``fetch_raw_together``), ``decoded`` and ``converted`` are its steps, for a caller that
reads in one thread and converts in another.

``insert_rows_returning_ids`` (and ``insert_values_returning_ids``) gives the new primary
keys in the order of the rows: on PostgreSQL with ``RETURNING`` sorted by parameter order;
on SQLite, whose write transactions are exclusive (``BEGIN IMMEDIATE``), from the table's
largest id before the insert — SQLite gives each new row the largest rowid plus one —
checked afterwards.
"""

from __future__ import annotations

import gc
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import chain
from operator import itemgetter
from typing import Any

from sqlalchemy import Select, Table, bindparam, func, select, type_coerce, update
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from classpay_tui.db.key_lists import sqlite_json

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


# Kept from one bulk statement to the next, so that an import converts each distinct amount,
# day or status once, not once per batch of rows; emptied when one grows past the limit.
_MEMO_LIMIT = 100_000
_BIND_MEMOS: dict[tuple[str, str, str], _Memo | None] = {}  # (dialect, table, column) → its memo
_RESULT_MEMOS: dict[Callable[[Any], Any], _Memo] = {}  # result processor → its memo


def _bind_memo(dialect: Any, table: Table, key: str) -> _Memo | None:
    """The memo of a column's bind processor; None if the column has no processor."""
    where = (dialect.name, table.name, key)
    try:
        memo = _BIND_MEMOS[where]
    except KeyError:
        process = table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
        memo = _BIND_MEMOS[where] = _Memo(process) if process is not None else None
    if memo is not None and len(memo) > _MEMO_LIMIT:
        memo.clear()
    return memo


def _result_memo(process: Callable[[Any], Any]) -> _Memo:
    memo = _RESULT_MEMOS.get(process)
    if memo is None:
        if len(_RESULT_MEMOS) > 500:  # processors of column lists built anew each time: keep it small
            _RESULT_MEMOS.clear()
        memo = _RESULT_MEMOS[process] = _Memo(process)
    elif len(memo) > _MEMO_LIMIT:
        memo.clear()
    return memo


def _through(memo: _Memo, values: Sequence[Any]) -> list[Any]:
    """Every value through the memo's processor (``map`` of the dict lookup: no Python
    frame per value), or straight through it where a value cannot be a dict key."""
    try:
        return list(map(memo.__getitem__, values))
    except TypeError:  # an unhashable value: not memoized
        return list(map(memo.processor, values))


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

Processors = list[tuple[int, Callable[[Any], Any]]]  # (column index, result processor)


def prebuilt_read(dialect: Any, query: Select[Any]) -> tuple[Any, Processors]:
    """A statement built once (a module constant with bind parameters) made ready for
    :func:`fetch_raw`: its columns without type processing, and their result processors
    for :func:`converted`. Building a select and working out its cache key costs far more
    than running a small one, so screens that run the same queries keep them prebuilt."""
    found = _PREBUILT.get((dialect.name, query))
    if found is None:
        if len(_PREBUILT) > 500:
            _PREBUILT.clear()
        plain, processors = _plain_columns(dialect, list(query.selected_columns))
        found = _PREBUILT[(dialect.name, query)] = (query.with_only_columns(*plain), processors)
    return found


_AS_JSON: dict[Any, Any] = {}


def _as_json_columns(statement: Any) -> Any:
    """``SELECT json_array(json_group_array(<column>), ...) FROM (<statement>)``, built
    once: the rows a column at a time. One pass of the aggregate steps every
    ``json_group_array`` over the same rows in the same order, so the i-th value of each
    column belongs to the same row."""
    found = _AS_JSON.get(statement)
    if found is None:
        if len(_AS_JSON) > 500:
            _AS_JSON.clear()
        rows = statement.subquery()
        found = _AS_JSON[statement] = select(func.json_array(*map(func.json_group_array, rows.c))).select_from(rows)
    return found


Fetched = list[Any] | str | None  # rows as read: the driver's, or one JSON array of columns (text)


def fetch_raw(session: Session, statement: Any, params: dict[str, Any]) -> Fetched:
    """The rows of a statement from :func:`prebuilt_read` with the values the database
    stores (rows in no particular order), to be :func:`decoded` (where the caller likes:
    in a statement thread, decoding waits for the interpreter lock).

    On SQLite they come back as one JSON array of columns, read in one step: the driver
    takes the interpreter lock back after every row it steps to, and while another thread
    runs Python each of those waits its turn, which makes reading many rows crawl. A column
    at a time, decoding makes one list per column instead of one per row, and the columns
    are what :func:`converted` works on. JSON keeps every stored value as it is (integers
    exactly, text, NULL); classpay stores no blobs or floats."""
    if session.get_bind().dialect.name == "sqlite" and sqlite_json():
        return session.connection().execute(_as_json_columns(statement), params).scalar()
    result = session.connection().execute(statement, params)
    try:
        return result.cursor.fetchall() if result.cursor is not None else []
    finally:
        result.close()


_TOGETHER: dict[tuple[Any, ...], Any] = {}


def fetch_raw_together(session: Session, statements: Sequence[Any], params: dict[str, Any]) -> list[Fetched]:
    """:func:`fetch_raw` of each statement, all run with the same ``params``. On SQLite
    they are one statement (``SELECT (<first as JSON>), (<second as JSON>), ...``): a
    statement thread then takes the interpreter lock back once for all of them, not once
    each, and every wait for the lock is a wait while another thread runs Python."""
    if session.get_bind().dialect.name != "sqlite" or not sqlite_json():
        return [fetch_raw(session, statement, params) for statement in statements]
    key = tuple(statements)
    together = _TOGETHER.get(key)
    if together is None:
        if len(_TOGETHER) > 100:
            _TOGETHER.clear()
        together = _TOGETHER[key] = select(*(_as_json_columns(each).scalar_subquery() for each in statements))
    return list(session.connection().execute(together, params).one())


Columns = list[Sequence[Any]]  # one sequence of values per column, all of the same length


def decoded(pieces: Sequence[Fetched]) -> Columns | None:
    """The columns of what :func:`fetch_raw` read, one piece after the other (None: no rows)."""
    parts = [
        json.loads(piece) if isinstance(piece, str) else list(zip(*piece, strict=True)) for piece in pieces if piece
    ]
    parts = [part for part in parts if part[0]]  # an empty result is a JSON array of empty columns
    if len(parts) <= 1:
        return parts[0] if parts else None
    return [list(chain.from_iterable(part[index] for part in parts)) for index in range(len(parts[0]))]


def converted(columns: Columns | None, processors: Processors) -> list[tuple[Any, ...]]:
    """Rows of the columns of :func:`decoded`, each column's result processor applied, a
    column at a time, each distinct stored value once."""
    if columns is None:
        return []
    columns = list(columns)
    for index, process in processors:
        columns[index] = _through(_result_memo(process), columns[index])
    return list(zip(*columns, strict=True))


def read_rows(session: Session, query: Select[Any], params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    """The rows of a Core select of columns, as tuples of the usual Python values.

    The query runs with its columns' type processing turned off, and each column's own
    result processor (money from cents, enums, UTC datetimes) is applied afterwards,
    memoized per distinct stored value: reading 100,000 rows of amounts and statuses
    converts each distinct amount and status once, not once per row.

    With ``params``, ``query`` is a statement built once (see :func:`prebuilt_read`).
    """
    dialect = session.get_bind().dialect
    if params is None:
        plain, processors = _plain_columns(dialect, list(query.selected_columns))
        statement = query.with_only_columns(*plain)
    else:
        statement, processors = prebuilt_read(dialect, query)
    return converted(decoded([session.connection().execute(statement, params or {}).fetchall()]), processors)


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


# Rows per multi-row statement, at most (SQLite's limit on parameters caps it too: ~3,000
# rows of 10 columns). Many rows amortise the statement's fixed work; and a statement
# thread waits for the interpreter lock once per statement, as long as whatever the other
# thread is running at that moment takes, so fewer statements mean fewer such waits. Each
# distinct text is prepared once and cached.
ROWS_PER_STATEMENT = 5000

Values = Sequence[Any]  # one row's values, in the order of its columns


def _bound_flat(dialect: Any, table: Table, columns: Sequence[str], rows: Sequence[Values]) -> list[Any]:
    """The rows' values through each column type's bind processor, row after row in one
    flat list. Converted a column at a time, each distinct value once (:func:`_bind_memo`)."""
    converted: list[Any] = list(zip(*rows, strict=True))
    for index, key in enumerate(columns):
        memo = _bind_memo(dialect, table, key)
        if memo is not None:
            converted[index] = _through(memo, converted[index])
    return list(chain.from_iterable(zip(*converted, strict=True)))


def _variable_limit(session: Session) -> int:
    driver = session.connection().connection.driver_connection
    return min(driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER), 32766)


Write = Callable[[], None]  # a write whose values are converted already: running it only sends them


def _in_batches(session: Session, head: str, tail: str, width: int, flat: list[Any]) -> Write:
    """``head`` + ``(?, ...), (?, ...), ...`` + ``tail``, one statement per batch of rows.

    SQLite does a statement's fixed work (and builds the lookup tables of CHECK ... IN
    constraints) once per execution, so many rows per statement cost far less than an
    ``executemany`` of one row each; every row is still checked by every constraint."""

    def run() -> None:
        session.flush()
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

    return run


def _nothing() -> None:
    pass


def prepare_insert(session: Session, model: Any, columns: Sequence[str], rows: Sequence[Values]) -> Write:
    """The insert of every row (each the values of ``columns`` in that order), its values
    converted now; running it (later, in the same transaction) only sends them."""
    if not rows:
        return _nothing
    table = _table(model)
    dialect = session.get_bind().dialect
    if dialect.name != "sqlite":
        dicts = [dict(zip(columns, row, strict=True)) for row in rows]

        def run() -> None:
            session.flush()
            session.connection().execute(table.insert(), dicts)

        return run
    preparer = dialect.identifier_preparer
    head = (
        f"INSERT INTO {preparer.format_table(table)} "
        f"({', '.join(preparer.quote(table.c[name].name) for name in columns)}) VALUES "
    )
    return _in_batches(session, head, "", len(columns), _bound_flat(dialect, table, columns, rows))


def prepare_update(session: Session, model: Any, columns: Sequence[str], rows: Sequence[Values]) -> Write:
    """The update of rows by primary key (``columns[0]`` is ``"id"``, each row its values in
    order; no row may appear twice), its values converted now. On SQLite each batch of rows
    is one ``UPDATE ... FROM (VALUES ...)``."""
    if not rows:
        return _nothing
    if columns[0] != "id":
        raise ValueError("the first column of an update is the id")
    if len({row[0] for row in rows}) != len(rows):
        raise ValueError("the same row is updated twice")
    table = _table(model)
    dialect = session.get_bind().dialect
    if dialect.name == "sqlite" and sqlite3.sqlite_version_info >= (3, 33):  # UPDATE ... FROM
        preparer = dialect.identifier_preparer
        name = preparer.format_table(table)
        assignments = ", ".join(
            f"{preparer.quote(table.c[key].name)} = v.column{index}" for index, key in enumerate(columns[1:], 2)
        )
        head = f"UPDATE {name} SET {assignments} FROM (VALUES "
        tail = f") AS v WHERE {name}.{preparer.quote(table.c.id.name)} = v.column1"
        return _in_batches(session, head, tail, len(columns), _bound_flat(dialect, table, columns, rows))
    dicts = [dict(zip(columns, row, strict=True)) for row in rows]

    def run() -> None:
        session.flush()
        if hasattr(model, "__mapper__"):
            session.execute(update(model), dicts)  # the ORM's bulk UPDATE by primary key
            return
        statement = (
            table.update()
            .where(table.c.id == bindparam("b_id"))
            .values({name: bindparam(f"b_{name}") for name in columns[1:]})
        )
        session.connection().execute(statement, [{f"b_{key}": value for key, value in row.items()} for row in dicts])

    return run


def _as_values(rows: Sequence[Row]) -> tuple[list[str], list[Values]]:
    columns = list(rows[0])
    get = itemgetter(*columns)
    if len(columns) == 1:
        return columns, [(get(row),) for row in rows]
    return columns, [get(row) for row in rows]


def insert_values(session: Session, model: Any, columns: Sequence[str], rows: Sequence[Values]) -> None:
    """Insert every row, each the values of ``columns`` in that order: on SQLite many rows
    per statement."""
    prepare_insert(session, model, columns, rows)()


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
    prepare_update(session, model, columns, rows)()


def update_rows(session: Session, model: Any, rows: Sequence[Row]) -> None:
    """Update rows by primary key: each row (a dict) has ``id`` and the same other keys."""
    if not rows:
        return
    columns = ["id", *(key for key in rows[0] if key != "id")]
    get = itemgetter(*columns)
    update_values(session, model, columns, [get(row) for row in rows])
