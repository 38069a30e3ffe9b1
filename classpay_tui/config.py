"""Where the database is: ``--db``, then ``CLASSPAY_DB``, then a file in the user's data directory."""

from __future__ import annotations

import os
from pathlib import Path

ENV_DB = "CLASSPAY_DB"


def default_database_path() -> Path:
    import platformdirs  # only when neither --db nor CLASSPAY_DB says where: a few ms at every start

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
    """Create the directory and an empty file for ``init``: the owner and the directory's
    group may read and write (the office's ``classpay`` group), the world nothing.

    A directory created here gets the set-group-id bit, so the WAL and journal files
    SQLite makes beside the database belong to the same group.
    """
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o770)
        os.chmod(path.parent, 0o2770)
    if not path.exists():
        descriptor = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o660)
        os.close(descriptor)
        os.chmod(path, 0o660)
