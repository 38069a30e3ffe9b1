"""The schema check every command and the app run at start, read without Alembic: it must
agree with Alembic, refuse a database at an older revision until ``init`` upgrades it,
and refuse one that was never set up."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command

from classpay_tui.db.engine import Database
from classpay_tui.db.migrate import alembic_config, current_revision
from classpay_tui.db.migrate import head_revision as alembic_head
from classpay_tui.db.schema_version import VERSIONS, head_revision, plain_chain_head, stored_revisions
from classpay_tui.domain.errors import NotFound, Refused
from classpay_tui.services import ClassPaymentService

MIGRATION = '''"""{name}"""
revision: str = "{revision}"
down_revision: str | None = {down}
branch_labels = None
depends_on = None
'''


def write_migration(folder: Path, revision: str, down: str | None) -> None:
    down_text = "None" if down is None else repr(down)
    (folder / f"{revision}_step.py").write_text(MIGRATION.format(name=revision, revision=revision, down=down_text))


def test_head_read_from_the_files_is_alembics_head():
    assert plain_chain_head(VERSIONS) is not None  # the real migrations are one plain chain
    assert head_revision() == alembic_head()


def test_a_branch_or_a_merge_is_left_to_alembic(tmp_path):
    write_migration(tmp_path, "0001", None)
    write_migration(tmp_path, "0002", "0001")
    assert plain_chain_head(tmp_path) == "0002"
    write_migration(tmp_path, "0003", "0001")  # a second head
    assert plain_chain_head(tmp_path) is None
    (tmp_path / "0003_step.py").unlink()
    (tmp_path / "0004_merge.py").write_text('revision = "0004"\ndown_revision = ("0002", "0003")\n')
    assert plain_chain_head(tmp_path) is None


def test_a_current_database_passes_and_reads_as_alembic_reads_it(service):
    assert stored_revisions(service.db.engine) == (current_revision(service.db.engine),)
    service.require_current_schema()


@pytest.fixture(params=["sqlite", "postgres"])
def empty_db_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "old.db")
    return request.getfixturevalue("postgres_schema_url")


def test_an_older_revision_is_refused_until_init_upgrades_it(empty_db_url):
    database = Database(empty_db_url)
    command.upgrade(alembic_config(database.engine), "0001")
    service = ClassPaymentService(database)
    assert stored_revisions(database.engine) == ("0001",)
    with pytest.raises(Refused, match=f"is at schema 0001, not {head_revision()}; run `classpay init`"):
        service.require_current_schema()
    service.initialize()
    assert stored_revisions(database.engine) == (head_revision(),)
    service.require_current_schema()
    database.dispose()


def test_a_database_never_set_up_is_refused(empty_db_url):
    database = Database(empty_db_url)
    assert stored_revisions(database.engine) == ()
    with pytest.raises(NotFound, match="has not been set up; run `classpay init`"):
        ClassPaymentService(database).require_current_schema()
    database.dispose()
