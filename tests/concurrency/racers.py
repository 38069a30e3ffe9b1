"""Worker processes for the race tests: each opens its own engine, waits at a barrier so
all of them hit the database in the same instant, records one payment and reports."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from classpay_tui.db.engine import Database
from classpay_tui.domain.errors import ClasspayError
from classpay_tui.services import ClassPaymentService, OperatorContext
from classpay_tui.services.schemas import PaymentIn

# A fork server with the stack already imported: each racer is a fresh process (its own
# engine, connections and locks) without paying a second of imports on a 2-core machine.
CTX = multiprocessing.get_context("forkserver")
CTX.set_forkserver_preload(
    [
        "classpay_tui.services",
        "classpay_tui.db.engine",
        "sqlalchemy.dialects.postgresql.psycopg",
        "tests.concurrency.racers",
    ]
)


@dataclass(frozen=True)
class Attempt:
    bundle_id: int
    amount: str
    reference: str
    installment: int | None = None


def _race(url: str, attempt: Attempt, barrier: Any, results: Any) -> None:
    service = ClassPaymentService(Database(url))
    ctx = OperatorContext(login=f"clerk{attempt.reference}")
    service.currency()  # connect and warm up before the start line
    barrier.wait(timeout=60)
    try:
        result = service.record_payment(
            ctx,
            attempt.bundle_id,
            PaymentIn(amount=Decimal(attempt.amount), reference=attempt.reference),
            installment_number=attempt.installment,
        )
        results.put(("created" if result.created else "replayed", result.payment.id, ""))
    except ClasspayError as error:
        results.put((type(error).__name__, None, str(error)))
    except Exception as error:  # anything else ("database is locked") is what the test must catch
        results.put(("crash", None, f"{type(error).__name__}: {error}"))
    finally:
        service.db.dispose()


def race(url: str, attempts: list[Attempt]) -> list[tuple[str, int | None, str]]:
    """Run every attempt in its own process, all released at once."""
    barrier = CTX.Barrier(len(attempts))
    results = CTX.Queue()
    processes = [CTX.Process(target=_race, args=(url, attempt, barrier, results)) for attempt in attempts]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    return outcomes


def tally(outcomes: list[tuple[str, int | None, str]]) -> Counter[str]:
    return Counter(kind for kind, _, _ in outcomes)
