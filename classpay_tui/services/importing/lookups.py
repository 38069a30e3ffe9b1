"""Finding stored records by the keys import files use, many keys per query."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from classpay_tui.db.key_lists import in_keys, keys_value

CHUNK = 2000


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def existing(session: Session, column: Any, keys: Iterable[Any], *extra: Any) -> dict[Any, Any]:
    """Stored rows whose ``column`` is one of ``keys``: key → (key, *extra). One statement,
    built once, run per chunk of keys."""
    found: dict[Any, Any] = {}
    wanted = list(set(keys))  # any order: the database sorts the key list itself
    if not wanted:
        return found
    dialect = session.get_bind().dialect.name
    query = select(column, *extra).where(in_keys(column, dialect))
    for part in chunks(wanted):
        for row in session.execute(query, {"keys": keys_value(dialect, part)}):
            found[row[0]] = row
    return found
