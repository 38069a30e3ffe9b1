"""Service-level figures: recording a payment, the list's pages, details, a writer's
payments, ``check`` and ``import`` — each beside its raw-SQLite floor."""

from __future__ import annotations

import resource
import statistics
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from benchmarks import database, floors
from benchmarks.import_files import catalog_files, payment_file
from benchmarks.results import Figure, show
from classpay_tui.services.schemas import PaymentIn

ADMIN = database.ADMIN
IMPORT_BUNDLES = 25_000
IMPORT_PAYMENTS = 100_000
# One row inserted and committed by raw sqlite3 (WAL, fsync) on the machine the write
# target was set on.
REFERENCE_ROW_COMMITTED = 0.00017


def _median(values: list[float]) -> float:
    return statistics.median(values)


def read_figure(path: Path, what: str, target: str, limit: float | None, call, runs: int) -> Figure:  # type: ignore[no-untyped-def]
    """``call(service, i)`` timed ``runs`` times; its SQL captured and replayed raw as the floor."""
    service = database.service_for(path)
    call(service, 0)  # warm: the currency, compiled statements
    times, raw = [], []
    connection = floors.connect(path)
    for index in range(runs):
        with floors.captured(service.db.engine) as statements:
            start = time.perf_counter()
            call(service, index)
            times.append(time.perf_counter() - start)
        raw.append(floors.replay(connection, statements))
    connection.close()
    service.db.dispose()
    value = _median(times)
    return Figure(
        what,
        value,
        _median(raw),
        "its SQL, raw",
        target,
        None if limit is None else value <= limit,
    )


def reads(path: Path, runs: int) -> list[Figure]:
    samples = database.sample_bundles(path, max(runs, 2))
    writer_id, writer_bundles = database.writer_near(path, 1000)
    return [
        read_figure(
            path,
            "payments list, first page of 50",
            "≤ 5 ms",
            0.005,
            lambda service, i: service.list_payments(ADMIN, limit=50),
            runs,
        ),
        read_figure(
            path,
            "payments list, page of 50 filtered (status partial)",
            "≤ 5 ms",
            0.005,
            lambda service, i: service.list_payments(ADMIN, limit=50, status="partial", offset=50 * (i % 5)),
            runs,
        ),
        read_figure(
            path,
            "payments list, page of 50 sorted by balance",
            "≤ 5 ms",
            0.005,
            lambda service, i: service.list_payments(ADMIN, limit=50, order="-balance", offset=50 * (i % 5)),
            runs,
        ),
        read_figure(
            path,
            "payments list, search by text (client/course/writer)",
            "—",
            None,
            lambda service, i: service.list_payments(ADMIN, limit=50, search=("ada", "kim", "memoir")[i % 3]),
            runs,
        ),
        read_figure(
            path,
            "payments bundle (details)",
            "≤ 3 ms",
            0.003,
            lambda service, i: service.get_payment_details(ADMIN, samples[i % len(samples)]),
            runs,
        ),
        read_figure(
            path,
            f"payments writer ({writer_bundles:,} bundles)",
            "—",
            None,
            lambda service, i: service.get_writer_class_payments(ADMIN, writer_id),
            max(3, runs // 4),
        ),
    ]


def record(path: Path, runs: int) -> Figure:
    """``record_installment_payment`` committed, on a copy of the database: ``runs`` × 5
    payments, each to another bundle, as a desk takes them through the day. The first ones
    find less of the database in SQLite's page cache; their median is shown apart."""
    with tempfile.TemporaryDirectory() as folder:
        copy = database.copy(path, Path(folder), "record.db")
        targets = database.unpaid_installments(copy, runs * 5 + 1)
        service = database.service_for(copy)
        tag = time.time_ns()
        times = []
        for index, (installment_id, _, cents) in enumerate(targets):
            data = PaymentIn(amount=Decimal(cents) / 100, reference=f"BENCH-{tag}-{index}")
            start = time.perf_counter()
            service.record_installment_payment(ADMIN, installment_id, data)
            if index:  # the first one warms up
                times.append(time.perf_counter() - start)
        service.db.dispose()
        floor = floors.one_row_committed(copy, runs)
    value = _median(times)
    return Figure(
        "record_installment_payment, committed",
        value,
        floor,
        "1 row inserted and committed, raw",
        "≤ 1.5 ms",
        value <= 0.0015,
        note=(
            f"median of {len(times)} payments; of the first {runs}, on a cache still cold: "
            f"{show(_median(times[:runs]), 's')}"
        ),
        reference=REFERENCE_ROW_COMMITTED,
    )


def check(path: Path, runs: int) -> Figure:
    service = database.service_for(path)
    times, raw = [], []
    connection = floors.connect(path)
    for _ in range(runs):
        with floors.captured(service.db.engine) as statements:
            start = time.perf_counter()
            report = service.check(ADMIN)
            times.append(time.perf_counter() - start)
        raw.append(floors.replay(connection, statements))
        if not report.ok:
            raise RuntimeError(f"classpay check found problems: {report.problems[:3]}")
    connection.close()
    service.db.dispose()
    value = _median(times)
    return Figure(
        f"classpay check ({report.bundles_checked:,} bundles, {report.payments_checked:,} payments)",
        value,
        _median(raw),
        "its SQL, raw",
        "≤ 10 s",
        value <= 10,
    )


def import_payments(path: Path, runs: int) -> Figure:
    """``classpay import`` of 100,000 payments into 25,000 bundles imported just before (into
    a copy of the database), with every row validated; the floor replays its SQL raw."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        today = date.today()
        files = catalog_files(folder / "files", IMPORT_BUNDLES, today=today)
        payments = payment_file(folder / "files", IMPORT_BUNDLES, IMPORT_PAYMENTS, today=today)
        base = database.copy(path, folder, "import-base.db")
        service = database.service_for(base)
        service.import_files(ADMIN, files)
        service.db.dispose()
        times, raw, processor, checkpoints = [], [], [], []
        for run in range(runs):
            copy = database.copy(base, folder, f"import-{run}.db")
            service = database.service_for(copy)
            with floors.captured(service.db.engine) as statements:
                start, used = time.perf_counter(), _processor_time()
                report = service.import_files(ADMIN, [payments])
                times.append(time.perf_counter() - start)
                processor.append(_processor_time() - used)
            service.db.wait_for_checkpoints()
            checkpoints.append(time.perf_counter() - start - times[-1])
            service.db.dispose()
            if report.added.get("payments") != IMPORT_PAYMENTS:
                raise RuntimeError(f"the import added {report.added}")
            fresh = database.copy(base, folder, f"raw-{run}.db")
            connection = floors.connect(fresh)
            connection.execute("PRAGMA wal_autocheckpoint = 0")  # committed as the import commits
            raw.append(floors.replay(connection, statements, commit=True))
            connection.close()
            for leftover in folder.glob(f"*-{run}.db*"):
                leftover.unlink()
    value = IMPORT_PAYMENTS / _median(times)
    return Figure(
        "import of 100,000 payments (validated)",
        value,
        IMPORT_PAYMENTS / _median(raw),
        "its SQL, raw",
        "≥ 50,000 rows/s",
        value >= 50_000,
        unit="rows/s",
        note=f"processor time {_median(processor):.2f} s (all its threads), wall {_median(times):.2f} s, "
        f"its SQL raw {_median(raw):.2f} s; the WAL then copied into the database file in the background "
        f"(a checkpoint, done {_median(checkpoints):.2f} s after the import returned)",
    )


def _processor_time() -> float:
    """User and system time of this process, every thread (the import writes in a second one)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
