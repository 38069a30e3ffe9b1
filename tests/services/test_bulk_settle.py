"""The set-based settle (:mod:`classpay_tui.services.bulk`) gives exactly what the
per-bundle path gives: the same records, installment states, allocations and payouts,
for random bundles and ledgers, on a first settle and on a second one over stored records."""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from classpay_tui.db.models import (
    ClassBundle,
    ClassInstallment,
    ClassPayment,
    ClassPaymentInstallment,
    ClassWriterPayment,
    Client,
    OrderPayment,
    PaymentAllocation,
    Writer,
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
from classpay_tui.domain.compensation import RuleKind
from classpay_tui.domain.errors import ClasspayError
from classpay_tui.domain.money import CENT, ZERO
from classpay_tui.domain.plans import split_evenly
from classpay_tui.domain.statuses import BundleStatus, PaymentKind, PaymentMethod, PayoutMode
from classpay_tui.services.bulk import settle_bundles
from classpay_tui.services.bulk.allocate import CentsDebt, Money
from classpay_tui.services.corrections import reverse_allocations
from classpay_tui.services.ledger import load_state, recompute_client, recompute_writer
from classpay_tui.services.payouts import schedule_due_payouts
from classpay_tui.services.records import (
    UnallocatablePayment,
    bundle_compensation,
    create_payment_record,
    link_existing_payments,
    office_settings,
    payment_record,
)
from tests.conftest import SEED_DAY

NOW = SEED_DAY
TODAY = SEED_DAY.date()
START = datetime(2023, 1, 2, 12, 0, tzinfo=UTC)


def settle_one_by_one(session, bundle_ids) -> list[str]:
    """The importer's per-bundle path, as it was before the bulk settle (the reference)."""
    settings = office_settings(session)
    problems = []
    records = {}
    for bundle_id in sorted(bundle_ids):
        bundle = session.get(ClassBundle, bundle_id)
        try:
            payment = payment_record(session, bundle_id)
            if payment is None:
                payment = create_payment_record(session, bundle, NOW, TODAY)
            else:
                link_existing_payments(session, bundle, payment)
                recompute_client(session, load_state(session, bundle, payment), TODAY)
            records[bundle_id] = payment
        except UnallocatablePayment as error:
            problems.append(f"bundle {bundle_id}: {str(error).rstrip('.')}")
    if problems:
        return problems
    for bundle_id, payment in records.items():
        bundle = session.get(ClassBundle, bundle_id)
        writer = session.get(Writer, bundle.writer_id) if bundle.writer_id else None
        payment.writer_compensation_amount = bundle_compensation(bundle, writer, settings)
        recompute_writer(session, bundle, payment)
        schedule_due_payouts(session, bundle, payment, settings, NOW, TODAY)
        recompute_writer(session, bundle, payment)
    session.flush()
    return []


def settle_in_bulk(session, bundle_ids) -> list[str]:
    return [f"{p.where}: {p.why}" for p in settle_bundles(session, bundle_ids, now=NOW, today=TODAY)]


class Ledger:
    """Random but valid ledger entries for one bundle plan, checked with the domain rules."""

    def __init__(self, rng: random.Random, bundle_id: int, deposit: Decimal, parts: list[Decimal], balance: Decimal):
        self.rng = rng
        slots = []
        if deposit > ZERO:
            slots.append(Slot(SlotKind.DEPOSIT, deposit, ZERO))
        for number, amount in enumerate(parts, 1):
            slots.append(
                Slot(SlotKind.INSTALLMENT, amount, ZERO, number, date(2023, 1, 1) + timedelta(days=30 * number), number)
            )
        if not parts and balance > ZERO:
            slots.append(Slot(SlotKind.BALANCE, balance, ZERO))
        self.debt = BundleDebt(bundle_id, tuple(slots))

    def _some(self, most: Decimal) -> Decimal:
        if most <= ZERO:
            return ZERO
        if self.rng.random() < 0.6:
            return most
        return max(CENT, (most * Decimal(self.rng.randint(1, 99)) / 100).quantize(CENT))

    def next_entry(self) -> tuple[PaymentKind, Decimal, int | None] | None:
        debt, rng = self.debt, self.rng
        choice = rng.random()
        try:
            if choice < 0.12 and debt.paid > ZERO:
                amount = self._some(debt.paid)
                allocations, entry = allocate_refund(debt, amount), (PaymentKind.REFUND, amount, None)
            elif choice < 0.35 and debt.deposit is not None and debt.deposit.owed > ZERO:
                amount = self._some(debt.deposit.owed)
                allocations, entry = allocate_to_deposit(debt, amount), (PaymentKind.DEPOSIT, amount, None)
            elif choice < 0.75:
                unpaid = [s for s in debt.slots if s.kind is SlotKind.INSTALLMENT and s.owed > ZERO]
                if not unpaid:
                    return None
                slot = rng.choice(unpaid)
                amount = self._some(slot.owed)
                allocations = allocate_to_installment(debt, slot.number, amount)
                entry = (PaymentKind.INSTALLMENT, amount, slot.number)
            else:
                amount = self._some(debt.owed)
                allocations, entry = allocate_to_bundle(debt, amount), (PaymentKind.PAYMENT, amount, None)
        except ClasspayError:
            return None
        slots = list(debt.slots)
        for allocation in allocations:
            index = slots.index(allocation.slot)
            old = slots[index]
            slots[index] = Slot(
                old.kind, old.amount, old.allocated + allocation.amount, old.number, old.due_date, old.key
            )
        self.debt = BundleDebt(debt.bundle_id, tuple(slots))
        return entry


def build(session, seed: int, bundles: int) -> dict[str, list[tuple[str, list]]]:
    """The same random bundles twice (titles "<n>-A" and "<n>-B"); returns, for each copy,
    the ledger entries to add later, as (reference, row) pairs in received order."""
    rng = random.Random(seed)
    writers = [
        Writer(username=f"w{seed}a", display_name="A", active=True, created_at=NOW),
        Writer(
            username=f"w{seed}b",
            display_name="B",
            rule_kind=RuleKind.PER_CLASS,
            rule_value=Decimal("45.00"),
            active=True,
            created_at=NOW,
        ),
        Writer(
            username=f"w{seed}c",
            display_name="C",
            rule_kind=RuleKind.PERCENT,
            rule_value=Decimal("55.00"),
            active=True,
            created_at=NOW,
        ),
    ]
    client = Client(name=f"Client {seed}", created_at=NOW)
    session.add_all([*writers, client])
    session.flush()
    plans = []
    for n in range(bundles):
        total = Decimal(rng.randint(100, 300_000)) * CENT
        deposit = rng.choice([ZERO, ZERO, (total * Decimal(rng.randint(1, 40)) / 100).quantize(CENT), total])
        count = rng.choice([0, 0, 1, 2, 3, 4, 6]) if total > deposit else 0
        parts = split_evenly(total - deposit, count) if count else []
        plans.append(
            dict(
                n=n,
                total=total,
                deposit=deposit,
                parts=parts,
                classes=rng.randint(1, 20),
                writer=rng.choice([None, *writers, writers[0]]),
                status=rng.choice([BundleStatus.IN_PROGRESS] * 6 + [BundleStatus.CANCELLED, BundleStatus.COMPLETED]),
                mode=rng.choice([None, None, PayoutMode.PER_INSTALLMENT, PayoutMode.ON_FULL_PAYMENT]),
                override=rng.choice([None, None, None, (total / 3).quantize(CENT)]),
                entries=rng.randint(0, 8),
            )
        )
    entries: dict[str, list[tuple[str, list]]] = {"A": [], "B": []}
    for plan in plans:
        ledger = Ledger(rng, 0, plan["deposit"], plan["parts"], plan["total"] - plan["deposit"])
        made = [entry for _ in range(plan["entries"]) if (entry := ledger.next_entry()) is not None]
        for copy in ("A", "B"):
            bundle = ClassBundle(
                client_id=client.id,
                title=f"{plan['n']}-{copy}",
                number_of_classes=plan["classes"],
                total_amount=plan["total"],
                deposit_amount=plan["deposit"],
                status=plan["status"],
                writer_id=plan["writer"].id if plan["writer"] else None,
                compensation_override=plan["override"],
                payout_mode=plan["mode"],
                created_at=NOW,
                updated_at=NOW,
            )
            session.add(bundle)
            session.flush()
            for number, amount in enumerate(plan["parts"], 1):
                session.add(
                    ClassInstallment(
                        bundle_id=bundle.id,
                        installment_number=number,
                        amount=amount,
                        due_date=date(2023, 1, 1) + timedelta(days=30 * number),
                    )
                )
            for index, (kind, amount, target) in enumerate(made):
                entries[copy].append((f"S{seed}-{plan['n']}-{index}-{copy}", [bundle.id, kind, amount, target]))
    return entries


def add_entries(session, entries: list[tuple[str, list]], rng: random.Random, start: datetime) -> None:
    """Insert the entries with received dates in their order but ids in a shuffled order,
    so allocating by received date and replaying by id differ."""
    received = {reference: start + timedelta(hours=index) for index, (reference, _) in enumerate(entries)}
    shuffled = list(entries)
    rng.shuffle(shuffled)
    for reference, (bundle_id, kind, amount, target) in shuffled:
        session.add(
            OrderPayment(
                bundle_id=bundle_id,
                kind=kind,
                amount=amount,
                method=PaymentMethod.CASH,
                reference=reference,
                target_installment=target,
                received_at=received[reference],
                recorded_at=NOW,
                recorded_by="test",
            )
        )
    session.flush()


def snapshot(session, copy: str) -> dict[str, object]:
    """Everything settling wrote, per bundle, without ids or the copy's suffix."""
    result: dict[str, object] = {}
    bundles = session.scalars(select(ClassBundle).where(ClassBundle.title.like(f"%-{copy}"))).all()
    for bundle in bundles:
        key = bundle.title.removesuffix(f"-{copy}")
        record = session.scalar(select(ClassPayment).where(ClassPayment.bundle_id == bundle.id))
        fields = {
            column.key: getattr(record, column.key)
            for column in ClassPayment.__table__.columns
            if column.key not in ("id", "bundle_id", "created_at", "updated_at")
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
        allocations = sorted(
            (reference.removesuffix(f"-{copy}"), slot.value, number or 0, amount)
            for reference, slot, number, amount in session.execute(
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
            )
        )
        payouts = sorted(
            (writer_id, amount, kind.value, status.value, scheduled_for, bonus_amount, is_paid)
            for writer_id, amount, kind, status, scheduled_for, bonus_amount, is_paid in session.execute(
                select(
                    ClassWriterPayment.writer_id,
                    ClassWriterPayment.amount,
                    ClassWriterPayment.payment_type,
                    ClassWriterPayment.status,
                    ClassWriterPayment.scheduled_for,
                    WriterBonus.amount,
                    WriterBonus.is_paid,
                )
                .join(WriterBonus, ClassWriterPayment.bonus_id == WriterBonus.id)
                .where(ClassWriterPayment.class_payment_id == record.id, WriterBonus.bundle_id == bundle.id)
            )
        )
        result[key] = (fields, [tuple(link) for link in links], allocations, payouts)
    return result


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bulk_settle_equals_the_per_bundle_path(service, admin, seed):
    with service.db.write() as session:
        entries = build(session, seed, bundles=40)
        half = {copy: rows[: len(rows) // 2] for copy, rows in entries.items()}
        for copy in ("A", "B"):
            add_entries(session, half[copy], random.Random(seed), START)
    ids = {copy: _bundle_ids(service, copy) for copy in ("A", "B")}
    with service.db.write() as session:
        assert settle_one_by_one(session, ids["A"]) == []
    with service.db.write() as session:
        assert settle_in_bulk(session, ids["B"]) == []
    with service.db.read() as session:
        first = snapshot(session, "A")
        assert snapshot(session, "B") == first
    # The rest of the ledger arrives later: the stored records are updated.
    with service.db.write() as session:
        for copy in ("A", "B"):
            add_entries(
                session, entries[copy][len(half[copy]) :], random.Random(seed + 100), START + timedelta(days=400)
            )
    with service.db.write() as session:
        assert settle_one_by_one(session, ids["A"]) == []
    with service.db.write() as session:
        assert settle_in_bulk(session, ids["B"]) == []
    with service.db.read() as session:
        second = snapshot(session, "A")
        assert snapshot(session, "B") == second
    assert second != first
    report = service.check(admin)
    assert report.ok, report.problems[:5]
    assert report.bundles_checked == 80


def _bundle_ids(service, copy: str) -> list[int]:
    with service.db.read() as session:
        return list(session.scalars(select(ClassBundle.id).where(ClassBundle.title.like(f"%-{copy}"))))


def test_a_payment_the_bundle_cannot_take_is_reported_and_nothing_is_written(service):
    with service.db.write() as session:
        entries = build(session, 9, bundles=3)
        for copy in ("A", "B"):
            bundle_id = session.scalar(select(ClassBundle.id).where(ClassBundle.title == f"1-{copy}"))
            total = session.get(ClassBundle, bundle_id).total_amount
            entries[copy].append((f"TOO-MUCH-{copy}", [bundle_id, PaymentKind.PAYMENT, total + CENT, None]))
            add_entries(session, entries[copy], random.Random(9), START)
    ids = {copy: _bundle_ids(service, copy) for copy in ("A", "B")}
    with service.db.read() as session:  # rolled back at the end
        expected = settle_one_by_one(session, ids["A"])
    with service.db.read() as session:
        problems = settle_in_bulk(session, ids["B"])
        assert session.scalar(select(ClassPayment.id)) is None
    assert len(problems) == 1 and "payment TOO-MUCH-B cannot be allocated" in problems[0]
    assert [_plain(p) for p in problems] == [_plain(p) for p in expected]


def _plain(problem: str) -> str:
    """Without what differs between the copies: bundle ids and the reference's suffix."""
    return re.sub(r"[Bb]undle \d+", "bundle N", problem).replace("-A ", " ").replace("-B ", " ")


# ---- the allocation rules in cents decide as the domain functions do ------------------


@st.composite
def debts_and_entries(draw: st.DrawFn) -> tuple[CentsDebt, BundleDebt, str, int, int | None]:
    """A bundle's slots with some already allocated, as :class:`CentsDebt` and as the
    domain's :class:`BundleDebt`, and an entry (kind, cents, installment number) to try."""
    deposit = draw(st.integers(min_value=0, max_value=50_000))
    count = draw(st.integers(min_value=0, max_value=5))
    amounts = draw(st.lists(st.integers(min_value=1, max_value=50_000), min_size=count, max_size=count))
    start = date(2023, 1, 1)
    dues = [start + timedelta(days=draw(st.integers(min_value=0, max_value=90))) for _ in range(count)]
    balance = draw(st.integers(min_value=0 if deposit else 1, max_value=50_000)) if not count else 0
    held = [draw(st.integers(min_value=0, max_value=amount)) for amount in amounts]
    deposit_held = draw(st.integers(min_value=0, max_value=deposit))
    balance_held = draw(st.integers(min_value=0, max_value=balance))
    total = deposit + sum(amounts) + balance
    cents = CentsDebt(7, total, deposit, deposit_held, (list(range(1, count + 1)), amounts, dues, held), balance_held)
    slots = [Slot(SlotKind.DEPOSIT, _money(deposit), _money(deposit_held))] if deposit else []
    slots += [
        Slot(SlotKind.INSTALLMENT, _money(amount), _money(already), number, due, number - 1)
        for number, (amount, due, already) in enumerate(zip(amounts, dues, held, strict=True), 1)
    ]
    if balance:
        slots.append(Slot(SlotKind.BALANCE, _money(balance), _money(balance_held)))
    kind = draw(st.sampled_from(["payment", "deposit", "installment", "refund"]))
    amount = draw(st.one_of(st.integers(min_value=1, max_value=60_000), st.sampled_from([1, total, total + 1])))
    number = draw(st.integers(min_value=0, max_value=count + 1)) if kind == "installment" else None
    return cents, BundleDebt(7, tuple(slots)), kind, max(1, amount), number


def _money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


@settings(max_examples=400, deadline=None)
@given(debts_and_entries())
def test_the_cents_rules_accept_and_refuse_exactly_as_the_domain(case) -> None:
    cents, debt, kind, amount, number = case
    assert cents.to_domain(Money()) == debt
    domain_rules = {
        "payment": lambda: allocate_to_bundle(debt, _money(amount)),
        "deposit": lambda: allocate_to_deposit(debt, _money(amount)),
        "installment": lambda: allocate_to_installment(debt, number, _money(amount)),
        "refund": lambda: allocate_refund(debt, _money(amount)),
    }
    fast_rules = {
        "payment": lambda: cents.pay_bundle(amount),
        "deposit": lambda: cents.pay_deposit(amount),
        "installment": lambda: cents.pay_installment(number, amount),
        "refund": lambda: cents.refund(amount),
    }
    try:
        expected = [(debt.slots.index(a.slot), int(a.amount * 100)) for a in domain_rules[kind]()]
    except ClasspayError:
        expected = None
    assert fast_rules[kind]() == expected
    if expected:  # reversing it: exactly what the domain's reversal does, or refuses
        for index, part in expected:
            cents.held[index] += part
        after = cents.to_domain(Money())
        made = [(cents.kinds[index], cents.keys[index], part) for index, part in expected]
        for rows in (made, *([(slot, key, part + step) for slot, key, part in made] for step in (1, -1))):
            try:
                undone = reverse_allocations(after, 1, [(slot, key, _money(part)) for slot, key, part in rows])
                wanted = [(after.slots.index(a.slot), int(a.amount * 100)) for a in undone]
            except ClasspayError:
                wanted = None
            assert cents.reverse(rows) == wanted
        assert cents.reverse(made) == [(index, -part) for index, part in expected]


def test_a_stored_reversal_of_an_allocated_payment_is_undone_as_the_per_bundle_path_undoes_it(service, admin):
    """The reversal is in the ledger but not allocated yet (as an older system leaves it);
    what the original allocated is read from the database and taken back."""
    with service.db.write() as session:
        entries = build(session, 4, bundles=30)
        for copy in ("A", "B"):
            add_entries(session, entries[copy], random.Random(4), START)
    ids = {copy: _bundle_ids(service, copy) for copy in ("A", "B")}
    with service.db.write() as session:
        assert settle_one_by_one(session, ids["A"]) == []
    with service.db.write() as session:
        assert settle_in_bulk(session, ids["B"]) == []
    with service.db.write() as session:
        reversed_count = 0
        for copy in ("A", "B"):
            originals = session.scalars(
                select(OrderPayment)
                .where(OrderPayment.bundle_id.in_(ids[copy]), OrderPayment.kind != PaymentKind.REFUND)
                .order_by(OrderPayment.reference)
            ).all()
            for index, original in enumerate(originals[::3]):
                session.add(
                    OrderPayment(
                        bundle_id=original.bundle_id,
                        kind=PaymentKind.REVERSAL,
                        amount=original.amount,
                        method=PaymentMethod.CASH,
                        reference=f"UNDO-{original.reference}",
                        received_at=START + timedelta(days=500, hours=index),
                        recorded_at=NOW,
                        recorded_by="test",
                        reverses_id=original.id,
                    )
                )
                reversed_count += 1
        session.flush()
    assert reversed_count > 4
    with service.db.write() as session:
        assert settle_one_by_one(session, ids["A"]) == []
    with service.db.write() as session:
        assert settle_in_bulk(session, ids["B"]) == []
    with service.db.read() as session:
        assert snapshot(session, "B") == snapshot(session, "A")
    report = service.check(admin)
    assert report.ok, report.problems[:5]
