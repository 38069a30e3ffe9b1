"""The rows the read views are built from: Core selects of the columns a screen shows, read
as named tuples (no ORM objects), a fixed number of queries per page or screen."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session, aliased

from classpay_tui.db.bulk import read_rows
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
)
from classpay_tui.domain.allocation import SlotKind
from classpay_tui.domain.statuses import (
    BundleStatus,
    ClientPaymentStatus,
    InstallmentStatus,
    PaymentKind,
    PaymentMethod,
    PayoutMode,
    WriterPaymentStatus,
    WriterPaymentType,
    WriterPayoutStatus,
)


class SummaryRow(NamedTuple):
    payment_id: int
    bundle_id: int
    bundle_status: BundleStatus
    number_of_classes: int
    title: str
    payout_mode: PayoutMode | None
    compensation_override: Decimal | None
    created_at: datetime
    client_id: int
    client_name: str
    writer_id: int | None
    writer_username: str | None
    payment_writer_id: int | None
    total_amount: Decimal
    deposit_amount: Decimal
    deposit_paid: Decimal
    amount_paid: Decimal
    refunded_amount: Decimal
    balance_remaining: Decimal
    client_payment_status: ClientPaymentStatus
    writer_compensation_amount: Decimal
    writer_paid_amount: Decimal
    writer_scheduled_amount: Decimal
    writer_owed_back: Decimal
    writer_payment_status: WriterPaymentStatus
    uses_installments: bool
    total_installments: int
    paid_installments: int
    next_due_date: date | None


SUMMARY_COLUMNS = (
    ClassPayment.id,
    ClassPayment.bundle_id,
    ClassBundle.status,
    ClassBundle.number_of_classes,
    ClassBundle.title,
    ClassBundle.payout_mode,
    ClassBundle.compensation_override,
    ClassBundle.created_at,
    Client.id,
    Client.name,
    Writer.id,
    Writer.username,
    ClassPayment.writer_id,
    ClassPayment.total_amount,
    ClassPayment.deposit_amount,
    ClassPayment.deposit_paid,
    ClassPayment.amount_paid,
    ClassPayment.refunded_amount,
    ClassPayment.balance_remaining,
    ClassPayment.client_payment_status,
    ClassPayment.writer_compensation_amount,
    ClassPayment.writer_paid_amount,
    ClassPayment.writer_scheduled_amount,
    ClassPayment.writer_owed_back,
    ClassPayment.writer_payment_status,
    ClassPayment.uses_installments,
    ClassPayment.total_installments,
    ClassPayment.paid_installments,
    ClassPayment.next_due_date,
)


def summary_query() -> Select[Any]:
    """Payment records with their bundle, client and writer; add filters, order and limit."""
    return (
        select(*SUMMARY_COLUMNS)
        .select_from(ClassPayment)
        .join(ClassBundle, ClassPayment.bundle_id == ClassBundle.id)
        .join(Client, ClassBundle.client_id == Client.id)
        .outerjoin(Writer, ClassBundle.writer_id == Writer.id)
    )


def summary_rows(session: Session, query: Select[Any], params: dict[str, Any] | None = None) -> list[SummaryRow]:
    return [SummaryRow._make(row) for row in read_rows(session, query, params)]


# The screens run these again and again, so each is built once, when first used (see
# ``db.bulk.read_rows``), not at import: the app should paint its first screen soon.


@cache
def _summary_of_bundle() -> Select[Any]:
    return summary_query().where(ClassPayment.bundle_id == bindparam("bundle_id"))


@cache
def _summaries_by_id() -> Select[Any]:
    return summary_query().where(ClassPayment.id.in_(bindparam("ids", expanding=True)))


def summary_of_bundle(session: Session, bundle_id: int) -> SummaryRow | None:
    rows = summary_rows(session, _summary_of_bundle(), {"bundle_id": bundle_id})
    return rows[0] if rows else None


def summaries_by_id(session: Session, payment_ids: Sequence[int]) -> list[SummaryRow]:
    """The records' rows in the order of ``payment_ids``."""
    if not payment_ids:
        return []
    position = {payment_id: index for index, payment_id in enumerate(payment_ids)}
    rows = summary_rows(session, _summaries_by_id(), {"ids": list(payment_ids)})
    return sorted(rows, key=lambda row: position[row.payment_id])


class InstallmentRow(NamedTuple):
    payment_id: int
    installment_id: int
    number: int
    amount: Decimal
    due_date: date
    status: InstallmentStatus
    paid_amount: Decimal
    paid_at: datetime | None


