"""a search index for the bundle list's type-to-filter (SQLite)

A search matches the course title, the client's name or the writer's username containing
the typed text. As ``LIKE '%text%'`` over three tables it read every bundle, and counting
the matches of 100,000 bundles took 40–90 ms.

On SQLite, ``bundle_search`` holds one row per payment record (one per row of the list):
its bundle's title, client name and writer username in one text, lower-cased as SQLite's
``lower`` does (ASCII letters only) and joined by the unit separator (char 31), which the
searched text never crosses. ``bundle_search_index`` is an FTS5 index of that text with the
case-sensitive ``trigram`` tokenizer: a phrase of three or more characters finds exactly the
rows whose text contains it, which is what ``LIKE`` (case-blind for ASCII letters only)
finds in the three columns. Shorter terms scan ``bundle_search``, a few megabytes.
Triggers keep both in step with the tables: a payment record added or removed, a bundle's
title, client or writer changed, a client or a writer renamed. A later migration that
rebuilds one of those tables (Alembic's batch mode copies and drops it) drops its triggers
and must create them again. Without FTS5's trigram tokenizer (SQLite before 3.34) only
``bundle_search`` is made, and every search scans it.

PostgreSQL gets nothing: its search stays ``lower(column) LIKE`` over the tables. GIN
trigram indexes (``pg_trgm``) on the lower-cased title, client name and username were
tried at 100,000 bundles and left unused by the planner for that query (an OR of the
title with the matching clients and writers: it scans), so they would only slow writes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy.exc import DBAPIError

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def searched_text(bundle_id: str) -> str:
    """The text a search looks in, for the bundle whose id is the SQL expression ``bundle_id``."""
    return f"""coalesce((SELECT lower(b.title)
        || char(31) || coalesce((SELECT lower(c.name) FROM clients c WHERE c.id = b.client_id), '')
        || char(31) || coalesce((SELECT lower(w.username) FROM writers w WHERE w.id = b.writer_id), '')
        FROM class_bundles b WHERE b.id = {bundle_id}), '')"""


TEXT_TRIGGERS = {
    "bundle_search_record_added": f"""AFTER INSERT ON class_payments BEGIN
        INSERT INTO bundle_search (bundle_id, text) VALUES (NEW.bundle_id, {searched_text("NEW.bundle_id")});
    END""",
    "bundle_search_record_removed": """AFTER DELETE ON class_payments BEGIN
        DELETE FROM bundle_search WHERE bundle_id = OLD.bundle_id;
    END""",
    "bundle_search_record_moved": f"""AFTER UPDATE OF bundle_id ON class_payments
    WHEN OLD.bundle_id IS NOT NEW.bundle_id BEGIN
        DELETE FROM bundle_search WHERE bundle_id = OLD.bundle_id;
        INSERT INTO bundle_search (bundle_id, text) VALUES (NEW.bundle_id, {searched_text("NEW.bundle_id")});
    END""",
    "bundle_search_bundle_changed": f"""AFTER UPDATE OF title, client_id, writer_id ON class_bundles
    WHEN OLD.title IS NOT NEW.title OR OLD.client_id IS NOT NEW.client_id OR OLD.writer_id IS NOT NEW.writer_id
    BEGIN
        UPDATE bundle_search SET text = {searched_text("NEW.id")} WHERE bundle_id = NEW.id;
    END""",
    "bundle_search_client_renamed": f"""AFTER UPDATE OF name ON clients WHEN OLD.name IS NOT NEW.name BEGIN
        UPDATE bundle_search SET text = {searched_text("bundle_search.bundle_id")}
        WHERE bundle_id IN (SELECT id FROM class_bundles WHERE client_id = NEW.id);
    END""",
    "bundle_search_writer_renamed": f"""AFTER UPDATE OF username ON writers
    WHEN OLD.username IS NOT NEW.username BEGIN
        UPDATE bundle_search SET text = {searched_text("bundle_search.bundle_id")}
        WHERE bundle_id IN (SELECT id FROM class_bundles WHERE writer_id = NEW.id);
    END""",
}

# An external-content FTS5 table is told every change of its content, old text included.
INDEX_TRIGGERS = {
    "bundle_search_index_added": """AFTER INSERT ON bundle_search BEGIN
        INSERT INTO bundle_search_index (rowid, text) VALUES (NEW.bundle_id, NEW.text);
    END""",
    "bundle_search_index_removed": """AFTER DELETE ON bundle_search BEGIN
        INSERT INTO bundle_search_index (bundle_search_index, rowid, text) VALUES ('delete', OLD.bundle_id, OLD.text);
    END""",
    "bundle_search_index_changed": """AFTER UPDATE ON bundle_search
    WHEN OLD.text IS NOT NEW.text OR OLD.bundle_id IS NOT NEW.bundle_id BEGIN
        INSERT INTO bundle_search_index (bundle_search_index, rowid, text) VALUES ('delete', OLD.bundle_id, OLD.text);
        INSERT INTO bundle_search_index (rowid, text) VALUES (NEW.bundle_id, NEW.text);
    END""",
}

CREATE_INDEX = """CREATE VIRTUAL TABLE bundle_search_index USING fts5(
    text, content='bundle_search', content_rowid='bundle_id', columnsize=0, tokenize='trigram case_sensitive 1')"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("CREATE TABLE bundle_search (bundle_id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
    op.execute(
        f"INSERT INTO bundle_search (bundle_id, text) SELECT p.bundle_id, {searched_text('p.bundle_id')} "
        "FROM class_payments p"
    )
    for name, body in TEXT_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")
    if not _sqlite_has_trigrams():
        return
    op.execute(CREATE_INDEX)
    op.execute("INSERT INTO bundle_search_index (bundle_search_index) VALUES ('rebuild')")
    for name, body in INDEX_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def _sqlite_has_trigrams() -> bool:
    """Whether this SQLite library has FTS5 with the trigram tokenizer (3.34 and later)."""
    bind = op.get_bind()
    try:
        bind.exec_driver_sql("CREATE VIRTUAL TABLE temp.trigram_probe USING fts5(x, tokenize='trigram')")
    except DBAPIError:
        return False
    bind.exec_driver_sql("DROP TABLE temp.trigram_probe")
    return True


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in (*INDEX_TRIGGERS, *TEXT_TRIGGERS):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS bundle_search_index")
    op.execute("DROP TABLE IF EXISTS bundle_search")
