"""Finding stored records by the keys import files use, many keys per query."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from classpay_tui.db.bulk import Fetched, Processors, converted, decoded, fetch_raw, prebuilt_read
from classpay_tui.db.key_lists import in_keys, keys_value

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


def look_up(session: Session, column: Any, keys: Iterable[Any], *extra: Any) -> Lookup:
    """Read the stored rows whose ``column`` is one of ``keys``: one statement, built once,
    run per chunk of keys; nothing decoded yet."""
    wanted = list(set(keys))  # any order: the database sorts the key list itself
    dialect = session.get_bind().dialect
    statement, processors = prebuilt_read(dialect, _query(dialect.name, column, extra))
    pieces = [fetch_raw(session, statement, {"keys": keys_value(dialect.name, part)}) for part in chunks(wanted)]
    return Lookup(processors, pieces)


def existing(session: Session, column: Any, keys: Iterable[Any], *extra: Any) -> dict[Any, Any]:
    """Stored rows whose ``column`` is one of ``keys``: key → (key, *extra)."""
    return look_up(session, column, keys, *extra).found()
