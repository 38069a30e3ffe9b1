"""Copying a live SQLite database safely, while people keep working in it."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


def backup_sqlite(source: Path, target: Path) -> int:
    """SQLite's online backup API: a consistent snapshot even while others write (a plain
    file copy of a WAL database can miss committed pages). Returns the pages copied."""
    temporary = target.with_name(target.name + ".partial")
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src, sqlite3.connect(temporary) as dst:
        src.backup(dst, pages=1024)
        pages = dst.execute("PRAGMA page_count").fetchone()[0]
        ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
    if ok != "ok":
        temporary.unlink(missing_ok=True)
        raise RuntimeError(f"the copy failed its integrity check: {ok}")
    os.chmod(temporary, 0o640)
    os.replace(temporary, target)  # never leave a half-written backup under the real name
    return pages
