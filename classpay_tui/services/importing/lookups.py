"""Finding stored records by the keys import files use, many keys per query."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from classpay_tui.db.bulk import Fetched, Processors, converted, decoded, fetch_raw, prebuilt_read
from classpay_tui.db.key_lists import in_keys, keys_value, sqlite_json

CHUNK = 2000


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


@cache
def _query(dialect: str, column: Any, extra: tuple[Any, ...]) -> Select[Any]:
    return select(column, *extra).where(in_keys(column, dialect))


class Lookup(NamedTuple):
    """What :func:`look_up` read, to be made into :meth:`found` rows (by the caller's thread)."""

    processors: Processors
    pieces: list[Fetched]

    def found(self) -> dict[Any, Any]:
        """Key → (key, *extra)."""
        return {row[0]: row for row in converted(decoded(self.pieces), self.processors)}


class LookupQuery(NamedTuple):
    """A :func:`look_up` made ready by the caller's thread (its statement, and the keys
    encoded as parameters), so that the thread running it only sends it (:meth:`run`)."""

    statement: Any
    processors: Processors
    params: list[dict[str, Any]]  # one statement per item

    def run(self, session: Session) -> Lookup:
        return Lookup(self.processors, [fetch_raw(session, self.statement, params) for params in self.params])


def lookup_query(session: Session, column: Any, keys: Iterable[Any], *extra: Any) -> LookupQuery:
    """The stored rows whose ``column`` is one of ``keys``, to be read by :meth:`LookupQuery.run`:
    one statement, built once, run per chunk of keys (on SQLite all keys go in one
    parameter, so one statement reads them all)."""
    wanted = list(set(keys))  # any order: the database sorts the key list itself
    dialect = session.get_bind().dialect
    statement, processors = prebuilt_read(dialect, _query(dialect.name, column, extra))
    size = max(len(wanted), 1) if dialect.name == "sqlite" and sqlite_json() else CHUNK
    params = [{"keys": keys_value(dialect.name, part)} for part in chunks(wanted, size)]
    return LookupQuery(statement, processors, params)


def look_up(session: Session, column: Any, keys: Iterable[Any], *extra: Any) -> Lookup:
    """Read the stored rows whose ``column`` is one of ``keys``; nothing decoded yet."""
    return lookup_query(session, column, keys, *extra).run(session)


def existing(session: Session, column: Any, keys: Iterable[Any], *extra: Any) -> dict[Any, Any]:
    """Stored rows whose ``column`` is one of ``keys``: key → (key, *extra)."""
    return look_up(session, column, keys, *extra).found()
