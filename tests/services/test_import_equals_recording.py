"""Importing a file of payments gives exactly what recording the same payments one by one
through the service gives: the same ledger, allocations, installment states, summaries and
writer payouts. The same random catalog is imported twice ("A" and "B"); A's payments are
then recorded one at a time, B's imported in one file."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from classpay_tui.db.models import (
    ClassBundle,
    ClassInstallment,
    ClassPayment,
    ClassPaymentInstallment,
    ClassWriterPayment,
    OrderPayment,
    PaymentAllocation,
    WriterBonus,
)
from classpay_tui.domain.allocation import (
    BundleDebt,
    Slot,
    SlotKind,
    allocate_refund,
    allocate_to_bundle,
    allocate_to_deposit,
    allocate_to_installment,
)
from classpay_tui.domain.money import CENT, ZERO
from classpay_tui.domain.plans import split_evenly
from classpay_tui.domain.statuses import PaymentKind
from classpay_tui.services.bulk import settle
from classpay_tui.services.importing import files
from classpay_tui.services.schemas import PaymentIn
from tests.builders import write_csv

FIRST_DAY = date(2023, 1, 2)  # the fixed clock's today is 2024-01-15: every payment is older
METHODS = ("cash", "card", "bank_transfer", "paypal", "other")
BUNDLE_HEADER = ["ref", "client_ref", "title", "classes", "total", "deposit", "status", "writer", "start_date"]
BUNDLE_HEADER.append("compensation")


def _plans(rng: random.Random, count: int) -> list[dict]:
    plans = []
    for n in range(count):
        total = Decimal(rng.randint(100, 300_000)) * CENT
        deposit = rng.choice([ZERO, ZERO, (total * Decimal(rng.randint(1, 40)) / 100).quantize(CENT), total])
        count = rng.choice([0, 1, 2, 3, 4, 6]) if total > deposit else 0
        parts = split_evenly(total - deposit, count) if count else []
        start = FIRST_DAY + timedelta(days=rng.randint(0, 60))
        # due dates usually rise with the number; sometimes not (paid oldest due date first)
        dues = [start + timedelta(days=30 * k) for k in range(1, len(parts) + 1)]
        if len(dues) > 2 and rng.random() < 0.3:
            dues[0], dues[1] = dues[1], dues[0]
        plans.append(
            dict(
                n=n,
                total=total,
                deposit=deposit,
                parts=list(zip(parts, dues, strict=True)),
                classes=rng.randint(1, 20),
                writer=rng.choice(["", "wa", "wb", "wc"]),
                compensation=rng.choice(["", "", "", str((total / 3).quantize(CENT))]),
                start=start,
            )
        )
    return plans


def _bundle_row(tag: str, plan: dict) -> list[object]:
    n = plan["n"]
    row: list[object] = [f"{tag}-B{n}", f"{tag}-C{n}", "Course", plan["classes"], plan["total"], plan["deposit"]]
    return [*row, "in_progress", plan["writer"], plan["start"], plan["compensation"]]


def _catalog(folder: Path, tag: str, plans: list[dict]) -> list[Path]:
    folder.mkdir()
    writers = [["wa", "A", "", "", ""], ["wb", "B", "", "", "45.00"], ["wc", "C", "", "55", ""]]
    return [
        write_csv(
            folder / "clients.csv",
            ["ref", "name", "email", "phone", "notes"],
            [[f"{tag}-C{p['n']}", f"Client {p['n']}", "", "", ""] for p in plans],
        ),
        write_csv(folder / "writers.csv", ["username", "name", "email", "percent", "per_class"], writers),
        write_csv(
            folder / "bundles.csv",
            BUNDLE_HEADER,
            [_bundle_row(tag, plan) for plan in plans],
        ),
        write_csv(
            folder / "installments.csv",
            ["bundle_ref", "number", "amount", "due_date"],
            [
                [f"{tag}-B{p['n']}", number, amount, due]
                for p in plans
                for number, (amount, due) in enumerate(p["parts"], 1)
            ],
        ),
    ]


def _apply(debt: BundleDebt, allocations: list) -> BundleDebt:
    slots = list(debt.slots)
    for allocation in allocations:
        index = slots.index(allocation.slot)
        old = slots[index]
        slots[index] = Slot(old.kind, old.amount, old.allocated + allocation.amount, old.number, old.due_date, old.key)
    return BundleDebt(debt.bundle_id, tuple(slots))


def _history(rng: random.Random, plan: dict) -> list[tuple[str, Decimal, int | None, date]]:
    """Valid payments for one bundle, in the order received (kind, amount, installment, day).
    Refunds only before the bundle is paid in full: recorded one by one, a payout scheduled
    at full payment would be taken back by a later refund, which an import never schedules."""
    slots = [Slot(SlotKind.DEPOSIT, plan["deposit"], ZERO)] if plan["deposit"] > ZERO else []
    slots += [
        Slot(SlotKind.INSTALLMENT, amount, ZERO, number, due, number)
        for number, (amount, due) in enumerate(plan["parts"], 1)
    ]
    if not plan["parts"] and plan["total"] > plan["deposit"]:
        slots.append(Slot(SlotKind.BALANCE, plan["total"] - plan["deposit"], ZERO))
    debt = BundleDebt(0, tuple(slots))

    def some(most: Decimal) -> Decimal:
        return most if rng.random() < 0.6 else max(CENT, (most * Decimal(rng.randint(1, 99)) / 100).quantize(CENT))

    day, made = plan["start"], []
    for _ in range(rng.randint(0, 9)):
        if debt.owed == ZERO:
            break
        day += timedelta(days=rng.choice([0, 0, 3, 20]))
        choice = rng.random()
        unpaid = [s for s in debt.slots if s.kind is SlotKind.INSTALLMENT and s.owed > ZERO]
        deposit = debt.deposit
        if choice < 0.1 and debt.paid > ZERO:
            amount = some(debt.paid)
            made.append(("refund", amount, None, day))
            debt = _apply(debt, allocate_refund(debt, amount))
        elif choice < 0.35 and deposit is not None and deposit.owed > ZERO:
            amount = some(deposit.owed)
            made.append(("deposit", amount, None, day))
            debt = _apply(debt, allocate_to_deposit(debt, amount))
        elif choice < 0.7 and unpaid and (deposit is None or deposit.owed == ZERO):
            slot = rng.choice(unpaid)
            amount = some(slot.owed)
            made.append(("installment", amount, slot.number, day))
            debt = _apply(debt, allocate_to_installment(debt, slot.number, amount))
        else:
            amount = some(debt.owed)
            made.append(("payment", amount, None, day))
            debt = _apply(debt, allocate_to_bundle(debt, amount))
    return made


def _payments(rng: random.Random, plans: list[dict]) -> list[tuple[int, int, str, Decimal, int | None, date, str]]:
    """Every bundle's payments, interleaved across bundles but each bundle's in its order:
    (bundle index, payment index, kind, amount, installment, day, method)."""
    queues = [[(p["n"], k, *entry) for k, entry in enumerate(_history(rng, p))] for p in plans]
    merged = []
    while any(queues):
        queue = rng.choice([q for q in queues if q])
        merged.append((*queue.pop(0), rng.choice(METHODS)))
    return merged


def _record_one_by_one(service, admin, tag: str, payments) -> None:
    with service.db.read() as session:
        ids = dict(session.execute(select(ClassBundle.external_ref, ClassBundle.id)).all())
    for n, k, kind, amount, number, day, method in payments:
        bundle_id = ids[f"{tag}-B{n}"]
        data = PaymentIn(amount=amount, reference=f"{tag}-P{n}-{k}", method=method, received_on=day)
        if kind == "refund":
            service.refund(admin, bundle_id, data)
        else:
            service.record_payment(
                admin, bundle_id, data, deposit=kind == "deposit", installment_number=number if number else None
            )


def _payment_file(folder: Path, tag: str, payments) -> Path:
    folder.mkdir()
    return write_csv(
        folder / "payments.csv",
        ["bundle_ref", "reference", "amount", "kind", "installment", "method", "received_on", "note"],
        [
            [f"{tag}-B{n}", f"{tag}-P{n}-{k}", amount, kind, number or "", method, day, ""]
            for n, k, kind, amount, number, day, method in payments
        ],
    )


def _snapshot(service, tag: str) -> dict[str, object]:
    """Everything the payments changed, per bundle, without ids or the copy's tag."""

    def plain(text: str | None) -> str | None:
        return text.replace(f"{tag}-", "") if text else text

    result: dict[str, object] = {}
    with service.db.read() as session:
        bundles = session.scalars(select(ClassBundle).where(ClassBundle.external_ref.like(f"{tag}-%"))).all()
        for bundle in bundles:
            record = session.scalar(select(ClassPayment).where(ClassPayment.bundle_id == bundle.id))
            summary = {
                column.key: getattr(record, column.key)
                for column in ClassPayment.__table__.columns
                if column.key not in ("id", "bundle_id", "writer_id", "created_at")
            }
            links = session.execute(
                select(
                    ClassInstallment.installment_number,
                    ClassPaymentInstallment.paid_amount,
                    ClassPaymentInstallment.status,
                    ClassPaymentInstallment.paid_at,
                )
                .join(ClassInstallment, ClassPaymentInstallment.installment_id == ClassInstallment.id)
                .where(ClassPaymentInstallment.class_payment_id == record.id)
                .order_by(ClassInstallment.installment_number)
            ).all()
            ledger = session.execute(
                select(
                    OrderPayment.reference,
                    OrderPayment.kind,
                    OrderPayment.amount,
                    OrderPayment.method,
                    OrderPayment.target_installment,
                    OrderPayment.received_at,
                    OrderPayment.recorded_at,
                    OrderPayment.recorded_by,
                    OrderPayment.note,
                )
                .where(OrderPayment.bundle_id == bundle.id)
                .order_by(OrderPayment.id)
            ).all()
            allocations = session.execute(
                select(
                    OrderPayment.reference,
                    PaymentAllocation.slot,
                    ClassInstallment.installment_number,
                    PaymentAllocation.amount,
                )
                .join(OrderPayment, PaymentAllocation.order_payment_id == OrderPayment.id)
                .outerjoin(
                    ClassPaymentInstallment, PaymentAllocation.payment_installment_id == ClassPaymentInstallment.id
                )
                .outerjoin(ClassInstallment, ClassPaymentInstallment.installment_id == ClassInstallment.id)
                .where(PaymentAllocation.class_payment_id == record.id)
                .order_by(PaymentAllocation.id)
            ).all()
            payouts = session.execute(
                select(
                    ClassWriterPayment.amount,
                    ClassWriterPayment.payment_type,
                    ClassWriterPayment.status,
                    ClassWriterPayment.scheduled_for,
                    ClassWriterPayment.paid_at,
                    WriterBonus.amount,
                    WriterBonus.is_paid,
                    WriterBonus.cancelled_at,
                )
                .join(WriterBonus, ClassWriterPayment.bonus_id == WriterBonus.id)
                .where(ClassWriterPayment.class_payment_id == record.id)
                .order_by(ClassWriterPayment.id)
            ).all()
            result[plain(bundle.external_ref)] = (
                summary,
                [tuple(link) for link in links],
                [(plain(reference), *rest) for reference, *rest in ledger],
                [(plain(reference), *rest) for reference, *rest in allocations],
                [tuple(payout) for payout in payouts],
            )
    return result


