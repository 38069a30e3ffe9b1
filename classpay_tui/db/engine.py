"""Engines and transactions, set up for several operators on one database.

SQLite: WAL so readers never block the writer, ``synchronous=FULL`` so a committed
payment survives a power cut, a busy timeout so writers queue instead of failing, and
``BEGIN IMMEDIATE`` for write transactions (a deferred transaction that later upgrades
to a write fails at once under contention instead of waiting its turn).
PostgreSQL: READ COMMITTED plus explicit row locks taken by the services.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from classpay_tui.db.wal_checkpoint import BackgroundCheckpoints, automatic_checkpoint_off

BUSY_TIMEOUT_MS = 30_000
_WRITE_OPTION = "classpay_write"


def database_url(target: str) -> URL:
    """A SQLAlchemy URL as given, or a plain file path turned into a SQLite URL."""
    if "://" in target:
        url = make_url(target)
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")
        return url
    return make_url(f"sqlite:///{Path(target).expanduser().resolve()}")


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def describe_url(url: URL) -> str:
    """The database as shown to people: a file path, or the URL without its password."""
    if is_sqlite(url):
        return url.database or ":memory:"
    return url.render_as_string(hide_password=True)


def make_engine(target: str | URL) -> Engine:
    url = target if isinstance(target, URL) else database_url(target)
    if is_sqlite(url):
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is always DEFERRED).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        writing = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


class Database:
    """One database: sessions for reading, and one-transaction sessions for writing."""

    def __init__(self, target: str | URL) -> None:
        self.engine = make_engine(target)
        self.url = self.engine.url
        self.is_sqlite = is_sqlite(self.url)
        self._readers = sessionmaker(self.engine, expire_on_commit=False)
        self._write_engine = self.engine.execution_options(**{_WRITE_OPTION: True})
        self._writers = sessionmaker(self._write_engine, expire_on_commit=False)
        self._checkpoints = BackgroundCheckpoints(self.engine)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only snapshot; anything written here is rolled back."""
        with self._readers() as session:
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any error."""
        with self._writers.begin() as session:
            yield session

    @contextmanager
    def bulk_write(self) -> Iterator[Session]:
        """:meth:`write` for a transaction of many thousands of rows. On SQLite its commit
        leaves the pages it wrote in the WAL, durable, and a background thread copies them
        into the database file right after (see :mod:`classpay_tui.db.wal_checkpoint`);
        :meth:`dispose` waits for that copy."""
        if not self.is_sqlite:
            with self.write() as session:
                yield session
            return
        with (
            self._write_engine.connect() as connection,
            automatic_checkpoint_off(connection),
            self._writers(bind=connection) as session,
            session.begin(),
        ):
            yield session
        self._checkpoints.start()

    def wait_for_checkpoints(self) -> None:
        """Until the checkpoints started after bulk writes (:meth:`bulk_write`) are done."""
        self._checkpoints.wait()

    @contextmanager
    def write_connection(self) -> Iterator[Connection]:
        """One transaction on a Core connection, for a write that needs no ORM session:
        begun as :meth:`write` begins (``BEGIN IMMEDIATE`` on SQLite), committed when the
        block ends, rolled back on any error."""
        with self._write_engine.begin() as connection:
            yield connection

    def refresh_statistics(self) -> None:
        """``ANALYZE``: the query planner's row counts per index. SQLite has none until it is
        run, and without them it may walk the wrong index (sorting 100,000 bundles by client
        name instead of walking the name index); ``init`` and ``demo`` run it."""
        with self.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")

    def describe(self) -> str:
        return describe_url(self.url)

    def dispose(self) -> None:
        self._checkpoints.wait()
        self.engine.dispose()
