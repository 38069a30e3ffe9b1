"""Is the database at the newest schema? Answered without importing Alembic.

Every command and the terminal app ask this before they start, and importing Alembic (with
its migration scripts) takes about a fifth of a second. Alembic keeps the revision in the
one-row table ``alembic_version``; the newest revision is the one no migration names as
its ``down_revision``, read here from the migration files as Alembic would. When the files
do not make one plain chain (a merge migration, a branch), :func:`head_revision` asks
Alembic after all, so the answer is never a guess.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import Engine, inspect

VERSIONS = Path(__file__).parent / "migrations" / "versions"
VERSION_TABLE = "alembic_version"

_REVISION = re.compile(r"""^revision\s*(?::[^=]*)?=\s*['"]([^'"]+)['"]\s*$""", re.MULTILINE)
_DOWN_REVISION = re.compile(r"""^down_revision\s*(?::[^=]*)?=\s*(?:None|['"]([^'"]+)['"])\s*$""", re.MULTILINE)


def stored_revisions(engine: Engine) -> tuple[str, ...]:
    """The revisions the database says it is at: none for a database never set up, one
    normally (more only if someone branched the migrations)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return ()
        return tuple(sorted(connection.exec_driver_sql(f"SELECT version_num FROM {VERSION_TABLE}").scalars()))


def head_revision() -> str | None:
    """The newest migration's revision id."""
    head = plain_chain_head(VERSIONS)
    if head is not None:
        return head
    from classpay_tui.db.migrate import head_revision as alembic_head

    return alembic_head()


def plain_chain_head(folder: Path) -> str | None:
    """The one revision in ``folder`` that no other migration revises, if every file names
    its revision and a single ``down_revision`` (or None); otherwise None."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for script in folder.glob("*.py"):
        text = script.read_text(encoding="utf-8")
        revision, down = _REVISION.findall(text), _DOWN_REVISION.findall(text)
        if len(revision) != 1 or len(down) != 1:
            return None
        revisions.add(revision[0])
        if down[0]:
            revised.add(down[0])
    heads = revisions - revised
    return heads.pop() if len(heads) == 1 and revised <= revisions else None
