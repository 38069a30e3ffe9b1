"""Where the database is: ``--db``, then ``CLASSPAY_DB``, then a file in the user's data directory."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

ENV_DB = "CLASSPAY_DB"


def default_database_path() -> Path:
    return Path(platformdirs.user_data_dir("classpay", appauthor=False)) / "classpay.db"


def resolve_database(flag: str | None) -> str:
    """The database target: a SQLAlchemy URL or a path to a SQLite file."""
    return flag or os.environ.get(ENV_DB) or str(default_database_path())


def sqlite_path(target: str) -> Path | None:
    """The file behind a SQLite target, or None for other databases."""
    if target.startswith("sqlite:///"):
        return Path(target.removeprefix("sqlite:///")).expanduser()
    if "://" in target:
        return None
    return Path(target).expanduser()


def prepare_sqlite_file(path: Path) -> None:
    """Create the directory and an empty file without world access (``init`` only)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o770)
    if not path.exists():
        descriptor = os.open(path, os.O_CREAT | os.O_WRONLY, 0o660)
        os.close(descriptor)
