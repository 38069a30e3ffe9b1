"""Statements compiled once and run straight on the driver's cursor (SQLite).

Running a small statement costs SQLite a few microseconds; SQLAlchemy's execution around
it (parameters, execution context, result metadata and row objects) costs ten times that,
and a write that should take about a millisecond runs a dozen statements. A
:class:`Prepared` statement is compiled once per kind of database; on SQLite each run
converts its parameters and result values with the columns' own type processing (money
as cents, UTC timestamps, enums), as SQLAlchemy would, and hands the SQL to the cursor.
The engine's ``before_cursor_execute`` / ``after_cursor_execute`` listeners still see every
statement (query counts, captured SQL), and driver errors are raised as SQLAlchemy's.
Elsewhere (PostgreSQL), or with the engine's SQL logging on, it runs through Core.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.expression import Executable

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # the parameters in the order the SQL takes them
    defaults: dict[str, Any]  # values the statement carries itself (literals, LIMIT 1)
    binds: tuple[tuple[int, Processor], ...]
    results: tuple[tuple[int, Processor], ...]


class Prepared:
    """One Core statement (a select, insert or update with bind parameters)."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, str], _Compiled] = {}

    def rows(self, connection: Connection, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        if not _direct(connection):
            return [tuple(row) for row in connection.execute(self.statement, params)]
        compiled = self._compile(connection)
        cursor = _run(connection, compiled, _values(compiled, params), many=False)
        try:
            found = cursor.fetchall()
        finally:
            cursor.close()
        if not compiled.results:
            return found
        rows = []
        for row in found:
            values = list(row)
            for index, process in compiled.results:
                values[index] = process(values[index])
            rows.append(tuple(values))
        return rows

    def first(self, connection: Connection, params: dict[str, Any]) -> tuple[Any, ...] | None:
        rows = self.rows(connection, params)
        return rows[0] if rows else None

    def insert(self, connection: Connection, params: dict[str, Any]) -> int:
        """Run an INSERT of one row; returns its new primary key."""
        if not _direct(connection):
            return int(connection.execute(self.statement, params).inserted_primary_key[0])
        compiled = self._compile(connection)
        cursor = _run(connection, compiled, _values(compiled, params), many=False)
        try:
            return int(cursor.lastrowid)
        finally:
            cursor.close()

    def run(self, connection: Connection, params: dict[str, Any] | Sequence[dict[str, Any]]) -> None:
        """Run an INSERT or UPDATE: once, or once per dict of a list (one executemany)."""
        if not _direct(connection):
            connection.execute(self.statement, params)
            return
        compiled = self._compile(connection)
        if isinstance(params, dict) or len(params) == 1:
            one = params if isinstance(params, dict) else params[0]
            cursor = _run(connection, compiled, _values(compiled, one), many=False)
        else:
            cursor = _run(connection, compiled, [_values(compiled, item) for item in params], many=True)
        cursor.close()

    def _compile(self, connection: Connection) -> _Compiled:
        dialect = connection.dialect
        key = (dialect.name, dialect.driver)
        found = self._compiled.get(key)
        if found is None:
            compiled = self.statement.compile(dialect=dialect)
            names = tuple(compiled.positiontup or ())
            binds = []
            for index, name in enumerate(names):
                process = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
                if process is not None:
                    binds.append((index, process))
            results = []
            for index, column in enumerate(getattr(self.statement, "selected_columns", ())):
                process = column.type.dialect_impl(dialect).result_processor(dialect, None)
                if process is not None:
                    results.append((index, process))
            defaults = {name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required}
            found = self._compiled[key] = _Compiled(compiled.string, names, defaults, tuple(binds), tuple(results))
        return found


def _direct(connection: Connection) -> bool:
    return connection.dialect.name == "sqlite" and not connection.engine.echo


def _values(compiled: _Compiled, params: dict[str, Any]) -> tuple[Any, ...]:
    defaults = compiled.defaults
    values = [params[name] if name in params else defaults[name] for name in compiled.names]
    for index, process in compiled.binds:
        values[index] = process(values[index])
    return tuple(values)


def _run(connection: Connection, compiled: _Compiled, values: Any, *, many: bool) -> Any:
    if not connection.in_transaction():
        connection.begin()  # as Core would (autobegin): never a statement outside the transaction
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    sql = compiled.sql
    dispatch = connection.dispatch
    for listen in dispatch.before_cursor_execute:
        sql, values = listen(connection, cursor, sql, values, None, many)
    try:
        if many:
            cursor.executemany(sql, values)
        else:
            cursor.execute(sql, values)
    except connection.dialect.loaded_dbapi.Error as error:
        cursor.close()
        raise DBAPIError.instance(sql, values, error, connection.dialect.loaded_dbapi.Error) from error
    for listen in dispatch.after_cursor_execute:
        listen(connection, cursor, sql, values, None, many)
    return cursor
