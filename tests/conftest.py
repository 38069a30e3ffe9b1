"""Shared fixtures: a real SQLite file per test, and the real PostgreSQL server when
``CLASSPAY_TEST_POSTGRES_URL`` names one (each test in a schema of its own)."""

from __future__ import annotations

import decimal
import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from classpay_tui.db.engine import Database
from classpay_tui.domain.statuses import Role
from classpay_tui.services import ClassPaymentService, OperatorContext
from classpay_tui.services.context import FixedClock

POSTGRES_ENV = "CLASSPAY_TEST_POSTGRES_URL"
# The seed's example day: payments are recorded on 2024-01-15, a Monday.
SEED_DAY = datetime(2024, 1, 15, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _no_float_money() -> Iterator[None]:
    """Any float that meets a Decimal raises: money never goes through float."""
    context = decimal.getcontext()
    context.traps[decimal.FloatOperation] = True
    yield
    context.traps[decimal.FloatOperation] = False


def postgres_url() -> str | None:
    url = os.environ.get(POSTGRES_ENV)
    if not url and os.environ.get("CI") == "true":
        pytest.fail(f"{POSTGRES_ENV} is not set: CI must run the suite against PostgreSQL too.")
    return url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test (migrating every time is slow)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    service = ClassPaymentService(Database(str(path)), FixedClock(SEED_DAY))
    service.initialize()
    service.db.dispose()
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "classpay.db"
    shutil.copy(sqlite_template, path)
    return str(path)


@pytest.fixture
def postgres_schema_url() -> Iterator[str]:
    url = postgres_url()
    if not url:
        pytest.skip(f"PostgreSQL not configured: set {POSTGRES_ENV} to run these tests against it")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(url).set(drivername="postgresql+psycopg"))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    scoped = (
        make_url(url).set(drivername="postgresql+psycopg").update_query_dict({"options": f"-csearch_path={schema}"})
    )
    try:
        yield scoped.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each test that uses it runs on a SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_schema_url")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(SEED_DAY)


@pytest.fixture
def service(db_url: str, clock: FixedClock) -> Iterator[ClassPaymentService]:
    service = ClassPaymentService(Database(db_url), clock)
    service.initialize()
    yield service
    service.db.dispose()


@pytest.fixture
def sqlite_service(sqlite_url: str, clock: FixedClock) -> Iterator[ClassPaymentService]:
    service = ClassPaymentService(Database(sqlite_url), clock)
    yield service
    service.db.dispose()


@pytest.fixture
def admin() -> OperatorContext:
    return OperatorContext(login="alice", role=Role.ADMIN)


@pytest.fixture
def staff() -> OperatorContext:
    return OperatorContext(login="sam", role=Role.STAFF)
