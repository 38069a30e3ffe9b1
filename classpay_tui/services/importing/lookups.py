"""Finding stored records by the keys import files use, many keys per query."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

CHUNK = 2000


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def existing(session: Session, column: Any, keys: Iterable[Any], *extra: Any) -> dict[Any, Any]:
    """Stored rows whose ``column`` is one of ``keys``: key → (key, *extra). One statement,
    built once, run per chunk of keys."""
    found: dict[Any, Any] = {}
    wanted = sorted(set(keys))
    if not wanted:
        return found
    query = select(column, *extra).where(column.in_(bindparam("keys", expanding=True)))
    for part in chunks(wanted):
        for row in session.execute(query, {"keys": list(part)}):
            found[row[0]] = row
    return found
