"""``classpay check``: prove every stored summary equals what the ledger says.

Set-based: a handful of aggregate queries over the whole database, then the same domain
functions the writes use, so a check of 100,000 bundles does not run 100,000 queries.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from classpay_tui.db.models import (
    ClassBundle,
    ClassInstallment,
    ClassPayment,
    ClassPaymentInstallment,
    ClassWriterPayment,
    OrderPayment,
    PaymentAllocation,
)
from classpay_tui.domain.allocation import BundleDebt, Slot, SlotKind
from classpay_tui.domain.money import ZERO
from classpay_tui.domain.statuses import BundleStatus, InstallmentStatus, PaymentKind, WriterPayoutStatus
from classpay_tui.domain.summary import client_summary
from classpay_tui.services.audit import verify_chain
from classpay_tui.services.schemas import CheckReport

NEGATIVE_KINDS = (PaymentKind.REFUND,)


def _ledger_problems(session: Session) -> tuple[int, list[str], dict[int, Decimal]]:
    """Each entry's allocations add up to its signed amount. Also returns net refunds per bundle."""
    reversed_entry = aliased(OrderPayment)
    rows = session.execute(
        select(
            OrderPayment.id,
            OrderPayment.bundle_id,
            OrderPayment.kind,
            OrderPayment.amount,
            reversed_entry.kind,
            func.sum(PaymentAllocation.amount),
        )
        .outerjoin(PaymentAllocation, PaymentAllocation.order_payment_id == OrderPayment.id)
        .outerjoin(reversed_entry, OrderPayment.reverses_id == reversed_entry.id)
        .group_by(OrderPayment.id, OrderPayment.bundle_id, OrderPayment.kind, OrderPayment.amount, reversed_entry.kind)
        .execution_options(yield_per=5000)
    )
    problems: list[str] = []
    refunds: dict[int, Decimal] = defaultdict(lambda: ZERO)
    checked = 0
    for entry_id, bundle_id, kind, amount, reversed_kind, allocated_sum in rows:
        checked += 1
        allocated = allocated_sum if allocated_sum is not None else ZERO
        if kind is PaymentKind.REVERSAL:
            signed = amount if reversed_kind in NEGATIVE_KINDS else -amount
            if reversed_kind is PaymentKind.REFUND:
                refunds[bundle_id] -= amount
        elif kind in NEGATIVE_KINDS:
            signed = -amount
            refunds[bundle_id] += amount
        else:
            signed = amount
        if allocated != signed:
            problems.append(
                f"payment {entry_id} on bundle {bundle_id}: allocations add up to {allocated:.2f}, not {signed:.2f}"
            )
    return checked, problems, refunds


def _allocated_by_slot(session: Session) -> dict[int, dict[tuple[SlotKind, int | None], Decimal]]:
    rows = session.execute(
        select(
            PaymentAllocation.class_payment_id,
            PaymentAllocation.slot,
            PaymentAllocation.payment_installment_id,
            func.sum(PaymentAllocation.amount),
        ).group_by(PaymentAllocation.class_payment_id, PaymentAllocation.slot, PaymentAllocation.payment_installment_id)
    )
    result: dict[int, dict[tuple[SlotKind, int | None], Decimal]] = defaultdict(dict)
    for payment_id, slot, link_id, total in rows:
        result[payment_id][(slot, link_id)] = total
    return result


def _installments(session: Session) -> dict[int, list[tuple[ClassPaymentInstallment, ClassInstallment]]]:
    rows = session.execute(
        select(ClassPaymentInstallment, ClassInstallment)
        .join(ClassInstallment, ClassPaymentInstallment.installment_id == ClassInstallment.id)
        .order_by(ClassInstallment.installment_number)
        .execution_options(yield_per=5000)
    )
    result: dict[int, list[tuple[ClassPaymentInstallment, ClassInstallment]]] = defaultdict(list)
    for link, installment in rows:
        result[link.class_payment_id].append((link, installment))
    return result


def _payout_sums(session: Session) -> dict[tuple[int, int, WriterPayoutStatus], Decimal]:
    rows = session.execute(
        select(
            ClassWriterPayment.class_payment_id,
            ClassWriterPayment.writer_id,
            ClassWriterPayment.status,
            func.sum(ClassWriterPayment.amount),
        ).group_by(ClassWriterPayment.class_payment_id, ClassWriterPayment.writer_id, ClassWriterPayment.status)
    )
    return {(payment_id, writer_id, status): total for payment_id, writer_id, status, total in rows}


