"""Turning stored rows into the service's pydantic results, with a fixed number of queries
per screen or page whatever the number of installments, payments or payouts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import func, or_, select, type_coerce
from sqlalchemy.orm import Session

from classpay_tui.db.models import (
    ClassPayment,
    ClassWriterPayment,
    Writer,
)
from classpay_tui.db.types import Cents
from classpay_tui.domain.compensation import writer_payment_status
from classpay_tui.domain.money import ZERO, progress
from classpay_tui.domain.statuses import ClientPaymentStatus, InstallmentStatus, WriterPayoutStatus
from classpay_tui.services import view_rows
from classpay_tui.services.schemas import (
    AllocationOut,
    InstallmentOut,
    LedgerEntryOut,
    PaymentDetails,
    PaymentSummary,
    WriterClassPayment,
    WriterInstallmentOut,
    WriterPaymentOut,
    WriterTotals,
)

M = TypeVar("M", bound=BaseModel)


def _out(model: type[M], **fields: Any) -> M:
    """A result built from values read from our own database, which already have the right
    types, with every field given: pydantic's validation (for what people and scripts send
    in) is skipped. This is what ``model_construct`` does with its defaults and aliases
    left out, which makes it about six times faster; a page holds hundreds of these.
    ``tests/services/test_query_counts.py`` checks the result equals validated models."""
    values = {name: fields[name] for name in model.__pydantic_fields__}  # in the model's order
    if len(values) != len(fields):
        raise TypeError(f"{model.__name__} has no field(s) {sorted(set(fields) - set(values))}")
    result = model.__new__(model)
    object.__setattr__(result, "__dict__", values)
    object.__setattr__(result, "__pydantic_fields_set__", set(values))
    object.__setattr__(result, "__pydantic_extra__", None)
    object.__setattr__(result, "__pydantic_private__", None)
    return result


SETTLED = (ClientPaymentStatus.PAID, ClientPaymentStatus.CANCELLED, ClientPaymentStatus.REFUNDED)

summary_query = view_rows.summary_query
summary_rows = view_rows.summary_rows
payout_query = view_rows.payout_query


def installment_status(status: InstallmentStatus, due: date, today: date) -> InstallmentStatus:
    if status is not InstallmentStatus.PAID and due < today:
        return InstallmentStatus.OVERDUE
    return status


def is_overdue(next_due: date | None, status: ClientPaymentStatus, today: date) -> bool:
    return next_due is not None and next_due < today and status not in SETTLED


def _installment_out(row: view_rows.InstallmentRow, today: date, references: list[str] | None = None) -> InstallmentOut:
    return _out(
        InstallmentOut,
        id=row.installment_id,
        installment_number=row.number,
        amount=row.amount,
        is_paid=row.status is InstallmentStatus.PAID,
        paid_at=row.paid_at,
        due_date=row.due_date,
        status=installment_status(row.status, row.due_date, today),
        paid_amount=row.paid_amount,
        remaining=row.amount - row.paid_amount,
        references=references or [],
    )


def _installments(session: Session, payment_ids: Sequence[int], today: date) -> dict[int, list[InstallmentOut]]:
    return {
        payment_id: [_installment_out(row, today) for row in rows]
        for payment_id, rows in view_rows.installment_rows(session, payment_ids).items()
    }


def payout_out(row: view_rows.PayoutRow) -> WriterPaymentOut:
    return _out(WriterPaymentOut, **row._asdict())


def _writer_payments(session: Session, payment_ids: Sequence[int]) -> dict[int, list[WriterPaymentOut]]:
    return {
        payment_id: [payout_out(row) for row in rows]
        for payment_id, rows in view_rows.payouts_by_record(session, payment_ids).items()
    }


def summary_fields(row: view_rows.SummaryRow, currency: str, today: date) -> dict[str, object]:
    """A record's summary row as the fields of the summaries (and of the lighter list rows)."""
    return dict(
        id=row.payment_id,
        bundle_id=row.bundle_id,
        bundle_status=row.bundle_status,
        number_of_classes=row.number_of_classes,
        assigned_writer_username=row.writer_username,
        total_amount=row.total_amount,
        deposit_amount=row.deposit_amount,
        deposit_paid=row.deposit_paid,
        balance_remaining=row.balance_remaining,
        client_payment_status=row.client_payment_status,
        payment_progress=progress(row.amount_paid, row.total_amount),
        writer_compensation_amount=row.writer_compensation_amount,
        writer_paid_amount=row.writer_paid_amount,
        writer_payment_status=row.writer_payment_status,
        uses_installments=row.uses_installments,
        total_installments=row.total_installments,
        paid_installments=row.paid_installments,
        title=row.title,
        client_id=row.client_id,
        client_name=row.client_name,
        assigned_writer_id=row.writer_id,
        amount_paid=row.amount_paid,
        refunded_amount=row.refunded_amount,
        writer_scheduled_amount=row.writer_scheduled_amount,
        writer_owed_back=row.writer_owed_back,
        next_due_date=row.next_due_date,
        is_overdue=is_overdue(row.next_due_date, row.client_payment_status, today),
        payout_mode_override=row.payout_mode,
        compensation_override=row.compensation_override,
        currency=currency,
        created_at=row.created_at,
    )


