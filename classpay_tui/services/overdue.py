"""What each installment still owed at the end of a given day, from the ledger.

"As of" a day counts the allocations of ledger entries received by the end of that day
(UTC): a payment received later counts as not yet received, and so does a refund or a
reversal recorded later. Everything is worked out in SQL, a fixed number of queries
whatever the number of bundles.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Select, Subquery, and_, case, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from classpay_tui.db.models import (
    ClassBundle,
    ClassInstallment,
    ClassPayment,
    ClassPaymentInstallment,
    Client,
    InstallmentReminder,
    OrderPayment,
    PaymentAllocation,
    ReminderBatch,
)
from classpay_tui.db.sql import unindexed
from classpay_tui.db.types import Cents
from classpay_tui.domain.errors import NotFound
from classpay_tui.domain.statuses import BundleStatus, ClientPaymentStatus, InstallmentStatus
from classpay_tui.services.schemas import OverdueInstallment

# Bundles whose money nobody is waiting for: cancelled, or everything paid was returned.
NOT_RECEIVABLE = (ClientPaymentStatus.REFUNDED, ClientPaymentStatus.CANCELLED)


def end_of(day: date) -> datetime:
    """The first instant after ``day`` (UTC): entries received before it count on that day."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)


def start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def receivable() -> list[ColumnElement[bool]]:
    """Conditions on ClassBundle / ClassPayment (outer-joined) for bundles still collecting money."""
    return [
        ClassBundle.status != BundleStatus.CANCELLED,
        or_(ClassPayment.id.is_(None), ClassPayment.client_payment_status.not_in(NOT_RECEIVABLE)),
    ]


def _entries_after(end: datetime) -> Select[tuple[int | None]]:
    """Installment links that received allocations at or after ``end``."""
    return (
        select(PaymentAllocation.payment_installment_id)
        .join(OrderPayment, PaymentAllocation.order_payment_id == OrderPayment.id)
        .where(OrderPayment.received_at >= end, PaymentAllocation.payment_installment_id.is_not(None))
    )


def installments_owed(
    as_of: date,
    *,
    due_before: date | None = None,
    bundle_ids: Sequence[int] | None = None,
    installment_ids: Sequence[int] | None = None,
) -> Subquery:
    """Installments of receivable bundles with ``amount`` and ``paid`` (received by the end of
    ``as_of``), one row each; the caller keeps those with ``amount > paid``.

    An installment that is paid now and received nothing after ``as_of`` was paid then too,
    so the ledger is summed only for the others (the stored status is what ``classpay
    check`` proves equal to the ledger).
    """
    end = end_of(as_of)
    summed = (
        select(func.coalesce(func.sum(PaymentAllocation.amount), 0))
        .join(OrderPayment, PaymentAllocation.order_payment_id == OrderPayment.id)
        .where(
            PaymentAllocation.payment_installment_id == ClassPaymentInstallment.id,
            OrderPayment.received_at < end,
        )
        .correlate(ClassPaymentInstallment)
        .scalar_subquery()
    )
    settled_then = and_(
        ClassPaymentInstallment.status == InstallmentStatus.PAID,
        ClassPaymentInstallment.id.not_in(_entries_after(end)),
    )
    paid = case((settled_then, ClassInstallment.amount), else_=summed)
    # Most installments are due before any recent day: scanning the table beats the index.
    due = unindexed(ClassInstallment.due_date)
    query = (
        select(
            ClassInstallment.id.label("installment_id"),
            ClassInstallment.bundle_id,
            ClassInstallment.installment_number,
            ClassInstallment.amount,
            due.label("due_date"),
            type_coerce(paid, Cents()).label("paid"),
        )
        .join(ClassBundle, ClassInstallment.bundle_id == ClassBundle.id)
        .outerjoin(ClassPaymentInstallment, ClassPaymentInstallment.installment_id == ClassInstallment.id)
        .outerjoin(ClassPayment, ClassPayment.bundle_id == ClassBundle.id)
        .where(*receivable())
    )
    if due_before is not None:
        query = query.where(due < due_before)
    if bundle_ids is not None:
        query = query.where(ClassInstallment.bundle_id.in_(list(bundle_ids)))
    if installment_ids is not None:
        query = query.where(ClassInstallment.id.in_(list(installment_ids)))
    return query.subquery("owed")


def reminder_levels() -> Subquery:
    """Per installment: the highest reminder level made so far, and when the last one was made."""
    return (
        select(
            InstallmentReminder.installment_id,
            func.max(InstallmentReminder.level).label("level"),
            func.max(ReminderBatch.made_at).label("last_at"),
        )
        .join(ReminderBatch, InstallmentReminder.batch_id == ReminderBatch.id)
        .group_by(InstallmentReminder.installment_id)
        .subquery("levels")
    )


def overdue_installments(
    session: Session,
    as_of: date,
    *,
    bundle_ids: Sequence[int] | None = None,
    installment_ids: Sequence[int] | None = None,
) -> list[OverdueInstallment]:
    """Every installment past due and not fully paid at the end of ``as_of``, oldest due
    date first: one query."""
    owed = installments_owed(as_of, due_before=as_of, bundle_ids=bundle_ids, installment_ids=installment_ids)
    levels = reminder_levels()
    rows = session.execute(
        select(
            owed.c.installment_id,
            owed.c.bundle_id,
            owed.c.installment_number,
            owed.c.amount,
            owed.c.paid,
            owed.c.due_date,
            ClassBundle.title,
            Client.id,
            Client.name,
            Client.email,
            Client.phone,
            levels.c.level,
            levels.c.last_at,
        )
        .join(ClassBundle, ClassBundle.id == owed.c.bundle_id)
        .join(Client, Client.id == ClassBundle.client_id)
        .outerjoin(levels, levels.c.installment_id == owed.c.installment_id)
        .where(owed.c.amount > owed.c.paid)
        .order_by(owed.c.due_date, owed.c.bundle_id, owed.c.installment_number)
    )
    # Every value is already typed by its column (Decimal money, dates): skip re-validating
    # them, which would cost more than the query on a long list.
    return [
        OverdueInstallment.model_construct(
            bundle_id=bundle_id,
            installment_id=installment_id,
            installment_number=number,
            course=title,
            client_id=client_id,
            client_name=name,
            email=email,
            phone=phone,
            amount=amount,
            amount_paid=paid,
            amount_owed=amount - paid,
            due_date=due,
            days_late=(as_of - due).days,
            reminder_level=level or 0,
            last_reminded_at=last_at,
        )
        for (
            installment_id,
            bundle_id,
            number,
            amount,
            paid,
            due,
            title,
            client_id,
            name,
            email,
            phone,
            level,
            last_at,
        ) in rows
    ]


def require_bundles(session: Session, bundle_ids: Sequence[int] | None) -> None:
    if not bundle_ids:
        return
    found = set(session.scalars(select(ClassBundle.id).where(ClassBundle.id.in_(list(bundle_ids)))))
    missing = sorted(set(bundle_ids) - found)
    if missing:
        raise NotFound(f"There is no bundle {', '.join(map(str, missing))}.")


def require_installments(session: Session, installment_ids: Sequence[int] | None) -> None:
    if not installment_ids:
        return
    found = set(session.scalars(select(ClassInstallment.id).where(ClassInstallment.id.in_(list(installment_ids)))))
    missing = sorted(set(installment_ids) - found)
    if missing:
        raise NotFound(f"There is no installment {', '.join(map(str, missing))}.")
