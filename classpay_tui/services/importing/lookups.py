"""Finding stored records by the keys import files use, many keys per query."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

CHUNK = 2000


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def existing(session: Session, column: Any, keys: Iterable[Any], *extra: Any) -> dict[Any, Any]:
    """Stored rows whose ``column`` is one of ``keys``: key → (key, *extra)."""
    found: dict[Any, Any] = {}
    for part in chunks(sorted(set(keys))):
        for row in session.execute(select(column, *extra).where(column.in_(part))):
            found[row[0]] = row
    return found
