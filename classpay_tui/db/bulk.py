"""Bulk writes: many rows per statement, for the importer, the demo and the bulk settle.

``insert_rows`` and ``update_rows`` take lists of dicts keyed by column name, with the
same Python values the models use (``Decimal`` money, aware datetimes, enums).

On SQLite the Core ``insert()`` / ``update()`` is compiled once and run as one DBAPI
``executemany``; every value goes through its column type's own bind processor (so money
is still checked and stored as cents), memoized per distinct value, because the type
processing, not SQLite, is what costs most per row. Elsewhere (PostgreSQL) the rows go
through SQLAlchemy's own Core executemany ("insertmanyvalues"), which is already fast.

``read_rows`` is the same idea for reading many rows.

``insert_rows_returning_ids`` gives the new primary keys in the order of the rows: on
PostgreSQL with ``RETURNING`` sorted by parameter order; on SQLite, whose write
transactions are exclusive (``BEGIN IMMEDIATE``), from the table's largest id before the
insert — SQLite gives each new row the largest rowid plus one — checked afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
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


def _memoized(processor: Callable[[Any], Any] | None) -> _Memo | None:
    return None if processor is None else _Memo(processor)


def _convert(values: list[Any], memos: list[tuple[int, _Memo]]) -> None:
    for index, memo in memos:
        value = values[index]
        try:
            values[index] = memo[value]
        except TypeError:  # unhashable: not memoized
            values[index] = memo.processor(value)


@contextmanager
def bulk_work(session: Session, cache_mib: int = 256) -> Iterator[None]:
    """For one bulk operation: a bigger SQLite page cache on this connection (so pages
    are not spilled to the WAL and rewritten again and again while hundreds of thousands
    of rows go into the indexes), and Python's cyclic garbage collector paused (the rows
    are millions of small objects without cycles). Both are restored afterwards."""
    sqlite = _is_sqlite(session)
    if sqlite:
        before = session.connection().exec_driver_sql("PRAGMA cache_size").scalar()
        session.connection().exec_driver_sql(f"PRAGMA cache_size = {-cache_mib * 1024}")
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
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
    if not processors:
        return [tuple(row) for row in result]
    memos = [(index, _Memo(process)) for index, process in processors]
    rows = []
    for row in result:
        values = list(row)
        _convert(values, memos)
        rows.append(tuple(values))
    return rows


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _executemany(session: Session, table: Table, statement: Any, keys: dict[str, str], rows: Sequence[Row]) -> None:
    """Run a Core statement, compiled once, as one DBAPI executemany (SQLite).

    ``keys`` maps each bind parameter's name to the column (and row key) it carries.
    """
    dialect = session.get_bind().dialect
    compiled = statement.compile(dialect=dialect)
    order = [keys[name] for name in compiled.positiontup or ()]
    processors = []
    for index, key in enumerate(order):
        process = _memoized(table.c[key].type.dialect_impl(dialect).bind_processor(dialect))
        if process is not None:
            processors.append((index, process))
    get, single = itemgetter(*order), len(order) == 1
    params = []
    for row in rows:
        values = [get(row)] if single else list(get(row))
        _convert(values, processors)
        params.append(tuple(values))
    session.connection().exec_driver_sql(str(compiled), params)


def insert_rows(session: Session, model: Any, rows: Sequence[Row]) -> None:
    """Insert every row (all with the same keys) in one executemany."""
    if not rows:
        return
    session.flush()
    table = _table(model)
    names = list(rows[0])
    if _is_sqlite(session):
        statement = table.insert().values({name: bindparam(name) for name in names})
        _executemany(session, table, statement, {name: name for name in names}, rows)
    else:
        session.connection().execute(table.insert(), list(rows))


def insert_rows_returning_ids(session: Session, model: Any, rows: Sequence[Row]) -> list[int]:
    """Insert every row and return their new ids, in the order of ``rows``."""
    if not rows:
        return []
    session.flush()
    table = _table(model)
    id_column = table.c.id
    if not _is_sqlite(session):
        statement = table.insert().returning(id_column, sort_by_parameter_order=True)
        return list(session.connection().execute(statement, list(rows)).scalars())
    before = session.execute(select(func.max(id_column))).scalar() or 0
    insert_rows(session, table, rows)
    first, last, count = session.execute(
        select(func.min(id_column), func.max(id_column), func.count()).where(id_column > before)
    ).one()
    if (first, last, count) != (before + 1, before + len(rows), len(rows)):
        raise RuntimeError(f"{table.name}: new ids are not consecutive; another writer in the same transaction?")
    return list(range(before + 1, before + len(rows) + 1))


def update_rows(session: Session, model: Any, rows: Sequence[Row]) -> None:
    """Update rows by primary key: each row has ``id`` and the same other keys."""
    if not rows:
        return
    session.flush()
    table = _table(model)
    if not _is_sqlite(session) and hasattr(model, "__mapper__"):
        session.execute(update(model), list(rows))  # the ORM's bulk UPDATE by primary key
        return
    keys = {f"b_{name}": name for name in rows[0]}
    statement = (
        table.update()
        .where(table.c.id == bindparam("b_id"))
        .values({name: bindparam(param) for param, name in keys.items() if name != "id"})
    )
    if _is_sqlite(session):
        _executemany(session, table, statement, keys, rows)
    else:
        session.connection().execute(statement, [{f"b_{key}": value for key, value in row.items()} for row in rows])