def _compare(label: str, stored: object, derived: object) -> str | None:
    return None if stored == derived else f"{label}: stored {stored}, ledger says {derived}"


def run_check(session: Session) -> CheckReport:
    payments_checked, problems, refunds = _ledger_problems(session)
    allocated = _allocated_by_slot(session)
    installments = _installments(session)
    payouts = _payout_sums(session)
    bundles_checked = 0
    rows = session.execute(
        select(ClassPayment, ClassBundle)
        .join(ClassBundle, ClassPayment.bundle_id == ClassBundle.id)
        .order_by(ClassBundle.id)
        .execution_options(yield_per=5000)
    )
    for payment, bundle in rows:
        bundles_checked += 1
        sums = allocated.get(payment.id, {})
        links = installments.get(payment.id, [])
        slots: list[Slot] = []
        if bundle.deposit_amount > ZERO:
            slots.append(Slot(SlotKind.DEPOSIT, bundle.deposit_amount, sums.get((SlotKind.DEPOSIT, None), ZERO)))
        for link, installment in links:
            link_paid = sums.get((SlotKind.INSTALLMENT, link.id), ZERO)
            slots.append(Slot(SlotKind.INSTALLMENT, installment.amount, link_paid, installment.installment_number))
            expected_status = (
                InstallmentStatus.PAID
                if link_paid == installment.amount
                else InstallmentStatus.PARTIAL
                if link_paid > ZERO
                else InstallmentStatus.PENDING
            )
            where = f"bundle {bundle.id} installment {installment.installment_number}"
            problems += filter(
                None,
                [
                    _compare(f"{where} paid amount", link.paid_amount, link_paid),
                    _compare(f"{where} status", link.status.value, expected_status.value),
                ],
            )
        if not links and bundle.total_amount > bundle.deposit_amount:
            balance = bundle.total_amount - bundle.deposit_amount
            slots.append(Slot(SlotKind.BALANCE, balance, sums.get((SlotKind.BALANCE, None), ZERO)))
        debt = BundleDebt(bundle.id, tuple(slots))
        for slot in slots:
            if slot.allocated < ZERO or slot.allocated > slot.amount:
                problems.append(
                    f"bundle {bundle.id}: {slot.describe()} holds {slot.allocated:.2f} of {slot.amount:.2f}"
                )
        refunded = refunds.get(bundle.id, ZERO)
        summary = client_summary(debt, refunded=refunded, cancelled=bundle.status is BundleStatus.CANCELLED)
        paid_out = payouts.get((payment.id, payment.writer_id, WriterPayoutStatus.PAID), ZERO)
        scheduled = payouts.get((payment.id, payment.writer_id, WriterPayoutStatus.SCHEDULED), ZERO)
        where = f"bundle {bundle.id}"
        problems += filter(
            None,
            [
                _compare(f"{where} total", payment.total_amount, bundle.total_amount),
                _compare(f"{where} deposit", payment.deposit_amount, bundle.deposit_amount),
                _compare(f"{where} deposit_paid", payment.deposit_paid, summary.deposit_paid),
                _compare(f"{where} amount paid", payment.amount_paid, summary.amount_paid),
                _compare(f"{where} balance_remaining", payment.balance_remaining, summary.balance_remaining),
                _compare(f"{where} refunded", payment.refunded_amount, refunded),
                _compare(
                    f"{where} client_payment_status",
                    payment.client_payment_status.value,
                    summary.client_payment_status.value,
                ),
                _compare(f"{where} paid_installments", payment.paid_installments, summary.paid_installments),
                _compare(f"{where} total_installments", payment.total_installments, summary.total_installments),
                _compare(f"{where} writer", payment.writer_id, bundle.writer_id),
                _compare(f"{where} writer_paid_amount", payment.writer_paid_amount, paid_out),
                _compare(f"{where} writer scheduled", payment.writer_scheduled_amount, scheduled),
            ],
        )
        if scheduled + paid_out > payment.writer_compensation_amount:
            problems.append(
                f"{where}: {paid_out + scheduled:.2f} paid or scheduled to the writer, "
                f"more than the compensation {payment.writer_compensation_amount:.2f}"
            )
    events_checked, chain_problems = verify_chain(session)
    return CheckReport(
        bundles_checked=bundles_checked,
        payments_checked=payments_checked,
        audit_events_checked=events_checked,
        problems=problems + chain_problems,
    )
