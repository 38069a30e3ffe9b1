"""Issue 3: a hypothesis state machine over the whole payout lifecycle, on a real SQLite file.

Each run creates a fresh database with three writers (office default 60 %, 37.5 %, 33.33 per
class) and one to three bundles with uneven amounts, some in ``per_installment`` payout mode.
The rules pay, refund, reverse, schedule, pay out, cancel, run payouts, reassign the writer,
refresh and retry. Each rule works out beforehand, from what the service shows, whether the
call must be accepted or refused; a refusal must leave every bundle, every payout and the
audit log exactly as they were. After every step the invariants prove that
the stored summaries equal the ledger, that no writer is scheduled more than the compensation,
and that payouts, bonuses, writer totals and the writer dashboard agree with each other.
"""

from __future__ import annotations

import atexit
import decimal
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, event, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
)
from sqlalchemy import select

from classpay_tui.db.engine import Database
from classpay_tui.db.models import ClassWriterPayment, WriterBonus
from classpay_tui.domain.errors import Conflict, InvalidInput, NotFound, Refused
from classpay_tui.domain.plans import Frequency
from classpay_tui.domain.statuses import (
    ClientPaymentStatus,
    InstallmentStatus,
    PaymentKind,
    PaymentMethod,
    Role,
    WriterPaymentStatus,
    WriterPaymentType,
    WriterPayoutStatus,
)
from classpay_tui.services import ClassPaymentService, OperatorContext
from classpay_tui.services.context import FixedClock
from classpay_tui.services.schemas import (
    BundleIn,
    CheckReport,
    LedgerEntryOut,
    PaymentDetails,
    PaymentIn,
    PlanIn,
    WriterIn,
    WriterPaymentOut,
)

T = TypeVar("T")

NOW = datetime(2024, 1, 15, 10, 0, tzinfo=UTC)  # a Monday; payouts go to Friday 2024-01-19
TODAY = NOW.date()
ZERO = Decimal("0.00")
CENT = Decimal("0.01")
REFUSALS = (Refused, InvalidInput, Conflict, NotFound)
ADMIN = OperatorContext(login="alice", role=Role.ADMIN)
MONEY_IN = (PaymentKind.DEPOSIT, PaymentKind.INSTALLMENT, PaymentKind.PAYMENT)

# (username, rule, the compensation that rule gives for (total, number_of_classes))
WRITERS: list[tuple[str, dict[str, Decimal], Callable[[Decimal, int], Decimal]]] = [
    ("ana", {}, lambda total, classes: (total * 60 / 100).quantize(CENT, ROUND_HALF_UP)),
    (
        "ben",
        {"percent": Decimal("37.5")},
        lambda total, classes: (total * Decimal("37.5") / 100).quantize(CENT, ROUND_HALF_UP),
    ),
    ("cy", {"per_class": Decimal("33.33")}, lambda total, classes: Decimal("33.33") * classes),
]


def money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def to_cents(amount: Decimal) -> int:
    return int(amount * 100)


def covered_share(compensation: Decimal, paid: Decimal, total: Decimal) -> Decimal:
    """The part of the compensation backed by collected money, half up to the cent."""
    return (compensation * paid / total).quantize(CENT, ROUND_HALF_UP)


# ---- strategies -------------------------------------------------------------------------


@dataclass(frozen=True)
class BundleSpec:
    total_cents: int
    deposit_percent: int
    installments: int
    classes: int
    writer: int | None  # index into WRITERS
    per_installment: bool
    first_due: date


BUNDLE_SPECS = st.builds(
    BundleSpec,
    total_cents=st.sampled_from([100_000, 33_333, 123_457, 1_001]),
    deposit_percent=st.sampled_from([0, 10, 33, 100]),
    installments=st.integers(min_value=0, max_value=4),
    classes=st.integers(min_value=1, max_value=12),
    writer=st.sampled_from([0, 1, 2, None]),
    per_installment=st.booleans(),
    first_due=st.sampled_from([date(2024, 1, 15), date(2023, 12, 1), date(2024, 2, 29)]),
)

# How an amount is chosen against a limit the rule reads from the service (what is owed, paid,
# unscheduled): exactly the limit, a part of it, just over it, or any number of cents. Hypothesis
# favours the first choice: all of it for payments, a part for refunds.
AMOUNTS = st.tuples(
    st.sampled_from(["exact", "part", "exact", "part", "over", "any"]),
    st.integers(min_value=1, max_value=99),
    st.integers(min_value=1, max_value=50_000),
)
REFUND_AMOUNTS = st.tuples(
    st.sampled_from(["part", "exact", "part", "over", "any"]),
    st.integers(min_value=1, max_value=99),
    st.integers(min_value=1, max_value=50_000),
)
TARGETS = st.one_of(
    st.just(("bundle", 0)),
    st.tuples(st.just("installment"), st.integers(min_value=1, max_value=5)),
    st.just(("deposit", 0)),
)
PICK = st.integers(min_value=0, max_value=1_000)  # an index into a list only known at run time