def summaries(
    session: Session, rows: Sequence[view_rows.SummaryRow], currency: str, today: date
) -> list[PaymentSummary]:
    """A page of bundles: three queries in all, whatever its size."""
    ids = [row.payment_id for row in rows]
    installments = _installments(session, ids, today)
    payouts = _writer_payments(session, ids)
    return [
        _out(
            PaymentSummary,
            **summary_fields(row, currency, today),
            installments=installments.get(row.payment_id, []),
            writer_payments=payouts.get(row.payment_id, []),
        )
        for row in rows
    ]


def ledger(session: Session, bundle_id: int) -> list[LedgerEntryOut]:
    return ledger_from_rows(*view_rows.ledger_rows(session, bundle_id))


def ledger_from_rows(
    entry_rows: Sequence[view_rows.EntryRow], allocation_rows: Sequence[view_rows.AllocationRow]
) -> list[LedgerEntryOut]:
    allocations: dict[int, list[AllocationOut]] = defaultdict(list)
    for row in allocation_rows:
        allocations[row.entry_id].append(
            _out(AllocationOut, slot=row.slot.value, installment_number=row.installment_number, amount=row.amount)
        )
    return [_out(LedgerEntryOut, **entry._asdict(), allocations=allocations.get(entry.id, [])) for entry in entry_rows]


def details(session: Session, bundle_id: int, currency: str, today: date) -> PaymentDetails | None:
    row = view_rows.summary_of_bundle(session, bundle_id)
    if row is None:
        return None
    entries, allocations = view_rows.ledger_rows(session, bundle_id)
    installments = view_rows.installment_rows(session, [row.payment_id]).get(row.payment_id, [])
    payouts = view_rows.payouts_by_record(session, [row.payment_id]).get(row.payment_id, [])
    return details_from_rows(row, installments, entries, allocations, payouts, currency, today)


def details_from_rows(
    row: view_rows.SummaryRow,
    installment_rows: Sequence[view_rows.InstallmentRow],
    entry_rows: Sequence[view_rows.EntryRow],
    allocation_rows: Sequence[view_rows.AllocationRow],
    payout_rows: Sequence[view_rows.PayoutRow],
    currency: str,
    today: date,
) -> PaymentDetails:
    """One bundle's details from its rows: those just read, or (recording a payment) the
    rows as the write left them, so the result need not be read back."""
    entries = ledger_from_rows(entry_rows, allocation_rows)
    references: dict[int, list[str]] = defaultdict(list)
    for entry in entries:
        for allocation in entry.allocations:
            if allocation.installment_number is not None:
                references[allocation.installment_number].append(entry.reference)
    return _out(
        PaymentDetails,
        **summary_fields(row, currency, today),
        installments=[_installment_out(item, today, references.get(item.number)) for item in installment_rows],
        writer_payments=[payout_out(item) for item in payout_rows],
        ledger=entries,
    )


def writer_class_payments(session: Session, writer_id: int, today: date) -> list[WriterClassPayment]:
    """The writer's bundles: those assigned to them, and earlier ones they keep payouts on."""
    had_payouts = select(ClassWriterPayment.class_payment_id).where(ClassWriterPayment.writer_id == writer_id)
    rows = view_rows.summary_rows(
        session,
        summary_query()
        .where(or_(ClassPayment.writer_id == writer_id, ClassPayment.id.in_(had_payouts)))
        .order_by(ClassPayment.bundle_id.desc()),
    )
    ids = [row.payment_id for row in rows]
    installments = view_rows.installment_rows(session, ids)
    payouts = _writer_payments(session, ids)
    return [
        _writer_entry(row, writer_id, installments.get(row.payment_id, []), payouts.get(row.payment_id, []), today)
        for row in rows
    ]


