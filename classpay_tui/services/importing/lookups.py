"""Finding stored records by the keys import files use, many keys per query."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from classpay_tui.db.bulk import converted, fetch_raw, prebuilt_read
from classpay_tui.db.key_lists import in_keys, keys_value

CHUNK = 2000


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


@cache
def _query(dialect: str, column: Any, extra: tuple[Any, ...]) -> Select[Any]:
    return select(column, *extra).where(in_keys(column, dialect))


def existing(session: Session, column: Any, keys: Iterable[Any], *extra: Any) -> dict[Any, Any]:
    """Stored rows whose ``column`` is one of ``keys``: key → (key, *extra). One statement,
    built once, run per chunk of keys."""
    found: dict[Any, Any] = {}
    wanted = list(set(keys))  # any order: the database sorts the key list itself
    if not wanted:
        return found
    dialect = session.get_bind().dialect
    statement, processors = prebuilt_read(dialect, _query(dialect.name, column, extra))
    for part in chunks(wanted):
        rows = fetch_raw(session, statement, {"keys": keys_value(dialect.name, part)})
        for row in converted(rows, processors):
            found[row[0]] = row
    return found
