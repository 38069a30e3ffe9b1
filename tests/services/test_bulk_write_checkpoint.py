"""A bulk write commits without SQLite's automatic checkpoint and has it run in a background
thread instead: the data is committed (in the WAL) when the write returns, the database
file catches up once the checkpoint is done, and the connection goes back to the pool with
automatic checkpoints on again. Read off the database file itself: its header holds the
page count as of the last checkpoint."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import event, text

from classpay_tui.db.engine import Database
from classpay_tui.db.wal_checkpoint import AUTOMATIC_PAGES

# ~2,500 pages of 4 KiB: well past the 1,000 pages after which a commit checkpoints.
FILL = text(
    "INSERT INTO scratch (blob) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500)"
    " SELECT randomblob(3500) FROM n"
)


def _pages_in_file(path: Path) -> int:
    """The page count written in the database file's header (bytes 28–31)."""
    with path.open("rb") as stream:
        return int.from_bytes(stream.read(32)[28:32], "big")


def _pages_committed(db: Database) -> int:
    with db.engine.connect() as connection:
        return int(connection.exec_driver_sql("PRAGMA page_count").scalar() or 0)


def _scratch_db(sqlite_url: str) -> Database:
    db = Database(sqlite_url)
    with db.write() as session:
        session.execute(text("CREATE TABLE scratch (id INTEGER PRIMARY KEY, blob BLOB)"))
    db.wait_for_checkpoints()
    return db


def test_a_plain_write_this_big_checkpoints_in_its_commit(sqlite_url):
    db = _scratch_db(sqlite_url)
    with db.write() as session:
        session.execute(FILL)
    assert _pages_in_file(Path(sqlite_url)) == _pages_committed(db) > 2500
    db.dispose()


def test_a_bulk_write_leaves_its_pages_in_the_wal_until_its_background_checkpoint(sqlite_url, monkeypatch):
    db = _scratch_db(sqlite_url)
    before = _pages_in_file(Path(sqlite_url))
    started: list[bool] = []
    monkeypatch.setattr(db._checkpoints, "start", lambda: started.append(True))
    with db.bulk_write() as session:
        session.execute(FILL)
    assert started == [True]
    committed = _pages_committed(db)
    assert committed > before + 2500  # committed: every other connection sees the rows
    assert _pages_in_file(Path(sqlite_url)) == before  # but not yet copied into the file
    with db.engine.connect() as connection:  # the pool's one connection, the bulk write's
        assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == AUTOMATIC_PAGES
    monkeypatch.undo()
    db._checkpoints.start()
    db.wait_for_checkpoints()
    assert _pages_in_file(Path(sqlite_url)) == committed
    db.dispose()


def test_the_checkpoint_runs_while_other_connections_stay_open(sqlite_url):
    """A clerk's app keeps the database open, so closing the importer's connections is
    not the last close (which would checkpoint by itself): the background thread does it."""
    db = _scratch_db(sqlite_url)
    clerk = sqlite3.connect(sqlite_url)
    assert clerk.execute("SELECT count(*) FROM scratch").fetchone() == (0,)
    with db.bulk_write() as session:
        session.execute(FILL)
    committed = _pages_committed(db)
    db.dispose()  # waits for the checkpoint
    assert _pages_in_file(Path(sqlite_url)) == committed
    assert clerk.execute("SELECT count(*) FROM scratch").fetchone() == (2500,)
    clerk.close()


def test_a_bulk_write_takes_the_write_lock_at_once(sqlite_url):
    """Like every write: ``BEGIN IMMEDIATE``, so a second writer waits its turn."""
    db = _scratch_db(sqlite_url)
    sent: list[str] = []
    event.listen(db.engine, "before_cursor_execute", lambda _c, _cur, sql, *_: sent.append(sql))
    with db.bulk_write() as session:
        session.execute(text("SELECT 1"))
    assert sent[:2] == ["BEGIN IMMEDIATE", "SELECT 1"]
    db.dispose()
