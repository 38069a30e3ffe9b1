"""Many operators at once, with real processes, on a SQLite file and on PostgreSQL:
money is never lost, doubled or half-written."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from classpay_tui.db.models import OrderPayment
from tests.builders import pay, seed_bundle, writer
from tests.concurrency.racers import Attempt, race, tally

pytestmark = pytest.mark.concurrency


def ledger_rows(service, bundle_id: int) -> int:
    with service.db.read() as session:
        return session.scalar(select(func.count()).select_from(OrderPayment).where(OrderPayment.bundle_id == bundle_id))


@pytest.fixture
def bundle(service, admin):
    writer(service, admin)
    details = seed_bundle(service, admin)
    pay(service, admin, details.bundle_id, "200.00", deposit=True)
    return details


def test_sixteen_processes_pay_the_same_installment(service, admin, db_url, bundle, report):
    attempts = [Attempt(bundle.bundle_id, "200.00", f"SAME-INST-{n}", installment=1) for n in range(16)]
    outcomes = race(db_url, attempts)
    kinds = tally(outcomes)
    report("same installment", processes=16, outcomes=dict(kinds), ledger_rows=ledger_rows(service, bundle.bundle_id))
    assert kinds == {"created": 1, "Refused": 15}
    assert all("already paid" in message for kind, _, message in outcomes if kind == "Refused")
    assert not any("locked" in message for _, _, message in outcomes)
    details = service.get_payment_details(admin, bundle.bundle_id)
    assert [len(i.references) for i in details.installments] == [1, 0, 0, 0]
    assert ledger_rows(service, bundle.bundle_id) == 2  # the deposit and one installment payment
    assert service.check(admin).ok


def test_sixteen_processes_record_the_same_reference(service, admin, db_url, bundle, report):
    outcomes = race(db_url, [Attempt(bundle.bundle_id, "50.00", "RETRY-1") for _ in range(16)])
    kinds = tally(outcomes)
    report("same reference", processes=16, outcomes=dict(kinds), ledger_rows=ledger_rows(service, bundle.bundle_id))
    assert kinds == {"created": 1, "replayed": 15}
    assert len({payment_id for _, payment_id, _ in outcomes}) == 1
    assert ledger_rows(service, bundle.bundle_id) == 2
    assert service.get_payment_details(admin, bundle.bundle_id).amount_paid == Decimal("250.00")
    assert service.check(admin).ok


def test_same_reference_with_different_amounts_is_a_conflict(service, admin, db_url, bundle, report):
    attempts = [Attempt(bundle.bundle_id, "50.00" if n % 2 else "60.00", "CLASH-1") for n in range(16)]
    outcomes = race(db_url, attempts)
    kinds = tally(outcomes)
    report(
        "same reference, two amounts",
        processes=16,
        outcomes=dict(kinds),
        ledger_rows=ledger_rows(service, bundle.bundle_id),
    )
    assert kinds["created"] == 1 and kinds["replayed"] == 7 and kinds["Conflict"] == 8
    assert all("already used" in message for kind, _, message in outcomes if kind == "Conflict")
    assert ledger_rows(service, bundle.bundle_id) == 2
    assert service.check(admin).ok


def test_eight_processes_record_different_payments_on_one_bundle(service, admin, db_url, bundle, report):
    outcomes = race(db_url, [Attempt(bundle.bundle_id, "25.00", f"PART-{n}") for n in range(8)])
    kinds = tally(outcomes)
    details = service.get_payment_details(admin, bundle.bundle_id)
    report("different payments", processes=8, outcomes=dict(kinds), ledger_rows=ledger_rows(service, bundle.bundle_id))
    assert kinds == {"created": 8}
    assert details.amount_paid == Decimal("400.00")  # deposit 200 + 8 × 25
    assert details.installments[0].paid_amount == Decimal("200.00")
    assert ledger_rows(service, bundle.bundle_id) == 9
    assert service.check(admin).ok