def pick_cents(choice: tuple[str, int, int], limit: int) -> int:
    how, percent, raw = choice
    if how == "exact":
        return max(limit, 1)
    if how == "part":
        return max(1, limit * percent // 100)
    if how == "over":
        return max(limit, 0) + 1 + raw % 500
    return raw


# ---- the model --------------------------------------------------------------------------


@dataclass
class BundleModel:
    """What the machine knows about a bundle independently of the service's summary."""

    bundle_id: int
    payment_id: int
    total: Decimal
    classes: int
    per_installment: bool
    writer_id: int | None
    compensation_of: dict[int, Decimal] = field(default_factory=dict)  # writer id -> at assignment
    manual: set[int] = field(default_factory=set)  # writers an admin scheduled a payout for by hand
    # Writers an admin cancelled a payout for since the client last paid: whether the service
    # schedules the cancelled share again at once or at the next payment is left open.
    cancelled: set[int] = field(default_factory=set)
    signed: dict[int, Decimal] = field(default_factory=dict)  # ledger entry id -> signed amount
    refunded: Decimal = ZERO  # refunds net of reversed refunds

    @property
    def paid(self) -> Decimal:
        return sum(self.signed.values(), ZERO)


@dataclass(frozen=True)
class DonePayment:
    bundle_id: int
    amount: Decimal
    reference: str
    deposit: bool
    installment_number: int | None


def signed_amount(entry: LedgerEntryOut, by_id: dict[int, LedgerEntryOut]) -> Decimal:
    """+ for money in, − for a refund, and a reversal the opposite of what it reverses."""
    if entry.kind in MONEY_IN:
        return entry.amount
    if entry.kind is PaymentKind.REFUND:
        return -entry.amount
    assert entry.kind is PaymentKind.REVERSAL and entry.reverses is not None
    return -signed_amount(by_id[entry.reverses], by_id)


_template: list[Path] = []


def template_database() -> Path:
    """One migrated SQLite file with the writers, made once per test process and copied for each run."""
    if not _template:
        folder = Path(tempfile.mkdtemp(prefix="classpay-machine-template-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        service = ClassPaymentService(Database(str(folder / "template.db")), FixedClock(NOW))
        assert service.initialize()
        for name, rule, _ in WRITERS:
            service.add_writer(ADMIN, WriterIn(username=name, **rule))  # type: ignore[arg-type]
        service.db.dispose()
        _template.append(folder / "template.db")
    return _template[0]


@dataclass(frozen=True)
class View:
    """Everything a call could change: every bundle's details, every payout, the check report
    (its problems and how many audit events there are)."""

    details: dict[int, PaymentDetails]
    payouts: list[WriterPaymentOut]
    report: CheckReport


class LedgerMachine(RuleBasedStateMachine):
    bundles = Bundle("bundles")

    def __init__(self) -> None:
        super().__init__()
        # conftest's autouse fixture: any float that meets a Decimal raises.
        assert decimal.getcontext().traps[decimal.FloatOperation]
        self.tmp = Path(tempfile.mkdtemp(prefix="classpay-machine-"))
        path = self.tmp / "classpay.db"
        shutil.copy(template_database(), path)  # a fresh file per run; migrating each time is slow
        self.service = ClassPaymentService(Database(str(path)), FixedClock(NOW))
        assert not self.service.initialize()  # already set up: this only checks the schema is current
        self.ctx = ADMIN
        self.writer_ids = [self.service.get_writer(self.ctx, name).id for name, _, _ in WRITERS]
        self.model: dict[int, BundleModel] = {}
        self.counter = 0
        self.done_payments: list[DonePayment] = []
        self.payout_references: list[str] = []
        self.seen_payouts: dict[int, WriterPaymentOut] = {}
        self.seen_entries: dict[int, LedgerEntryOut] = {}
        self._view: View | None = None
        self._verified: set[str] = set()  # invariants already proved on this view

    def teardown(self) -> None:
        self.service.db.dispose()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # ---- helpers ------------------------------------------------------------------------

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}-{self.counter}"

    def view(self) -> View:
        """The service's state, read once per change (rules and invariants share it)."""
        if self._view is None:
            self._view = View(
                details={b: self.service.get_payment_details(self.ctx, b) for b in sorted(self.model)},
                payouts=self.service.list_payouts(self.ctx),
                report=self.service.check(self.ctx),
            )
        return self._view

    def details(self, bundle_id: int) -> PaymentDetails:
        return self.view().details[bundle_id]

    def changed(self) -> None:
        self._view, self._verified = None, set()

    def verified(self, invariant: str) -> bool:
        """True if ``invariant`` was already proved on the current view; marks it proved."""
        done = invariant in self._verified
        self._verified.add(invariant)
        return done

    def expected_compensation(self, writer_id: int, model: BundleModel) -> Decimal:
        _, _, rule = WRITERS[self.writer_ids.index(writer_id)]
        return rule(model.total, model.classes)

    def attempt(self, label: str, bundle_id: int | None, expected: bool | None, call: Callable[[], T]) -> T | None:
        """Run ``call``; ``expected`` says whether it must succeed (True), must be refused (False)
        or either (None). A refusal must change nothing; a success on one bundle must leave the
        other bundles alone (``bundle_id`` None: the call may touch them all)."""
        before, verified = self.view(), self._verified
        self.changed()
        try:
            result = call()
        except REFUSALS as error:
            note(f"refused: {type(error).__name__}: {error}")
            event(f"{label}: refused")
            assert expected is not True, f"a legitimate call was refused: {error}"
            assert str(error).strip(), "a refusal must say why"
            assert self.view() == before, f"the refused call ({error}) changed something"
            # Nothing changed, so the invariants need not be proved again (it keeps shrinking fast).
            self._view, self._verified = before, verified
            return None
        assert expected is not False, f"{label}: the service accepted a call it must refuse ({str(result)[:300]}...)"
        event(f"{label}: done")
        if bundle_id is not None:
            after = self.view()
            for other, details in before.details.items():
                if other != bundle_id:
                    assert after.details[other] == details, f"a call on bundle {bundle_id} changed bundle {other}"
        return result

    # ---- setup --------------------------------------------------------------------------

    @initialize(target=bundles, specs=st.lists(BUNDLE_SPECS, min_size=1, max_size=3))
    def create_bundles(self, specs: list[BundleSpec]) -> Any:
        ids = []
        for number, spec in enumerate(specs, 1):
            deposit_cents = spec.total_cents * spec.deposit_percent // 100
            installments = 0 if deposit_cents == spec.total_cents else spec.installments
            writer_name = WRITERS[spec.writer][0] if spec.writer is not None else None
            created = self.service.create_bundle(
                self.ctx,
                BundleIn(
                    client_name=f"Client {number}",
                    title=f"Course {number}",
                    number_of_classes=spec.classes,
                    total_amount=money(spec.total_cents),
                    deposit_amount=money(deposit_cents),
                    plan=PlanIn(count=installments, first_due=spec.first_due, every=Frequency.MONTH)
                    if installments
                    else None,
                    writer=writer_name,
                ),
            )
            if spec.per_installment:
                mode = self.service.set_payout_mode(self.ctx, "per_installment", bundle_id=created.bundle_id)
                assert mode == "per_installment"
            model = BundleModel(
                bundle_id=created.bundle_id,
                payment_id=created.id,
                total=money(spec.total_cents),
                classes=spec.classes,
                per_installment=spec.per_installment,
                writer_id=created.assigned_writer_id,
            )
            assert len(created.installments) == installments
            if installments:
                assert sum((item.amount for item in created.installments), ZERO) + created.deposit_amount == model.total
            if model.writer_id is not None:
                expected = self.expected_compensation(model.writer_id, model)
                assert created.writer_compensation_amount == expected
                model.compensation_of[model.writer_id] = expected
            self.model[created.bundle_id] = model
            ids.append(created.bundle_id)
        self.changed()
        return multiple(*ids)

    # ---- client money -------------------------------------------------------------------

    @rule(bundle_id=bundles, to=TARGETS, choice=AMOUNTS)
    def pay(self, bundle_id: int, to: tuple[str, int], choice: tuple[str, int, int]) -> None:
        self.record_payment(bundle_id, *to, choice)

    def owing(self) -> list[int]:
        return [b for b in sorted(self.model) if self.details(b).balance_remaining > ZERO]

    def holding_money(self) -> list[int]:
        return [b for b in sorted(self.model) if self.details(b).amount_paid > ZERO]

    # Hypothesis favours the first of its (sorted) rules: the one with the fewest arguments,
    # so this one takes a single argument and every other rule at least two.
    @precondition(lambda self: bool(self.owing()))
    @rule(bundle_id=bundles)
    def pay_what_is_due(self, bundle_id: int) -> None:
        """What the desk does most: all the deposit owes if it is owed, else all the next unpaid
        installment owes, else what is left on the bundle (partial payments and refusals: ``pay``).
        A bundle paid in full passes the turn to the next one that still owes something."""
        owing = self.owing()
        if bundle_id not in owing:
            bundle_id = min(owing, key=lambda b: (b < bundle_id, b))
        before = self.details(bundle_id)
        unpaid = [item.installment_number for item in before.installments if not item.is_paid]
        if before.deposit_paid < before.deposit_amount:
            where, number = "deposit", 0
        elif unpaid:
            where, number = "installment", unpaid[0]
        else:
            where, number = "bundle", 0
        self.record_payment(bundle_id, where, number, ("exact", 0, 0))

    def record_payment(self, bundle_id: int, where: str, number: int, choice: tuple[str, int, int]) -> None:
        model, before = self.model[bundle_id], self.details(bundle_id)
        deposit_owed = before.deposit_amount - before.deposit_paid
        if where == "bundle":
            owed = before.balance_remaining
            ok_so_far = owed > ZERO
        elif where == "deposit":
            owed = deposit_owed
            ok_so_far = before.deposit_amount > ZERO and owed > ZERO
        else:
            item = next((i for i in before.installments if i.installment_number == number), None)
            owed = item.remaining if item is not None else ZERO
            ok_so_far = item is not None and owed > ZERO and deposit_owed == ZERO
        amount = money(pick_cents(choice, to_cents(owed)))
        expected = ok_so_far and amount <= owed
        reference = self.fresh("P")
        target = f"installment {number}" if where == "installment" else f"the {where}"
        note(f"pay {amount} to {target} of bundle {bundle_id} ({reference}), expected {expected}")
        result = self.attempt(
            "pay",
            bundle_id,
            expected,
            lambda: self.service.record_payment(
                self.ctx,
                bundle_id,
                PaymentIn(amount=amount, reference=reference),
                deposit=where == "deposit",
                installment_number=number if where == "installment" else None,
            ),
        )
        if result is None:
            return
        entry = result.payment
        assert result.created and entry.amount == amount and entry.reference == reference
        assert sum((a.amount for a in entry.allocations), ZERO) == amount
        assert all(a.amount > ZERO for a in entry.allocations)
        assert result.balance_before == before.balance_remaining
        assert result.balance_after == before.balance_remaining - amount == result.details.balance_remaining
        model.signed[entry.id] = amount
        model.cancelled.clear()  # client money came in: the writer's share is scheduled again
        self.done_payments.append(
            DonePayment(bundle_id, amount, reference, where == "deposit", number if where == "installment" else None)
        )

    @precondition(lambda self: bool(self.holding_money()))
    @rule(bundle_id=bundles, choice=REFUND_AMOUNTS)
    def refund(self, bundle_id: int, choice: tuple[str, int, int]) -> None:
        """Money back to the client; a bundle with nothing paid passes the turn to one with money."""
        paid = self.holding_money()
        if bundle_id not in paid:
            bundle_id = min(paid, key=lambda b: (b < bundle_id, b))
        model, before = self.model[bundle_id], self.details(bundle_id)
        amount = money(pick_cents(choice, to_cents(before.amount_paid)))
        expected = amount <= before.amount_paid
        reference = self.fresh("R")
        note(f"refund {amount} on bundle {bundle_id} ({reference}), expected {expected}")
        result = self.attempt(
            "refund",
            bundle_id,
            expected,
            lambda: self.service.refund(self.ctx, bundle_id, PaymentIn(amount=amount, reference=reference)),
        )
        if result is None:
            return
        entry = result.payment
        assert result.created and entry.kind is PaymentKind.REFUND and entry.amount == amount
        assert sum((a.amount for a in entry.allocations), ZERO) == -amount
        assert all(a.amount < ZERO for a in entry.allocations)
        model.signed[entry.id] = -amount
        model.refunded += amount

    def ledger_entries(self) -> list[LedgerEntryOut]:
        return [entry for details in self.view().details.values() for entry in details.ledger]

    @precondition(lambda self: bool(self.ledger_entries()))
    @rule(index=PICK)
    def reverse(self, index: int) -> None:
        """Reverse one ledger entry of any bundle (``classpay reverse PAYMENT_ID``): mostly one that
        can still be reversed, sometimes a reversal or an entry already reversed."""
        entries = self.ledger_entries()
        reversed_ids = {entry.reverses for entry in entries if entry.reverses is not None}
        open_entries = [e for e in entries if e.kind is not PaymentKind.REVERSAL and e.id not in reversed_ids]
        pool = open_entries if open_entries and index % 4 else entries
        original = pool[index % len(pool)]
        bundle_id = original.bundle_id
        model, before = self.model[bundle_id], self.details(bundle_id)
        by_id = {entry.id: entry for entry in before.ledger}
        if original.kind is PaymentKind.REVERSAL or original.id in reversed_ids:
            expected = False
        else:
            expected = self.reversal_fits(before, original)
        note(
            f"reverse {original.kind.value} {original.id} ({original.amount}) on bundle {bundle_id}, "
            f"expected {expected}"
        )
        result = self.attempt(
            "reverse",
            bundle_id,
            expected,
            lambda: self.service.reverse_payment(self.ctx, original.id, "entered by mistake"),
        )
        if result is None:
            return
        entry = result.payment
        assert result.created and entry.kind is PaymentKind.REVERSAL
        assert entry.reverses == original.id and entry.amount == original.amount
        assert [(a.slot, a.installment_number, -a.amount) for a in entry.allocations] == [
            (a.slot, a.installment_number, a.amount) for a in original.allocations
        ]
        model.signed[entry.id] = -signed_amount(original, by_id)
        if original.kind is PaymentKind.REFUND:
            model.refunded -= original.amount
            model.cancelled.clear()  # the refunded money is back: the writer's share is scheduled again

    @staticmethod
    def reversal_fits(details: PaymentDetails, original: LedgerEntryOut) -> bool:
        """Undoing the original's allocations keeps every slot between empty and fully paid."""
        held: dict[tuple[str, int | None], Decimal] = {}
        cost: dict[tuple[str, int | None], Decimal] = {
            ("deposit", None): details.deposit_amount,
            ("balance", None): details.total_amount - details.deposit_amount,
        }
        for entry in details.ledger:
            for allocation in entry.allocations:
                key = (allocation.slot, allocation.installment_number)
                held[key] = held.get(key, ZERO) + allocation.amount
        for item in details.installments:
            cost[("installment", item.installment_number)] = item.amount
        for allocation in original.allocations:
            key = (allocation.slot, allocation.installment_number)
            if not ZERO <= held.get(key, ZERO) - allocation.amount <= cost[key]:
                return False
        return True

    @precondition(lambda self: bool(self.done_payments))
    @rule(index=PICK, change=st.sampled_from(["same", "amount", "bundle"]))
    def retry_payment(self, index: int, change: str) -> None:
        """A reference already recorded: the same payment is a safe retry, anything else a conflict."""
        done = self.done_payments[index % len(self.done_payments)]
        bundle_id, amount = done.bundle_id, done.amount
        if change == "amount":
            amount += CENT
        elif change == "bundle":
            others = sorted(b for b in self.model if b != bundle_id)
            if not others:
                return
            bundle_id = others[index % len(others)]
        note(f"retry {done.reference} ({change}) on bundle {bundle_id} with {amount}")
        before = self.view()
        result = self.attempt(
            "retry payment",
            None,
            change == "same",
            lambda: self.service.record_payment(
                self.ctx,
                bundle_id,
                PaymentIn(amount=amount, reference=done.reference),
                deposit=done.deposit,
                installment_number=done.installment_number,
            ),
        )
        if result is not None:
            assert not result.created and result.payment.reference == done.reference
            assert self.view() == before, "a retried payment changed something"

    # ---- writer payouts -----------------------------------------------------------------

    @rule(bundle_id=bundles, choice=st.one_of(st.none(), AMOUNTS))
    def schedule_writer_payment(self, bundle_id: int, choice: tuple[str, int, int] | None) -> None:
        model, before = self.model[bundle_id], self.details(bundle_id)
        open_amount = max(
            ZERO, before.writer_compensation_amount - before.writer_paid_amount - before.writer_scheduled_amount
        )
        amount = None if choice is None else money(pick_cents(choice, to_cents(open_amount)))
        expected = (
            before.assigned_writer_id is not None and open_amount > ZERO and (amount or open_amount) <= open_amount
        )
        note(f"schedule {amount or 'the rest'} for bundle {bundle_id} (open {open_amount}), expected {expected}")
        payout = self.attempt(
            "schedule",
            bundle_id,
            expected,
            lambda: self.service.schedule_writer_payment(self.ctx, model.payment_id, amount),
        )
        if payout is None:
            return
        wanted = amount or open_amount
        assert payout.amount == wanted and payout.status is WriterPayoutStatus.SCHEDULED
        assert payout.writer_id == before.assigned_writer_id and payout.bundle_id == bundle_id
        full = wanted == before.writer_compensation_amount
        assert payout.payment_type is (WriterPaymentType.FULL if full else WriterPaymentType.PARTIAL)
        after = self.details(bundle_id)
        assert after.writer_scheduled_amount == before.writer_scheduled_amount + wanted
        model.manual.add(payout.writer_id)

    def pick_payout(self, index: int) -> WriterPaymentOut:
        """A payout of any bundle (``classpay payouts pay|cancel ID``): mostly a scheduled one."""
        payouts = self.view().payouts
        scheduled = [p for p in payouts if p.status is WriterPayoutStatus.SCHEDULED]
        pool = scheduled if scheduled and index % 4 else payouts
        return pool[index % len(pool)]

    @precondition(lambda self: bool(self.view().payouts))
    @rule(index=PICK, reuse_reference=st.booleans())
    def pay_payout(self, index: int, reuse_reference: bool) -> None:
        payout = self.pick_payout(index)
        before = self.details(payout.bundle_id)
        reuse = reuse_reference and bool(self.payout_references)
        reference = self.payout_references[index % len(self.payout_references)] if reuse else self.fresh("TR")
        expected = payout.status is WriterPayoutStatus.SCHEDULED and not reuse
        note(f"pay out {payout.status.value} payout {payout.id} ({payout.amount}) as {reference}, expected {expected}")
        paid = self.attempt(
            "pay out", payout.bundle_id, expected, lambda: self.service.pay_payout(self.ctx, payout.id, reference)
        )
        if paid is None:
            return
        self.payout_references.append(reference)
        assert paid.status is WriterPayoutStatus.PAID and paid.reference == reference and paid.paid_at == NOW
        assert paid.method is PaymentMethod.BANK_TRANSFER and paid.amount == payout.amount
        after = self.details(payout.bundle_id)
        if payout.writer_id == before.assigned_writer_id:
            assert after.writer_paid_amount == before.writer_paid_amount + payout.amount
            assert after.writer_scheduled_amount == before.writer_scheduled_amount - payout.amount

    @precondition(lambda self: bool(self.view().payouts))
    @rule(index=PICK, reason=st.sampled_from(["writer left the course", "duplicate"]))
    def cancel_payout(self, index: int, reason: str) -> None:
        payout = self.pick_payout(index)
        expected = payout.status is WriterPayoutStatus.SCHEDULED
        note(f"cancel {payout.status.value} payout {payout.id} ({payout.amount}), expected {expected}")
        cancelled = self.attempt(
            "cancel", payout.bundle_id, expected, lambda: self.service.cancel_payout(self.ctx, payout.id, reason)
        )
        if cancelled is None:
            return
        assert cancelled.status is WriterPayoutStatus.CANCELLED and cancelled.cancel_reason == reason
        assert cancelled.paid_at is None and cancelled.amount == payout.amount
        self.model[payout.bundle_id].cancelled.add(payout.writer_id)

    @rule(
        due_by=st.sampled_from([date(2100, 1, 1), TODAY, date(2024, 1, 19)]),
        method=st.sampled_from([PaymentMethod.BANK_TRANSFER, PaymentMethod.PAYPAL]),
    )
    def run_payouts(self, due_by: date, method: PaymentMethod) -> None:
        scheduled = WriterPayoutStatus.SCHEDULED
        due = [p for p in self.view().payouts if p.status is scheduled and p.scheduled_for <= due_by]
        prefix = self.fresh("RUN")
        note(f"payout run due by {due_by} ({prefix}): {[p.id for p in due]}")
        paid = self.attempt(
            "payout run",
            None,
            True,
            lambda: self.service.run_payouts(self.ctx, due_by, reference_prefix=prefix, method=method),
        )
        assert paid is not None
        assert sorted(p.id for p in paid) == sorted(p.id for p in due)
        for payout in paid:
            assert payout.status is WriterPayoutStatus.PAID and payout.reference == f"{prefix}-{payout.id}"
            assert payout.paid_at == NOW and payout.method is method
        assert not self.service.list_payouts(self.ctx, status="scheduled", due_by=due_by)

    # ---- writers and status -------------------------------------------------------------

    @rule(bundle_id=bundles, writer=st.integers(min_value=0, max_value=len(WRITERS) - 1))
    def reassign_writer(self, bundle_id: int, writer: int) -> None:
        model = self.model[bundle_id]
        writer_id = self.writer_ids[writer]
        note(f"assign writer {WRITERS[writer][0]} to bundle {bundle_id}")
        details = self.attempt(
            "reassign", bundle_id, True, lambda: self.service.assign_writer(self.ctx, bundle_id, writer_id)
        )
        assert details is not None
        expected = self.expected_compensation(writer_id, model)
        assert details.assigned_writer_id == writer_id and details.writer_compensation_amount == expected
        model.writer_id = writer_id
        model.compensation_of[writer_id] = expected

    @rule(bundle_id=bundles, times=st.integers(min_value=1, max_value=2))
    def refresh_status(self, bundle_id: int, times: int) -> None:
        """The summary is always up to date, so recomputing it (once or again) changes nothing at all."""
        before = self.view()
        for _ in range(times):
            refreshed = self.attempt(
                "refresh",
                bundle_id,
                True,
                lambda: self.service.refresh_status(self.ctx, self.model[bundle_id].payment_id),
            )
            assert refreshed == before.details[bundle_id]
            assert self.view() == before, "refresh_status changed a summary that should already equal the ledger"

    # ---- invariants ---------------------------------------------------------------------

    @invariant()
    def check_finds_no_problem(self) -> None:
        assert self.view().report.problems == []  # cheap once the view is read: always

    @invariant()
    def every_bundle_agrees_with_the_ledger(self) -> None:
        if self.verified("bundles"):
            return
        for bundle_id, model in self.model.items():
            self.check_bundle(model, self.details(bundle_id))

    def check_bundle(self, model: BundleModel, d: PaymentDetails) -> None:
        where = f"bundle {model.bundle_id}"
        by_id = {entry.id: entry for entry in d.ledger}
        # The ledger: every entry the machine recorded, each allocated exactly its signed amount.
        assert set(by_id) == set(model.signed), f"{where}: ledger entries {sorted(by_id)} vs {sorted(model.signed)}"
        allocated = ZERO
        for entry in d.ledger:
            signed = signed_amount(entry, by_id)
            assert signed == model.signed[entry.id], f"{where}: entry {entry.id} signed {signed}"
            assert sum((a.amount for a in entry.allocations), ZERO) == signed, f"{where}: entry {entry.id}"
            allocated += signed
        reversed_ids = [entry.reverses for entry in d.ledger if entry.reverses is not None]
        assert len(reversed_ids) == len(set(reversed_ids)), f"{where}: an entry was reversed twice"
        assert all(by_id[i].kind is not PaymentKind.REVERSAL for i in reversed_ids), f"{where}: reversed a reversal"

        # The client summary.
        assert d.total_amount == model.total
        assert d.amount_paid == allocated == model.paid, f"{where}: amount paid {d.amount_paid}, ledger {allocated}"
        assert d.balance_remaining == d.total_amount - d.amount_paid
        assert ZERO <= d.amount_paid <= d.total_amount
        assert d.refunded_amount == model.refunded
        progress = (d.amount_paid * 100 / d.total_amount).quantize(Decimal("0.1"), ROUND_HALF_UP)
        assert d.payment_progress == progress
        if d.amount_paid == d.total_amount:
            status = ClientPaymentStatus.PAID
        elif d.amount_paid == ZERO:
            status = ClientPaymentStatus.REFUNDED if model.refunded > ZERO else ClientPaymentStatus.PENDING
        else:
            status = ClientPaymentStatus.PARTIAL
        assert d.client_payment_status is status, f"{where}: status {d.client_payment_status} not {status}"

        # Slots: the deposit, the installments (never paid twice) or the balance.
        by_slot: dict[tuple[str, int | None], Decimal] = {}
        for entry in d.ledger:
            for a in entry.allocations:
                by_slot[(a.slot, a.installment_number)] = by_slot.get((a.slot, a.installment_number), ZERO) + a.amount
        assert ZERO <= d.deposit_paid <= d.deposit_amount
        assert d.deposit_paid == by_slot.get(("deposit", None), ZERO)
        assert d.uses_installments == bool(d.installments) and d.total_installments == len(d.installments)
        for item in d.installments:
            assert ZERO <= item.paid_amount <= item.amount, f"{where}: installment {item.installment_number}"
            assert item.paid_amount == by_slot.get(("installment", item.installment_number), ZERO)
            assert item.remaining == item.amount - item.paid_amount
            assert item.is_paid == (item.paid_amount == item.amount)
            assert (item.paid_at is not None) == item.is_paid
            if item.is_paid:
                status_now = InstallmentStatus.PAID
            elif item.due_date < TODAY:
                status_now = InstallmentStatus.OVERDUE
            else:
                status_now = InstallmentStatus.PARTIAL if item.paid_amount > ZERO else InstallmentStatus.PENDING
            assert item.status is status_now, f"{where}: installment {item.installment_number} {item.status}"
        assert d.paid_installments == sum(1 for item in d.installments if item.is_paid)
        balance_paid = by_slot.get(("balance", None), ZERO)
        assert ZERO <= balance_paid <= d.total_amount - d.deposit_amount
        assert d.deposit_paid + sum((i.paid_amount for i in d.installments), ZERO) + balance_paid == d.amount_paid

        # The writer.
        assert d.assigned_writer_id == model.writer_id
        for payout in d.writer_payments:
            assert payout.bundle_id == model.bundle_id and payout.payment_record_id == model.payment_id
            assert (payout.status is WriterPayoutStatus.PAID) == (payout.paid_at is not None)
            assert (payout.status is WriterPayoutStatus.PAID) == (payout.reference is not None)
            assert (payout.status is WriterPayoutStatus.PAID) == (payout.method is not None)
            assert (payout.status is WriterPayoutStatus.CANCELLED) == (payout.cancel_reason is not None)
            assert payout.amount > ZERO
        for writer_id in sorted({p.writer_id for p in d.writer_payments}):
            # Every writer who ever had payouts here, the current one or one reassigned away.
            own = [p for p in d.writer_payments if p.writer_id == writer_id]
            paid = sum((p.amount for p in own if p.status is WriterPayoutStatus.PAID), ZERO)
            scheduled = sum((p.amount for p in own if p.status is WriterPayoutStatus.SCHEDULED), ZERO)
            compensation = model.compensation_of[writer_id]
            assert paid + scheduled <= compensation, (
                f"{where}: writer {writer_id} has {paid} paid and {scheduled} scheduled, more than the "
                f"{compensation} they were assigned with"
            )
            if writer_id not in model.manual:
                # Rule 6: a refund or reversal cancels the scheduled part no longer covered by
                # collected money, whoever it was scheduled for (paid payouts are never undone).
                covered = covered_share(compensation, d.amount_paid, d.total_amount)
                assert scheduled <= max(ZERO, covered - paid), (
                    f"{where}: writer {writer_id} still has {scheduled} scheduled (and {paid} paid) but collected "
                    f"money covers only {covered} of their {compensation}"
                )
        if model.writer_id is None:
            assert d.writer_compensation_amount == ZERO
            return
        own = [p for p in d.writer_payments if p.writer_id == model.writer_id]
        paid = sum((p.amount for p in own if p.status is WriterPayoutStatus.PAID), ZERO)
        scheduled = sum((p.amount for p in own if p.status is WriterPayoutStatus.SCHEDULED), ZERO)
        compensation = d.writer_compensation_amount
        assert compensation == model.compensation_of[model.writer_id]
        assert (d.writer_paid_amount, d.writer_scheduled_amount) == (paid, scheduled)
        assert paid + scheduled <= compensation, f"{where}: {paid} + {scheduled} over the compensation {compensation}"
        covered = covered_share(compensation, d.amount_paid, d.total_amount)
        assert d.writer_owed_back == max(ZERO, paid - covered), f"{where}: owed back {d.writer_owed_back}"
        if compensation > ZERO and paid >= compensation:
            writer_status = WriterPaymentStatus.PAID
        elif paid > ZERO:
            writer_status = WriterPaymentStatus.PARTIAL
        elif scheduled > ZERO:
            writer_status = WriterPaymentStatus.SCHEDULED
        elif any(p.status is WriterPayoutStatus.CANCELLED for p in own):
            writer_status = WriterPaymentStatus.CANCELLED
        else:
            writer_status = WriterPaymentStatus.PENDING
        assert d.writer_payment_status is writer_status, f"{where}: writer status {d.writer_payment_status}"
        if model.writer_id in model.manual | model.cancelled:
            return  # an admin scheduled or cancelled a payout by hand: only the bounds above hold
        if model.per_installment:
            # Each client payment schedules the writer's share: paid + scheduled is the covered share.
            assert paid + scheduled == max(covered, paid), f"{where}: {paid} + {scheduled} is not the share {covered}"
        elif d.client_payment_status is ClientPaymentStatus.PAID:
            # On full payment: a fully paid bundle has all of the compensation paid or scheduled.
            assert paid + scheduled == compensation, f"{where}: paid in full but {paid} + {scheduled} committed"

    @invariant()
    def payouts_bonuses_and_writer_views_agree(self) -> None:
        if self.verified("writers"):
            return
        payouts, details = self.view().payouts, self.view().details
        assert sorted(p.id for p in payouts) == sorted(p.id for d in details.values() for p in d.writer_payments)
        # Every payout has its own bonus, in step with it.
        with self.service.db.read() as session:
            bonuses = {
                row.payout_id: row
                for row in session.execute(
                    select(
                        ClassWriterPayment.id.label("payout_id"),
                        WriterBonus.id,
                        WriterBonus.amount,
                        WriterBonus.writer_id,
                        WriterBonus.bundle_id,
                        WriterBonus.is_paid,
                        WriterBonus.paid_at,
                        WriterBonus.cancelled_at,
                    ).join(WriterBonus, ClassWriterPayment.bonus_id == WriterBonus.id)
                )
            }
            bonus_count = len(session.scalars(select(WriterBonus.id)).all())
        assert len(bonuses) == len(payouts) == bonus_count, (
            "every payout has exactly one bonus and no bonus is orphaned"
        )
        for payout in payouts:
            bonus = bonuses[payout.id]
            assert bonus.id == payout.bonus_id and bonus.amount == payout.amount
            assert (bonus.writer_id, bonus.bundle_id) == (payout.writer_id, payout.bundle_id)
            assert bonus.is_paid == (payout.status is WriterPayoutStatus.PAID)
            assert bonus.paid_at == payout.paid_at
            assert (bonus.cancelled_at is not None) == (payout.status is WriterPayoutStatus.CANCELLED)
        # Writer totals and the writer dashboard say what the bundles and payouts say.
        totals = {t.writer_id: t for t in self.service.writer_totals(self.ctx)}
        for writer_id in self.writer_ids:
            current = [d for d in details.values() if d.assigned_writer_id == writer_id]
            own = [p for p in payouts if p.writer_id == writer_id]
            t = totals[writer_id]
            assert t.bundles == len(current)
            assert t.compensation == sum((d.writer_compensation_amount for d in current), ZERO)
            assert t.paid == sum((p.amount for p in own if p.status is WriterPayoutStatus.PAID), ZERO)
            assert t.scheduled == sum((p.amount for p in own if p.status is WriterPayoutStatus.SCHEDULED), ZERO)
            assert t.owed_back == sum((d.writer_owed_back for d in current), ZERO)
            unscheduled = sum(
                (d.writer_compensation_amount - d.writer_paid_amount - d.writer_scheduled_amount for d in current), ZERO
            )
            assert t.unscheduled == unscheduled
            dashboard = {
                entry.bundle_id: entry for entry in self.service.get_writer_class_payments(self.ctx, writer_id)
            }
            assert set(dashboard) == {d.bundle_id for d in current} | {p.bundle_id for p in own}
            for bundle_id, entry in dashboard.items():
                d = details[bundle_id]
                assert entry.is_current_writer == (d.assigned_writer_id == writer_id)
                assert [p.id for p in entry.writer_payments] == [p.id for p in own if p.bundle_id == bundle_id]
                if entry.is_current_writer:
                    assert (entry.writer_paid_amount, entry.writer_scheduled_amount, entry.writer_owed_back) == (
                        d.writer_paid_amount,
                        d.writer_scheduled_amount,
                        d.writer_owed_back,
                    )

    @invariant()
    def history_is_never_rewritten(self) -> None:
        """Ledger entries never change or vanish; a paid or cancelled payout stays as it was."""
        if self.verified("history"):
            return
        entries = {entry.id: entry for details in self.view().details.values() for entry in details.ledger}
        assert set(self.seen_entries) <= set(entries), "a ledger entry disappeared"
        for entry in entries.values():
            assert self.seen_entries.setdefault(entry.id, entry) == entry, f"ledger entry {entry.id} changed"
        payouts = {p.id: p for p in self.view().payouts}
        for payout_id, seen in self.seen_payouts.items():
            now = payouts.get(payout_id)
            assert now is not None, f"payout {payout_id} disappeared"
            fixed = ("amount", "writer_id", "bundle_id", "bonus_id", "scheduled_for", "payment_type")
            assert [getattr(now, k) for k in fixed] == [getattr(seen, k) for k in fixed], f"payout {payout_id} changed"
            if seen.status is not WriterPayoutStatus.SCHEDULED:
                assert now == seen, f"{seen.status.value} payout {payout_id} changed: {seen} -> {now}"
        self.seen_payouts = payouts


MACHINE_SETTINGS = settings(
    max_examples=40,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    # No explain phase: its line tracing makes every run while shrinking several times slower.
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)

TestLedgerStateMachine = LedgerMachine.TestCase
TestLedgerStateMachine.settings = MACHINE_SETTINGS
