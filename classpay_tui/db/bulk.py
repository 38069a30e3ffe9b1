"""Bulk writes: many rows per statement, for the importer, the demo and the bulk settle.

``insert_rows`` and ``update_rows`` take lists of dicts keyed by column name, with the
same Python values the models use (``Decimal`` money, aware datetimes, enums).

On SQLite the Core ``insert()`` / ``update()`` is compiled once and run as one DBAPI
``executemany``; every value goes through its column type's own bind processor (so money
is still checked and stored as cents), memoized per distinct value, because the type
processing, not SQLite, is what costs most per row. Elsewhere (PostgreSQL) the rows go
through SQLAlchemy's own Core executemany ("insertmanyvalues"), which is already fast.

``insert_rows_returning_ids`` gives the new primary keys in the order of the rows: on
PostgreSQL with ``RETURNING`` sorted by parameter order; on SQLite, whose write
transactions are exclusive (``BEGIN IMMEDIATE``), from the table's largest id before the
insert — SQLite gives each new row the largest rowid plus one — checked afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

Row = dict[str, Any]


def _table(model: Any) -> Table:
    return model.__table__ if hasattr(model, "__table__") else model


def _memoized(processor: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
    if processor is None:
        return None
    cache: dict[Any, Any] = {}

    def process(value: Any) -> Any:
        try:
            return cache[value]
        except KeyError:
            result = cache[value] = processor(value)
            return result
        except TypeError:  # unhashable
            return processor(value)

    return process


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _executemany(session: Session, table: Table, statement: Any, keys: dict[str, str], rows: Sequence[Row]) -> None:
    """Run a Core statement, compiled once, as one DBAPI executemany (SQLite).

    ``keys`` maps each bind parameter's name to the column (and row key) it carries.
    """
    dialect = session.get_bind().dialect
    compiled = statement.compile(dialect=dialect)
    pairs = []
    for name in compiled.positiontup or ():
        column = table.c[keys[name]]
        pairs.append((keys[name], _memoized(column.type.dialect_impl(dialect).bind_processor(dialect))))
    params = [tuple(row[key] if process is None else process(row[key]) for key, process in pairs) for row in rows]
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
