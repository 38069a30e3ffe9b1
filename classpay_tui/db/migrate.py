"""Schema upgrades through Alembic, run from code (``classpay init``).

Alembic is imported when a function here runs, not with this module: it takes a fifth of
a second to import, and the terminal app (which imports the services, and so this) should
paint its first screen without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade_to_head(engine: Engine) -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def described_by_models(name: str | None, kind: str, parent: object) -> bool:
    """Alembic's ``include_name``: whether a database object is one the models describe.
    The search index of migration 0008 is not (``bundle_search``, its FTS5 index and that
    index's own tables, on SQLite): triggers keep it and plain SQL reads it, so comparing
    the models with the database must not propose dropping it."""
    return not (kind == "table" and (name or "").startswith("bundle_search"))