@cache
def _installments_by_record() -> Select[Any]:
    return (
        select(
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
        .where(ClassPaymentInstallment.class_payment_id.in_(bindparam("ids", expanding=True)))
        .order_by(ClassPaymentInstallment.class_payment_id, ClassInstallment.installment_number)
    )


def installment_rows(session: Session, payment_ids: Sequence[int]) -> dict[int, list[InstallmentRow]]:
    """Each record's installments, by number: one query for all of them."""
    if not payment_ids:
        return {}
    result: dict[int, list[InstallmentRow]] = defaultdict(list)
    for row in read_rows(session, _installments_by_record(), {"ids": list(payment_ids)}):
        result[row[0]].append(InstallmentRow._make(row))
    return result


class PayoutRow(NamedTuple):
    id: int
    payment_record_id: int
    writer_id: int
    amount: Decimal
    payment_type: WriterPaymentType
    status: WriterPayoutStatus
    scheduled_for: date
    paid_at: datetime | None
    reference: str | None
    bonus_id: int | None
    method: PaymentMethod | None
    cancel_reason: str | None
    writer_username: str
    bundle_id: int


def payout_query() -> Select[Any]:
    return (
        select(
            ClassWriterPayment.id,
            ClassWriterPayment.class_payment_id,
            ClassWriterPayment.writer_id,
            ClassWriterPayment.amount,
            ClassWriterPayment.payment_type,
            ClassWriterPayment.status,
            ClassWriterPayment.scheduled_for,
            ClassWriterPayment.paid_at,
            ClassWriterPayment.reference,
            ClassWriterPayment.bonus_id,
            ClassWriterPayment.method,
            ClassWriterPayment.cancel_reason,
            Writer.username,
            ClassPayment.bundle_id,
        )
        .select_from(ClassWriterPayment)
        .join(Writer, ClassWriterPayment.writer_id == Writer.id)
        .join(ClassPayment, ClassWriterPayment.class_payment_id == ClassPayment.id)
    )


def payout_rows(session: Session, query: Select[Any]) -> list[PayoutRow]:
    return [PayoutRow._make(row) for row in read_rows(session, query)]


@cache
def _payouts_by_record() -> Select[Any]:
    return (
        payout_query()
        .where(ClassWriterPayment.class_payment_id.in_(bindparam("ids", expanding=True)))
        .order_by(ClassWriterPayment.class_payment_id, ClassWriterPayment.id)
    )


def payouts_by_record(session: Session, payment_ids: Sequence[int]) -> dict[int, list[PayoutRow]]:
    if not payment_ids:
        return {}
    result: dict[int, list[PayoutRow]] = defaultdict(list)
    for values in read_rows(session, _payouts_by_record(), {"ids": list(payment_ids)}):
        row = PayoutRow._make(values)
        result[row.payment_record_id].append(row)
    return result


class EntryRow(NamedTuple):
    id: int
    bundle_id: int
    kind: PaymentKind
    amount: Decimal
    method: PaymentMethod
    reference: str
    received_at: datetime
    recorded_at: datetime
    recorded_by: str
    note: str | None
    reverses: int | None


class AllocationRow(NamedTuple):
    entry_id: int
    slot: SlotKind
    installment_number: int | None
    amount: Decimal


ENTRY_COLUMNS = (  # :class:`EntryRow`'s
    OrderPayment.id,
    OrderPayment.bundle_id,
    OrderPayment.kind,
    OrderPayment.amount,
    OrderPayment.method,
    OrderPayment.reference,
    OrderPayment.received_at,
    OrderPayment.recorded_at,
    OrderPayment.recorded_by,
    OrderPayment.note,
    OrderPayment.reverses_id,
)


@cache
def _ledger_entries() -> Select[Any]:
    return select(*ENTRY_COLUMNS).where(OrderPayment.bundle_id == bindparam("bundle_id")).order_by(OrderPayment.id)


@cache
def _ledger_allocations() -> Select[Any]:
    installment = aliased(ClassInstallment)
    return (
        select(
            PaymentAllocation.order_payment_id,
            PaymentAllocation.slot,
            installment.installment_number,
            PaymentAllocation.amount,
        )
        .select_from(PaymentAllocation)
        .join(OrderPayment, PaymentAllocation.order_payment_id == OrderPayment.id)
        .outerjoin(ClassPaymentInstallment, PaymentAllocation.payment_installment_id == ClassPaymentInstallment.id)
        .outerjoin(installment, ClassPaymentInstallment.installment_id == installment.id)
        .where(OrderPayment.bundle_id == bindparam("bundle_id"))
        .order_by(PaymentAllocation.id)
    )


def ledger_rows(session: Session, bundle_id: int) -> tuple[list[EntryRow], list[AllocationRow]]:
    """A bundle's ledger entries in order, and their allocations: two queries."""
    params = {"bundle_id": bundle_id}
    entries = read_rows(session, _ledger_entries(), params)
    allocations = read_rows(session, _ledger_allocations(), params)
    return [EntryRow._make(row) for row in entries], [AllocationRow._make(row) for row in allocations]
