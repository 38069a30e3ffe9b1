"""The bundle's stored summary, always recomputed from the ledger.

Every write ends by calling :func:`recompute`, and ``refresh_status`` is nothing else, so
the numbers a screen shows can never drift from the payments that were recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from classpay_tui.db.models import (
    ClassBundle,
    ClassInstallment,
    ClassPayment,
    ClassPaymentInstallment,
    ClassWriterPayment,
    OrderPayment,
    PaymentAllocation,
)
from classpay_tui.domain.allocation import Allocation, BundleDebt, Slot, SlotKind
from classpay_tui.domain.compensation import writer_payment_status
from classpay_tui.domain.money import CENT, ZERO
from classpay_tui.domain.statuses import (
    BundleStatus,
    InstallmentStatus,
    PaymentKind,
    WriterPaymentStatus,
    WriterPayoutStatus,
)
from classpay_tui.domain.summary import client_summary


@dataclass
class BundleState:
    """A locked bundle with everything needed to allocate and summarise it."""

    bundle: ClassBundle
    payment: ClassPayment
    installments: list[tuple[ClassPaymentInstallment, ClassInstallment]]
    debt: BundleDebt

    def link_for(self, slot: Slot) -> ClassPaymentInstallment | None:
        if slot.kind is not SlotKind.INSTALLMENT:
            return None
        return next(link for link, _ in self.installments if link.id == slot.key)


# The queries every payment runs, built once with bind parameters: building a select and
# working out its cache key costs more than running it.
_LINKS = (
    select(ClassPaymentInstallment, ClassInstallment)
    .join(ClassInstallment, ClassPaymentInstallment.installment_id == ClassInstallment.id)
    .where(ClassPaymentInstallment.class_payment_id == bindparam("payment_id"))
    .order_by(ClassInstallment.installment_number)
)
_ALLOCATIONS = (
    select(PaymentAllocation.slot, PaymentAllocation.payment_installment_id, PaymentAllocation.amount)
    .where(PaymentAllocation.class_payment_id == bindparam("payment_id"))
    .order_by(PaymentAllocation.order_payment_id, PaymentAllocation.id)
)
_LINK_HISTORY = (
    select(PaymentAllocation.payment_installment_id, PaymentAllocation.amount, OrderPayment.received_at)
    .join(OrderPayment, PaymentAllocation.order_payment_id == OrderPayment.id)
    .where(
        PaymentAllocation.class_payment_id == bindparam("payment_id"),
        PaymentAllocation.payment_installment_id.is_not(None),
    )
    .order_by(OrderPayment.id, PaymentAllocation.id)
)
_REFUNDS = select(OrderPayment.id, OrderPayment.amount).where(
    OrderPayment.bundle_id == bindparam("bundle_id"), OrderPayment.kind == PaymentKind.REFUND
)
_REVERSED = select(OrderPayment.reverses_id).where(
    OrderPayment.bundle_id == bindparam("bundle_id"), OrderPayment.kind == PaymentKind.REVERSAL
)
_PAYOUT_SUMS = (
    select(ClassWriterPayment.status, func.sum(ClassWriterPayment.amount))
    .where(
        ClassWriterPayment.class_payment_id == bindparam("payment_id"),
        ClassWriterPayment.writer_id == bindparam("writer_id"),
    )
    .group_by(ClassWriterPayment.status)
)


def load_state(session: Session, bundle: ClassBundle, payment: ClassPayment) -> BundleState:
    """Two queries: the installments, and every allocation with the time its payment was received."""
    installments = list(session.execute(_LINKS, {"payment_id": payment.id}))
    allocations = session.execute(_ALLOCATIONS, {"payment_id": payment.id}).all()
    debt = bundle_debt(
        bundle.id,
        bundle.total_amount,
        bundle.deposit_amount,
        [
            (link.id, installment.installment_number, installment.amount, installment.due_date)
            for link, installment in installments
        ],
        allocated_by_slot(allocations),
    )
    return BundleState(bundle, payment, installments, debt)


def allocated_by_slot(
    allocations: Iterable[tuple[SlotKind, int | None, Decimal]],
) -> dict[tuple[SlotKind, int | None], Decimal]:
    """What was allocated to each slot: (kind, installment link id or None) → amount."""
    allocated: dict[tuple[SlotKind, int | None], Decimal] = {}
    for slot, link_id, amount in allocations:
        allocated[(slot, link_id)] = allocated.get((slot, link_id), ZERO) + amount
    return allocated


def bundle_debt(
    bundle_id: int,
    total: Decimal,
    deposit: Decimal,
    installments: Sequence[tuple[int, int, Decimal, date]],
    allocated: dict[tuple[SlotKind, int | None], Decimal],
) -> BundleDebt:
    """The bundle's slots: its deposit, then its installments ((link id, number, amount,
    due date), by number) or, without any, the balance after the deposit."""
    slots: list[Slot] = []
    if deposit > ZERO:
        slots.append(Slot(SlotKind.DEPOSIT, deposit, allocated.get((SlotKind.DEPOSIT, None), ZERO)))
    if installments:
        slots.extend(
            Slot(
                SlotKind.INSTALLMENT,
                amount,
                allocated.get((SlotKind.INSTALLMENT, link_id), ZERO),
                number=number,
                due_date=due_date,
                key=link_id,
            )
            for link_id, number, amount, due_date in installments
        )
    elif total > deposit:
        slots.append(Slot(SlotKind.BALANCE, total - deposit, allocated.get((SlotKind.BALANCE, None), ZERO)))
    return BundleDebt(bundle_id, tuple(slots))


def with_allocations(state: BundleState, allocations: list[Allocation]) -> BundleState:
    """The state after ``allocations`` (made on ``state.debt``'s slots) were added: what
    :func:`load_state` would read back, without reading it."""
    return BundleState(state.bundle, state.payment, state.installments, debt_with(state.debt, allocations))


def debt_with(debt: BundleDebt, allocations: list[Allocation]) -> BundleDebt:
    """``debt`` after ``allocations`` (made on its slots) were added."""
    added: dict[int, Decimal] = {}
    for allocation in allocations:
        added[id(allocation.slot)] = added.get(id(allocation.slot), ZERO) + allocation.amount
    slots = tuple(
        Slot(slot.kind, slot.amount, slot.allocated + added[id(slot)], slot.number, slot.due_date, slot.key)
        if id(slot) in added
        else slot
        for slot in debt.slots
    )
    if len(added) != sum(1 for slot in debt.slots if id(slot) in added):
        raise ValueError("allocations made on another state's slots")
    return BundleDebt(debt.bundle_id, slots)


def _paid_at_by_link(session: Session, state: BundleState) -> dict[int, datetime]:
    rows = session.execute(_LINK_HISTORY, {"payment_id": state.payment.id}).all()
    return paid_at_by_link(rows, {link.id: installment.amount for link, installment in state.installments})


def paid_at_by_link(
    history: Iterable[tuple[int, Decimal, datetime]], amounts: dict[int, Decimal]
) -> dict[int, datetime]:
    """When each installment became (and stayed) fully paid: its allocations (link id,
    amount, when the entry was received) replayed in ledger order."""
    running: dict[int, Decimal] = {}
    paid_at: dict[int, datetime] = {}
    for link_id, amount, received_at in history:
        running[link_id] = running.get(link_id, ZERO) + amount
        if running[link_id] == amounts[link_id]:
            paid_at[link_id] = received_at
        else:
            paid_at.pop(link_id, None)
    return paid_at


def refunded_total(session: Session, bundle_id: int) -> Decimal:
    """Refund entries on the bundle, less those later reversed."""
    refunds = session.execute(_REFUNDS, {"bundle_id": bundle_id}).all()
    if not refunds:
        return ZERO
    return net_refunded(refunds, set(session.scalars(_REVERSED, {"bundle_id": bundle_id})))


def net_refunded(refunds: Iterable[tuple[int, Decimal]], reversed_ids: set[int]) -> Decimal:
    """The refund entries (id, amount) that were not later reversed, summed."""
    return sum((amount for refund_id, amount in refunds if refund_id not in reversed_ids), ZERO)


def link_status(slot: Slot) -> InstallmentStatus:
    """The stored state of an installment (overdue is worked out when it is shown)."""
    if slot.owed == ZERO:
        return InstallmentStatus.PAID
    return InstallmentStatus.PARTIAL if slot.allocated > ZERO else InstallmentStatus.PENDING


def next_due_date(debt: BundleDebt) -> date | None:
    """The earliest due date among the installments not yet fully paid."""
    unpaid = (slot for slot in debt.slots if slot.kind is SlotKind.INSTALLMENT and slot.owed != ZERO)
    return min((slot.due_date for slot in unpaid if slot.due_date is not None), default=None)


def recompute_client(session: Session, state: BundleState, today: date) -> None:
    """Installment states and the client half of the summary, from the ledger."""
    bundle, payment, debt = state.bundle, state.payment, state.debt
    paid_at = _paid_at_by_link(session, state) if state.installments else {}
    for slot in debt.slots:
        link = state.link_for(slot)
        if link is None:
            continue
        link.paid_amount = slot.allocated
        link.status = link_status(slot)
        link.paid_at = paid_at.get(link.id) if link.status is InstallmentStatus.PAID else None
    refunded = refunded_total(session, bundle.id)
    summary = client_summary(debt, refunded=refunded, cancelled=bundle.status is BundleStatus.CANCELLED)
    payment.total_amount = bundle.total_amount
    payment.deposit_amount = bundle.deposit_amount
    payment.deposit_paid = summary.deposit_paid
    payment.amount_paid = summary.amount_paid
    payment.balance_remaining = summary.balance_remaining
    payment.refunded_amount = refunded
    payment.client_payment_status = summary.client_payment_status
    payment.uses_installments = bool(state.installments)
    payment.total_installments = summary.total_installments
    payment.paid_installments = summary.paid_installments
    payment.next_due_date = next_due_date(debt)


def covered_share(compensation: Decimal, amount_paid: Decimal, total: Decimal) -> Decimal:
    """The part of ``compensation`` backed by the money collected so far."""
    if total <= ZERO:
        return ZERO
    return (compensation * amount_paid / total).quantize(CENT, rounding=ROUND_HALF_UP)


def covered_compensation(payment: ClassPayment) -> Decimal:
    """The part of the compensation backed by money actually collected from the client."""
    return covered_share(payment.writer_compensation_amount, payment.amount_paid, payment.total_amount)


@dataclass(frozen=True)
class WriterSummary:
    paid: Decimal
    scheduled: Decimal
    owed_back: Decimal
    status: WriterPaymentStatus


def writer_summary(
    compensation: Decimal,
    amount_paid: Decimal,
    total: Decimal,
    sums: dict[WriterPayoutStatus, Decimal],
    *,
    bundle_cancelled: bool,
) -> WriterSummary:
    """The writer half of the summary from the current writer's payout sums by status."""
    paid = sums.get(WriterPayoutStatus.PAID, ZERO)
    scheduled = sums.get(WriterPayoutStatus.SCHEDULED, ZERO)
    status = writer_payment_status(compensation, paid, scheduled, any_cancelled=WriterPayoutStatus.CANCELLED in sums)
    if bundle_cancelled and status is WriterPaymentStatus.PENDING:
        status = WriterPaymentStatus.CANCELLED
    owed_back = max(ZERO, paid - covered_share(compensation, amount_paid, total))
    return WriterSummary(paid, scheduled, owed_back, status)


def payout_sums(session: Session, payment: ClassPayment) -> dict[WriterPayoutStatus, Decimal]:
    """The current writer's payouts on this record, summed by status (none without a writer)."""
    if payment.writer_id is None:
        return {}
    params = {"payment_id": payment.id, "writer_id": payment.writer_id}
    return {status: total for status, total in session.execute(_PAYOUT_SUMS, params)}


def apply_writer_summary(bundle: ClassBundle, payment: ClassPayment, sums: dict[WriterPayoutStatus, Decimal]) -> None:
    summary = writer_summary(
        payment.writer_compensation_amount,
        payment.amount_paid,
        payment.total_amount,
        sums,
        bundle_cancelled=bundle.status is BundleStatus.CANCELLED,
    )
    payment.writer_paid_amount = summary.paid
    payment.writer_scheduled_amount = summary.scheduled
    payment.writer_owed_back = summary.owed_back
    payment.writer_payment_status = summary.status


def recompute_writer(session: Session, bundle: ClassBundle, payment: ClassPayment) -> None:
    """The writer half of the summary, from the current writer's payouts."""
    apply_writer_summary(bundle, payment, payout_sums(session, payment))