def _writer_entry(
    row: view_rows.SummaryRow,
    writer_id: int,
    installments: list[view_rows.InstallmentRow],
    payouts: list[WriterPaymentOut],
    today: date,
) -> WriterClassPayment:
    own = [p for p in payouts if p.writer_id == writer_id]
    if row.payment_writer_id == writer_id:
        compensation, paid = row.writer_compensation_amount, row.writer_paid_amount
        scheduled, owed_back, status = row.writer_scheduled_amount, row.writer_owed_back, row.writer_payment_status
    else:  # reassigned away: they keep what was paid and scheduled to them
        paid = sum((p.amount for p in own if p.status is WriterPayoutStatus.PAID), ZERO)
        scheduled = sum((p.amount for p in own if p.status is WriterPayoutStatus.SCHEDULED), ZERO)
        compensation, owed_back = paid + scheduled, ZERO
        status = writer_payment_status(
            compensation, paid, scheduled, any_cancelled=any(p.status is WriterPayoutStatus.CANCELLED for p in own)
        )
    return _out(
        WriterClassPayment,
        id=row.payment_id,
        bundle_id=row.bundle_id,
        title=row.title,
        bundle_status=row.bundle_status,
        number_of_classes=row.number_of_classes,
        payment_progress=progress(row.amount_paid, row.total_amount),
        client_payment_status=row.client_payment_status,
        is_current_writer=row.payment_writer_id == writer_id,
        writer_compensation_amount=compensation,
        writer_paid_amount=paid,
        writer_scheduled_amount=scheduled,
        writer_owed_back=owed_back,
        writer_payment_status=status,
        total_installments=row.total_installments,
        paid_installments=row.paid_installments,
        installments=[
            _out(
                WriterInstallmentOut,
                installment_number=item.number,
                due_date=item.due_date,
                is_paid=item.status is InstallmentStatus.PAID,
                status=installment_status(item.status, item.due_date, today),
            )
            for item in installments
        ],
        writer_payments=own,
    )


def payouts(
    session: Session, *, writer_id: int | None, status: WriterPayoutStatus | None, due_by: date | None
) -> list[WriterPaymentOut]:
    query = payout_query()
    if writer_id is not None:
        query = query.where(ClassWriterPayment.writer_id == writer_id)
    if status is not None:
        query = query.where(ClassWriterPayment.status == status)
    if due_by is not None:
        query = query.where(ClassWriterPayment.scheduled_for <= due_by)
    rows = view_rows.payout_rows(session, query.order_by(ClassWriterPayment.scheduled_for, ClassWriterPayment.id))
    return [payout_out(row) for row in rows]


def writer_totals(session: Session) -> list[WriterTotals]:
    """Every writer's position: two aggregate queries, whatever the number of bundles."""
    by_status: dict[tuple[int, WriterPayoutStatus], Decimal] = {
        (writer_id, status): total
        for writer_id, status, total in session.execute(
            select(
                ClassWriterPayment.writer_id, ClassWriterPayment.status, func.sum(ClassWriterPayment.amount)
            ).group_by(ClassWriterPayment.writer_id, ClassWriterPayment.status)
        )
    }
    rows = session.execute(
        select(
            Writer,
            func.count(ClassPayment.id),
            func.coalesce(func.sum(ClassPayment.writer_compensation_amount), 0),
            func.coalesce(func.sum(ClassPayment.writer_owed_back), 0),
            func.coalesce(
                func.sum(
                    # Arithmetic on Cents columns comes back as a plain integer of cents unless
                    # it is typed as Cents again.
                    type_coerce(
                        ClassPayment.writer_compensation_amount
                        - ClassPayment.writer_paid_amount
                        - ClassPayment.writer_scheduled_amount,
                        Cents(),
                    )
                ),
                0,
            ),
        )
        .outerjoin(ClassPayment, ClassPayment.writer_id == Writer.id)
        .group_by(Writer.id)
        .order_by(Writer.username)
    )
    return [
        WriterTotals(
            writer_id=writer.id,
            username=writer.username,
            display_name=writer.display_name,
            active=writer.active,
            bundles=count,
            compensation=compensation,
            paid=by_status.get((writer.id, WriterPayoutStatus.PAID), ZERO),
            scheduled=by_status.get((writer.id, WriterPayoutStatus.SCHEDULED), ZERO),
            owed_back=owed_back,
            unscheduled=max(ZERO, unscheduled),
        )
        for writer, count, compensation, owed_back, unscheduled in rows
    ]
