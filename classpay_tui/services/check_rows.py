"""The rows ``classpay check`` compares, read as plain tuples.

Money comes back as integer cents and statuses as their text (no ORM objects, no per-value
type conversion): the check reads every bundle, installment and ledger entry of the
database, so what each row costs decides how long it takes. :class:`Cents` turns the
integers into ``Decimal`` once per distinct amount.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, String, and_, case, func, select, type_coerce
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
from classpay_tui.domain.money import ZERO, from_cents
from classpay_tui.domain.statuses import PaymentKind

BATCH = 5000


def cents(column: Any) -> Any:
    return type_coerce(column, Integer)


def text(column: Any) -> Any:
    return type_coerce(column, String)


class Cents(dict[int | None, Decimal]):
    """Integer cents → ``Decimal``, each distinct amount converted once (None → 0.00)."""

    def __missing__(self, key: int | None) -> Decimal:
        value = ZERO if key is None else from_cents(key)
        self[key] = value
        return value


def columns(*expressions: Any) -> Any:
    """A Core select of plain values, each labelled (two coerced columns may share a name)."""
    return select(*(expression.label(f"c{index}") for index, expression in enumerate(expressions)))


def _rows(session: Session, query: Any) -> Iterator[Any]:
    return iter(session.connection().execute(query.execution_options(yield_per=BATCH)))


LedgerRow = tuple[int, int, str, int, str | None, int | None]  # id, bundle, kind, cents, reversed kind, allocated


def ledger_mismatches(session: Session) -> list[LedgerRow]:
    """Ledger entries whose allocations do not add up to their signed amount (refunds
    negative; a reversal the opposite of what it reverses), compared in SQL."""
    original = aliased(OrderPayment)
    allocated = func.coalesce(func.sum(cents(PaymentAllocation.amount)), 0)
    amount = cents(OrderPayment.amount)
    signed = case(
        (
            OrderPayment.kind == PaymentKind.REVERSAL,
            case((original.kind == PaymentKind.REFUND, amount), else_=-amount),
        ),
        (OrderPayment.kind == PaymentKind.REFUND, -amount),
        else_=amount,
    )
    query = (
        columns(
            OrderPayment.id,
            OrderPayment.bundle_id,
            text(OrderPayment.kind),
            amount,
            text(original.kind),
            func.sum(cents(PaymentAllocation.amount)),
        )
        .select_from(OrderPayment)
        .outerjoin(PaymentAllocation, PaymentAllocation.order_payment_id == OrderPayment.id)
        .outerjoin(original, OrderPayment.reverses_id == original.id)
        .group_by(OrderPayment.id, OrderPayment.bundle_id, OrderPayment.kind, OrderPayment.amount, original.kind)
        .having(allocated != signed)
        .order_by(OrderPayment.id)
    )
    return [tuple(row) for row in session.execute(query)]  # type: ignore[misc]


def entry_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(OrderPayment)) or 0


def refunds_by_bundle(session: Session) -> dict[int, int]:
    """Cents refunded per bundle: refund entries, less reversals of refund entries."""
    result: dict[int, int] = defaultdict(int)
    for bundle_id, total in session.execute(
        select(OrderPayment.bundle_id, func.sum(cents(OrderPayment.amount)))
        .where(OrderPayment.kind == PaymentKind.REFUND)
        .group_by(OrderPayment.bundle_id)
    ):
        result[bundle_id] += total
    original = aliased(OrderPayment)
    for bundle_id, total in session.execute(
        select(OrderPayment.bundle_id, func.sum(cents(OrderPayment.amount)))
        .join(original, OrderPayment.reverses_id == original.id)
        .where(OrderPayment.kind == PaymentKind.REVERSAL, original.kind == PaymentKind.REFUND)
        .group_by(OrderPayment.bundle_id)
    ):
        result[bundle_id] -= total
    return result


def other_slots(session: Session) -> dict[tuple[int, str], int]:
    """Cents allocated to each record's deposit and balance slots."""
    return {
        (payment_id, slot): total
        for payment_id, slot, total in session.execute(
            select(
                PaymentAllocation.class_payment_id,
                text(PaymentAllocation.slot),
                func.sum(cents(PaymentAllocation.amount)),
            )
            .where(PaymentAllocation.payment_installment_id.is_(None))
            .group_by(PaymentAllocation.class_payment_id, PaymentAllocation.slot)
        )
    }


LinkRow = tuple[int, int, int, int, str, int | None]  # number, amount, stored paid, stored status, allocated


def links_by_record(session: Session) -> dict[int, list[LinkRow]]:
    """Each record's installments in order: (payment id, number, amount, stored paid amount,
    stored status, cents its allocations add up to)."""
    allocated = (
        select(func.sum(cents(PaymentAllocation.amount)))
        .where(
            and_(
                PaymentAllocation.payment_installment_id == ClassPaymentInstallment.id,
                PaymentAllocation.class_payment_id == ClassPaymentInstallment.class_payment_id,
            )
        )
        .scalar_subquery()
    )
    query = (
        columns(
            ClassPaymentInstallment.class_payment_id,
            ClassInstallment.installment_number,
            cents(ClassInstallment.amount),
            cents(ClassPaymentInstallment.paid_amount),
            text(ClassPaymentInstallment.status),
            allocated,
        )
        .select_from(ClassPaymentInstallment)
        .join(ClassInstallment, ClassPaymentInstallment.installment_id == ClassInstallment.id)
        .order_by(ClassPaymentInstallment.class_payment_id, ClassInstallment.installment_number)
    )
    result: dict[int, list[LinkRow]] = defaultdict(list)
    for row in _rows(session, query):
        result[row[0]].append(tuple(row))  # type: ignore[arg-type]
    return result


def payout_sums(session: Session) -> dict[tuple[int, int, str], int]:
    return {
        (payment_id, writer_id, status): total
        for payment_id, writer_id, status, total in session.execute(
            select(
                ClassWriterPayment.class_payment_id,
                ClassWriterPayment.writer_id,
                text(ClassWriterPayment.status),
                func.sum(cents(ClassWriterPayment.amount)),
            ).group_by(ClassWriterPayment.class_payment_id, ClassWriterPayment.writer_id, ClassWriterPayment.status)
        )
    }


RECORD_COLUMNS = (
    ClassPayment.id,
    ClassPayment.writer_id,
    cents(ClassPayment.total_amount),
    cents(ClassPayment.deposit_amount),
    cents(ClassPayment.deposit_paid),
    cents(ClassPayment.amount_paid),
    cents(ClassPayment.balance_remaining),
    cents(ClassPayment.refunded_amount),
    text(ClassPayment.client_payment_status),
    ClassPayment.paid_installments,
    ClassPayment.total_installments,
    cents(ClassPayment.writer_paid_amount),
    cents(ClassPayment.writer_scheduled_amount),
    cents(ClassPayment.writer_compensation_amount),
    ClassBundle.id,
    cents(ClassBundle.total_amount),
    cents(ClassBundle.deposit_amount),
    text(ClassBundle.status),
    ClassBundle.writer_id,
)


def records(session: Session) -> Iterator[Any]:
    """Every payment record with its bundle, by bundle id (columns: :data:`RECORD_COLUMNS`)."""
    query = select(*RECORD_COLUMNS).join(ClassBundle, ClassPayment.bundle_id == ClassBundle.id).order_by(ClassBundle.id)
    return _rows(session, query)