@pytest.fixture(params=["whole", "in parts"])
def parts(request, monkeypatch) -> None:
    """The file taken whole, or in parts of 7 rows (bundles settled as soon as no later part
    names them, read and worked out 3 at a time), as a big file is."""
    if request.param == "in parts":
        monkeypatch.setattr(files, "CHUNK", 7)
        monkeypatch.setattr(settle, "BATCH", 3)


@pytest.mark.parametrize("seed", [1, 2])
def test_importing_payments_equals_recording_them_one_by_one(service, admin, tmp_path, seed, parts):
    rng = random.Random(seed)
    plans = _plans(rng, 25)
    for tag in ("A", "B"):
        service.import_files(admin, _catalog(tmp_path / f"catalog-{tag}", tag, plans))
    payments = _payments(rng, plans)
    kinds = {kind for _, _, kind, *_ in payments}
    assert {"deposit", "installment", "payment", "refund"} <= kinds  # the file has every kind

    _record_one_by_one(service, admin, "A", payments)
    report = service.import_files(admin, [_payment_file(tmp_path / "payments-B", "B", payments)])
    assert report.added == {"payments": len(payments)}

    recorded, imported = _snapshot(service, "A"), _snapshot(service, "B")
    assert imported.keys() == recorded.keys() and len(imported) == len(plans)
    for ref, state in recorded.items():
        assert imported[ref] == state, ref
    check = service.check(admin)
    assert check.ok, check.problems[:5]
    # the file is the same payments: importing it again adds nothing
    again = service.import_files(admin, [_payment_file(tmp_path / "payments-B-again", "B", payments)])
    assert again.added == {"payments": 0} and again.unchanged == {"payments": len(payments)}
    assert _snapshot(service, "B") == imported
    assert PaymentKind.REFUND.value in kinds
