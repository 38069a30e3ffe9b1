"""``column IN (many keys)`` for the bulk paths, with the keys as one parameter on SQLite.

SQLAlchemy's expanding ``IN`` renders a placeholder (and a parameter) for each key on
every execution: for a few thousand keys that costs more than SQLite takes to run the
query. On SQLite (3.38 and later, where the JSON functions are built in) the keys go as
one JSON array read with ``json_each``, so the statement text never changes; elsewhere
the expanding ``IN`` stays (PostgreSQL handles it well).

A statement built with :func:`in_keys` for a dialect is run with
``{name: keys_value(dialect_name, keys)}``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, select

_JSON_KEYS = sqlite3.sqlite_version_info >= (3, 38)


def sqlite_json() -> bool:
    """Whether this SQLite has the JSON functions built in."""
    return _JSON_KEYS


def _json_keys(dialect_name: str) -> bool:
    return dialect_name == "sqlite" and _JSON_KEYS


def in_keys(column: Any, dialect_name: str, name: str = "keys") -> ColumnElement[bool]:
    """``column`` is one of the keys given as parameter ``name``."""
    if _json_keys(dialect_name):
        keys = func.json_each(bindparam(name)).table_valued("value")
        return column.in_(select(keys.c.value))
    return column.in_(bindparam(name, expanding=True))


def keys_value(dialect_name: str, keys: Sequence[Any]) -> Any:
    """The parameter value for :func:`in_keys`: ints or strings."""
    return json.dumps(list(keys)) if _json_keys(dialect_name) else list(keys)
