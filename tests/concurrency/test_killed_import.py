"""A bulk import of 100,000 payments killed with SIGKILL at a random moment, again and
again: the database always opens, passes SQLite's integrity check, holds either the
whole batch or none of it, and `classpay check` passes."""

from __future__ import annotations

import csv
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from classpay_tui.db.engine import Database
from classpay_tui.services import ClassPaymentService, OperatorContext
from classpay_tui.services.context import FixedClock

pytestmark = pytest.mark.concurrency

PAYMENTS = int(os.environ.get("CLASSPAY_KILL_PAYMENTS", "100000"))
RUNS = int(os.environ.get("CLASSPAY_KILL_RUNS", "20"))
PER_BUNDLE = 10
ADMIN = OperatorContext("alice")


def write_csv(path: Path, header: list[str], rows) -> None:  # type: ignore[no-untyped-def]
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)


def write_import_files(folder: Path) -> None:
    """clients.csv and bundles.csv for PAYMENTS // PER_BUNDLE bundles, and payments.csv to fill them."""
    bundles = PAYMENTS // PER_BUNDLE
    write_csv(folder / "clients.csv", ["ref", "name"], ([f"C{i}", f"Client {i}"] for i in range(bundles)))
    write_csv(
        folder / "bundles.csv",
        ["ref", "client_ref", "title", "classes", "total"],
        ([f"B{i}", f"C{i}", "Course", 10, "1000.00"] for i in range(bundles)),
    )
    write_csv(
        folder / "payments.csv",
        ["bundle_ref", "reference", "amount", "received_on"],
        ([f"B{i // PER_BUNDLE}", f"P{i}", "100.00", "2024-01-02"] for i in range(PAYMENTS)),
    )


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A database with the bundles, and a file of PAYMENTS payments for them."""
    folder = tmp_path_factory.mktemp("killed")
    write_import_files(folder)
    template = folder / "template.db"
    service = ClassPaymentService(Database(str(template)), FixedClock())
    service.initialize()
    service.add_first_admin(_login())
    service.import_files(ADMIN, [folder / "clients.csv", folder / "bundles.csv"])
    service.db.dispose()
    return template, folder / "payments.csv"


def _login() -> str:
    from classpay_tui.services.context import os_login

    return os_login()


def payments_in(path: Path) -> int:
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return db.execute("SELECT count(*) FROM order_payments").fetchone()[0]


def start_import(database: Path, payments: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "classpay_tui", "--db", str(database), "import", str(payments)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_sigkill_during_a_bulk_import_leaves_all_or_nothing(prepared, tmp_path, report):
    template, payments = prepared
    timed = tmp_path / "timed.db"
    shutil.copy(template, timed)
    started = time.monotonic()
    assert start_import(timed, payments).wait(timeout=600) == 0
    full = time.monotonic() - started
    assert payments_in(timed) == PAYMENTS
    rng = random.Random(20261126)
    found = {"none": 0, "all": 0}
    for run in range(RUNS):
        database = tmp_path / f"run{run}.db"
        shutil.copy(template, database)
        process = start_import(database, payments)
        time.sleep(rng.uniform(0.3, full * 1.1))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        count = payments_in(database)
        assert count in (0, PAYMENTS), f"run {run}: {count} payments, a half-written batch"
        found["all" if count else "none"] += 1
        service = ClassPaymentService(Database(str(database)), FixedClock())
        assert service.check(ADMIN).ok, f"run {run}: check failed"
        service.db.dispose()
        database.unlink()
    report("killed import on SQLite", payments=PAYMENTS, runs=RUNS, full_import_s=round(full, 1), **found)
    assert found["none"] + found["all"] == RUNS


def test_sigkill_during_a_bulk_import_on_postgresql(postgres_schema_url, tmp_path, report):
    """The same on PostgreSQL, in one schema: a killed client's transaction is rolled back
    by the server, so the count stays 0 until a run completes, and then the batch (and
    every later, idempotent, run) holds exactly PAYMENTS."""
    runs = max(1, RUNS // 4)
    write_import_files(tmp_path)
    service = ClassPaymentService(Database(postgres_schema_url), FixedClock())
    service.initialize()
    service.add_first_admin(_login())
    service.import_files(ADMIN, [tmp_path / "clients.csv", tmp_path / "bundles.csv"])
    rng = random.Random(1126)
    seen = []
    for _ in range(runs):
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "classpay_tui",
                "--db",
                postgres_schema_url,
                "import",
                str(tmp_path / "payments.csv"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.5, 6.0))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        time.sleep(0.5)  # the server notices the dropped connection and rolls back
        count = _payment_count(service)
        assert count in (0, PAYMENTS), f"{count} payments: a half-written batch"
        seen.append(count)
        assert service.check(ADMIN).ok
    report("killed import on PostgreSQL", payments=PAYMENTS, runs=runs, none=seen.count(0), all=seen.count(PAYMENTS))
    service.db.dispose()


def _payment_count(service: ClassPaymentService) -> int:
    from sqlalchemy import func, select

    from classpay_tui.db.models import OrderPayment

    with service.db.read() as session:
        return session.scalar(select(func.count()).select_from(OrderPayment))
