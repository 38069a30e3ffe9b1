"""The statements that record a client payment (see ``payment_write``): a few round trips,
each statement built once, when first used (not at import), and compiled once
(``db.prepared``): building a select and working out its cache key, then SQLAlchemy's
execution around it, cost more than running it."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Table, bindparam, exists, literal, null, select
from sqlalchemy.sql.elements import ColumnElement

from classpay_tui.db.models import (
    AuditEvent,
    ClassBundle,
    ClassInstallment,
    ClassPayment,
    ClassPaymentInstallment,
    ClassWriterPayment,
    OfficeSettings,
    OrderPayment,
    PaymentAllocation,
    WriterBonus,
)
from classpay_tui.db.prepared import Prepared
from classpay_tui.services import view_rows

# A payment is found by its bundle, or (``record_installment_payment``) by one installment.
BY_BUNDLE = "bundle"
BY_INSTALLMENT = "installment"


def _bundle_of(by: str) -> ColumnElement[Any]:
    if by == BY_BUNDLE:
        return bindparam("bundle_id")
    return (
        select(ClassInstallment.bundle_id).where(ClassInstallment.id == bindparam("installment_id")).scalar_subquery()
    )


@cache
def lock_bundle(by: str) -> Prepared:
    """The bundle's row lock (PostgreSQL), taken alone before anything is read: a read in
    the same statement would come from the snapshot before the wait for the lock."""
    return Prepared(select(ClassBundle.id).where(ClassBundle.id == _bundle_of(by)).with_for_update())


@cache
def record(by: str, inline: bool) -> Prepared:
    """The payment record as the list shows it (``view_rows.SummaryRow``), then the bundle's
    own total and deposit, the office's payout mode and day, whether the record has writer
    payouts and the number of the installment named. ``inline`` (SQLite, whose write
    transaction holds the whole database from its first statement) adds the entry already
    recorded under the reference, if any, and the audit chain's head."""
    if by == BY_BUNDLE:
        number: ColumnElement[Any] = null()
    else:
        number = (
            select(ClassInstallment.installment_number)
            .where(ClassInstallment.id == bindparam("installment_id"))
            .scalar_subquery()
        )
    extras: list[ColumnElement[Any]] = [
        ClassBundle.total_amount,
        ClassBundle.deposit_amount,
        OfficeSettings.payout_mode,
        OfficeSettings.payout_weekday,
        exists().where(ClassWriterPayment.class_payment_id == ClassPayment.id),
        number,
    ]
    if inline:
        extras += [
            select(OrderPayment.id).where(OrderPayment.reference == bindparam("reference")).scalar_subquery(),
            select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1).scalar_subquery(),
        ]
    return Prepared(
        view_rows.summary_query()
        .add_columns(*extras)
        .join(OfficeSettings, OfficeSettings.id == literal(1))
        .where(ClassPayment.bundle_id == _bundle_of(by))
    )


@cache
def entry_by_reference() -> Prepared:
    return Prepared(select(OrderPayment.id).where(OrderPayment.reference == bindparam("reference")))


@cache
def installments() -> Prepared:
    """The record's installments by number (``view_rows.InstallmentRow``'s columns after
    the link's own id)."""
    return Prepared(
        select(
            ClassPaymentInstallment.id,
            ClassPaymentInstallment.class_payment_id,
            ClassInstallment.id,
            ClassInstallment.installment_number,
            ClassInstallment.amount,
            ClassInstallment.due_date,
            ClassPaymentInstallment.status,
            ClassPaymentInstallment.paid_amount,
            ClassPaymentInstallment.paid_at,
        )
        .join(ClassInstallment, ClassPaymentInstallment.installment_id == ClassInstallment.id)
        .where(ClassPaymentInstallment.class_payment_id == bindparam("payment_id"))
        .order_by(ClassInstallment.installment_number)
    )


@cache
def ledger() -> Prepared:
    """The bundle's ledger in one query: each entry (``view_rows.EntryRow``'s columns) with
    each of its allocations (slot, installment link, amount), in ledger order."""
    return Prepared(
        select(
            *view_rows.ENTRY_COLUMNS,
            PaymentAllocation.slot,
            PaymentAllocation.payment_installment_id,
            PaymentAllocation.amount,
        )
        .outerjoin(PaymentAllocation, PaymentAllocation.order_payment_id == OrderPayment.id)
        .where(OrderPayment.bundle_id == bindparam("bundle_id"))
        .order_by(OrderPayment.id, PaymentAllocation.id)
    )


@cache
def payouts() -> Prepared:
    return Prepared(
        view_rows.payout_query()
        .where(ClassWriterPayment.class_payment_id == bindparam("payment_id"))
        .order_by(ClassWriterPayment.id)
    )


def _insert(table: Table, columns: tuple[str, ...]) -> Prepared:
    return Prepared(table.insert().values({name: bindparam(name) for name in columns}))


@cache
def insert_entry() -> Prepared:
    return _insert(OrderPayment.__table__, ENTRY_COLUMNS)


@cache
def insert_allocation() -> Prepared:
    return _insert(PaymentAllocation.__table__, ALLOCATION_COLUMNS)


@cache
def update_installment() -> Prepared:
    table = ClassPaymentInstallment.__table__
    return Prepared(
        table.update()
        .where(table.c.id == bindparam("link_id"))
        .values(
            paid_amount=bindparam("new_paid_amount"),
            status=bindparam("new_status"),
            paid_at=bindparam("new_paid_at"),
        )
    )


@cache
def update_record(columns: tuple[str, ...]) -> Prepared:
    """The record's summary: only the columns that changed (each is in some of the list's
    indexes), so one statement per distinct set of columns."""
    table = ClassPayment.__table__
    return Prepared(
        table.update()
        .where(table.c.id == bindparam("record_id"))
        .values({name: bindparam(f"new_{name}") for name in columns})
    )


@cache
def insert_bonus() -> Prepared:
    return _insert(WriterBonus.__table__, BONUS_COLUMNS)


@cache
def insert_payout() -> Prepared:
    return _insert(ClassWriterPayment.__table__, PAYOUT_COLUMNS)


ENTRY_COLUMNS = (
    "bundle_id",
    "kind",
    "amount",
    "method",
    "reference",
    "target_installment",
    "received_at",
    "recorded_at",
    "recorded_by",
    "note",
    "reverses_id",
)
ALLOCATION_COLUMNS = ("order_payment_id", "class_payment_id", "slot", "payment_installment_id", "amount")
BONUS_COLUMNS = ("writer_id", "bundle_id", "category", "amount", "granted_at", "is_paid")
PAYOUT_COLUMNS = (
    "class_payment_id",
    "writer_id",
    "amount",
    "payment_type",
    "status",
    "scheduled_for",
    "bonus_id",
    "created_at",
)
