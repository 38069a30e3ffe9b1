"""The benchmark database: built once with ``classpay demo --bundles N`` and reused; writes
are measured on copies of it, so every run starts from the same data."""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

from classpay_tui.db.engine import Database
from classpay_tui.domain.statuses import Role
from classpay_tui.services import ClassPaymentService, OperatorContext
from classpay_tui.services.context import os_login
from classpay_tui.services.demo import fill_demo

DATA = Path(__file__).parent / "data"
ADMIN = OperatorContext(login=os_login(), role=Role.ADMIN)


def default_path(bundles: int) -> Path:
    return DATA / f"classpay-{bundles}.db"


def build_or_reuse(path: Path, bundles: int, seed: int = 7) -> float | None:
    """Builds the database if it is not there; returns how long that took (None if reused).
    A database kept from an earlier run is upgraded to the newest schema first, as
    ``classpay init`` would (a newer release may have added an index the figures rely on)."""
    if path.exists():
        service = ClassPaymentService(Database(str(path)))
        service.initialize()
        service.db.dispose()
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    service = ClassPaymentService(Database(str(path)))
    start = time.perf_counter()
    service.initialize()
    service.add_first_admin(ADMIN.login)
    fill_demo(service, ADMIN, count=bundles, seed=seed)
    elapsed = time.perf_counter() - start
    service.db.dispose()
    return elapsed


def copy(path: Path, folder: Path, name: str) -> Path:
    """A copy of the database (checkpointed first, so the copy is one file)."""
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    target = folder / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(path, target)
    return target


def service_for(path: Path) -> ClassPaymentService:
    return ClassPaymentService(Database(str(path)))


def unpaid_installments(path: Path, count: int) -> list[tuple[int, int, int]]:
    """(installment id, bundle id, amount in cents) of installments that can be paid now:
    the next unpaid one of bundles whose deposit is paid, each bundle once."""
    with sqlite3.connect(path) as connection:
        return connection.execute(
            """
            SELECT i.id, i.bundle_id, i.amount FROM class_installments i
            JOIN class_payment_installments l ON l.installment_id = i.id
            JOIN class_payments p ON p.id = l.class_payment_id
            WHERE l.status = 'pending' AND p.deposit_paid = p.deposit_amount
              AND p.client_payment_status IN ('pending', 'partial')
              AND NOT EXISTS (
                SELECT 1 FROM class_installments e JOIN class_payment_installments el ON el.installment_id = e.id
                WHERE e.bundle_id = i.bundle_id AND e.installment_number < i.installment_number
                  AND el.status != 'paid')
            GROUP BY i.bundle_id ORDER BY i.bundle_id DESC LIMIT ?
            """,
            (count,),
        ).fetchall()


def writer_near(path: Path, bundles: int = 1000) -> tuple[int, int]:
    """The writer whose number of bundles is closest to ``bundles``: (writer id, bundles)."""
    with sqlite3.connect(path) as connection:
        return connection.execute(
            "SELECT writer_id, COUNT(*) FROM class_payments WHERE writer_id IS NOT NULL "
            "GROUP BY writer_id ORDER BY ABS(COUNT(*) - ?) LIMIT 1",
            (bundles,),
        ).fetchone()


def sample_bundles(path: Path, count: int) -> list[int]:
    """Bundles with installments and payments, spread over the whole database."""
    with sqlite3.connect(path) as connection:
        ids = [
            row[0]
            for row in connection.execute(
                "SELECT bundle_id FROM class_payments WHERE total_installments >= 3 AND amount_paid > 0 "
                "ORDER BY bundle_id"
            )
        ]
    step = max(1, len(ids) // count)
    return ids[::step][:count]
