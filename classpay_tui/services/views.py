"""Turning stored rows into the service's pydantic results, with a fixed number of queries
per screen or page whatever the number of installments, payments or payouts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, func, or_, select, type_coerce
from sqlalchemy.orm import Session, aliased

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
from classpay_tui.db.types import Cents
from classpay_tui.domain.compensation import writer_payment_status
from classpay_tui.domain.money import ZERO, progress
from classpay_tui.domain.statuses import ClientPaymentStatus, InstallmentStatus, WriterPayoutStatus
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

SETTLED = (ClientPaymentStatus.PAID, ClientPaymentStatus.CANCELLED, ClientPaymentStatus.REFUNDED)

Row = tuple[ClassPayment, ClassBundle, Client, Writer | None]


def summary_query() -> Select[tuple[ClassPayment, ClassBundle, Client, Writer]]:
    return (
        select(ClassPayment, ClassBundle, Client, Writer)
        .join(ClassBundle, ClassPayment.bundle_id == ClassBundle.id)
        .join(Client, ClassBundle.client_id == Client.id)
        .outerjoin(Writer, ClassBundle.writer_id == Writer.id)
    )


def installment_status(link: ClassPaymentInstallment, due: date, today: date) -> InstallmentStatus:
    if link.status is not InstallmentStatus.PAID and due < today:
        return InstallmentStatus.OVERDUE
    return link.status


def is_overdue(payment: ClassPayment, today: date) -> bool:
    return (
        payment.next_due_date is not None
        and payment.next_due_date < today
        and payment.client_payment_status not in SETTLED
    )


def _installments(session: Session, payment_ids: Sequence[int], today: date) -> dict[int, list[InstallmentOut]]:
    rows = session.execute(
        select(ClassPaymentInstallment, ClassInstallment)
        .join(ClassInstallment, ClassPaymentInstallment.installment_id == ClassInstallment.id)
        .where(ClassPaymentInstallment.class_payment_id.in_(payment_ids))
        .order_by(ClassPaymentInstallment.class_payment_id, ClassInstallment.installment_number)
    )
    result: dict[int, list[InstallmentOut]] = defaultdict(list)
    for link, installment in rows:
        result[link.class_payment_id].append(
            InstallmentOut(
                id=installment.id,
                installment_number=installment.installment_number,
                amount=installment.amount,
                is_paid=link.status is InstallmentStatus.PAID,
                paid_at=link.paid_at,
                due_date=installment.due_date,
                status=installment_status(link, installment.due_date, today),
                paid_amount=link.paid_amount,
                remaining=installment.amount - link.paid_amount,
            )
        )
    return result


def payout_query() -> Select[tuple[ClassWriterPayment, str, int]]:
    return (
        select(ClassWriterPayment, Writer.username, ClassPayment.bundle_id)
        .join(Writer, ClassWriterPayment.writer_id == Writer.id)
        .join(ClassPayment, ClassWriterPayment.class_payment_id == ClassPayment.id)
    )


def payout_out(payout: ClassWriterPayment, username: str, bundle_id: int) -> WriterPaymentOut:
    return WriterPaymentOut(
        id=payout.id,
        amount=payout.amount,
        payment_type=payout.payment_type,
        status=payout.status,
        scheduled_for=payout.scheduled_for,
        paid_at=payout.paid_at,
        reference=payout.reference,
        writer_id=payout.writer_id,
        writer_username=username,
        bonus_id=payout.bonus_id,
        bundle_id=bundle_id,
        payment_record_id=payout.class_payment_id,
        method=payout.method,
        cancel_reason=payout.cancel_reason,
    )


def _writer_payments(session: Session, payment_ids: Sequence[int]) -> dict[int, list[WriterPaymentOut]]:
    rows = session.execute(
        payout_query()
        .where(ClassWriterPayment.class_payment_id.in_(payment_ids))
        .order_by(ClassWriterPayment.class_payment_id, ClassWriterPayment.id)
    )
    result: dict[int, list[WriterPaymentOut]] = defaultdict(list)
    for payout, username, bundle_id in rows:
        result[payout.class_payment_id].append(payout_out(payout, username, bundle_id))
    return result


def _summary_fields(row: Row, currency: str, today: date) -> dict[str, object]:
    payment, bundle, client, writer = row
    return dict(
        id=payment.id,
        bundle_id=bundle.id,
        bundle_status=bundle.status,
        number_of_classes=bundle.number_of_classes,
        assigned_writer_username=writer.username if writer else None,
        total_amount=payment.total_amount,
        deposit_amount=payment.deposit_amount,
        deposit_paid=payment.deposit_paid,
        balance_remaining=payment.balance_remaining,
        client_payment_status=payment.client_payment_status,
        payment_progress=progress(payment.amount_paid, payment.total_amount),
        writer_compensation_amount=payment.writer_compensation_amount,
        writer_paid_amount=payment.writer_paid_amount,
        writer_payment_status=payment.writer_payment_status,
        uses_installments=payment.uses_installments,
        total_installments=payment.total_installments,
        paid_installments=payment.paid_installments,
        title=bundle.title,
        client_id=client.id,
        client_name=client.name,
        assigned_writer_id=writer.id if writer else None,
        amount_paid=payment.amount_paid,
        refunded_amount=payment.refunded_amount,
        writer_scheduled_amount=payment.writer_scheduled_amount,
        writer_owed_back=payment.writer_owed_back,
        next_due_date=payment.next_due_date,
        is_overdue=is_overdue(payment, today),
        payout_mode_override=bundle.payout_mode,
        compensation_override=bundle.compensation_override,
        currency=currency,
        created_at=bundle.created_at,
    )


def summaries(session: Session, rows: Sequence[Row], currency: str, today: date) -> list[PaymentSummary]:
    """A page of bundles: three queries in all, whatever its size."""
    ids = [row[0].id for row in rows]
    installments = _installments(session, ids, today) if ids else {}
    payouts = _writer_payments(session, ids) if ids else {}
    return [
        PaymentSummary(
            **_summary_fields(row, currency, today),
            installments=installments.get(row[0].id, []),
            writer_payments=payouts.get(row[0].id, []),
        )
        for row in rows
    ]


def ledger(session: Session, bundle_id: int) -> list[LedgerEntryOut]:
    entries = session.scalars(
        select(OrderPayment).where(OrderPayment.bundle_id == bundle_id).order_by(OrderPayment.id)
    ).all()
    installment = aliased(ClassInstallment)
    allocation_rows = session.execute(
        select(PaymentAllocation, installment.installment_number)
        .join(OrderPayment, PaymentAllocation.order_payment_id == OrderPayment.id)
        .outerjoin(
            ClassPaymentInstallment,
            PaymentAllocation.payment_installment_id == ClassPaymentInstallment.id,
        )
        .outerjoin(installment, ClassPaymentInstallment.installment_id == installment.id)
        .where(OrderPayment.bundle_id == bundle_id)
        .order_by(PaymentAllocation.id)
    )
    allocations: dict[int, list[AllocationOut]] = defaultdict(list)
    for allocation, number in allocation_rows:
        allocations[allocation.order_payment_id].append(
            AllocationOut(slot=allocation.slot.value, installment_number=number, amount=allocation.amount)
        )
    return [
        LedgerEntryOut(
            id=entry.id,
            bundle_id=entry.bundle_id,
            kind=entry.kind,
            amount=entry.amount,
            method=entry.method,
            reference=entry.reference,
            received_at=entry.received_at,
            recorded_at=entry.recorded_at,
            recorded_by=entry.recorded_by,
            note=entry.note,
            reverses=entry.reverses_id,
            allocations=allocations.get(entry.id, []),
        )
        for entry in entries
    ]


def details(session: Session, bundle_id: int, currency: str, today: date) -> PaymentDetails | None:
    row = session.execute(summary_query().where(ClassPayment.bundle_id == bundle_id)).first()
    if row is None:
        return None
    entries = ledger(session, bundle_id)
    references: dict[int, list[str]] = defaultdict(list)
    for entry in entries:
        for allocation in entry.allocations:
            if allocation.installment_number is not None:
                references[allocation.installment_number].append(entry.reference)
    summary = summaries(session, [row], currency, today)[0]
    installments = [
        item.model_copy(update={"references": references.get(item.installment_number, [])})
        for item in summary.installments
    ]
    return PaymentDetails(**{**summary.__dict__, "installments": installments}, ledger=entries)


def writer_class_payments(session: Session, writer_id: int, today: date) -> list[WriterClassPayment]:
    """The writer's bundles: those assigned to them, and earlier ones they keep payouts on."""
    had_payouts = select(ClassWriterPayment.class_payment_id).where(ClassWriterPayment.writer_id == writer_id)
    rows = session.execute(
        select(ClassPayment, ClassBundle)
        .join(ClassBundle, ClassPayment.bundle_id == ClassBundle.id)
        .where(or_(ClassPayment.writer_id == writer_id, ClassPayment.id.in_(had_payouts)))
        .order_by(ClassBundle.id.desc())
    ).all()
    ids = [payment.id for payment, _ in rows]
    installments = _installments(session, ids, today) if ids else {}
    payouts = _writer_payments(session, ids) if ids else {}
    return [
        _writer_entry(payment, bundle, writer_id, installments.get(payment.id, []), payouts.get(payment.id, []))
        for payment, bundle in rows
    ]


def _writer_entry(
    payment: ClassPayment,
    bundle: ClassBundle,
    writer_id: int,
    installments: list[InstallmentOut],
    payouts: list[WriterPaymentOut],
) -> WriterClassPayment:
    own = [p for p in payouts if p.writer_id == writer_id]
    if payment.writer_id == writer_id:
        compensation, paid = payment.writer_compensation_amount, payment.writer_paid_amount
        scheduled, owed_back, status = (
            payment.writer_scheduled_amount,
            payment.writer_owed_back,
            payment.writer_payment_status,
        )
    else:  # reassigned away: they keep what was paid and scheduled to them
        paid = sum((p.amount for p in own if p.status is WriterPayoutStatus.PAID), ZERO)
        scheduled = sum((p.amount for p in own if p.status is WriterPayoutStatus.SCHEDULED), ZERO)
        compensation, owed_back = paid + scheduled, ZERO
        status = writer_payment_status(
            compensation, paid, scheduled, any_cancelled=any(p.status is WriterPayoutStatus.CANCELLED for p in own)
        )
    return WriterClassPayment(
        id=payment.id,
        bundle_id=bundle.id,
        title=bundle.title,
        bundle_status=bundle.status,
        number_of_classes=bundle.number_of_classes,
        payment_progress=progress(payment.amount_paid, payment.total_amount),
        client_payment_status=payment.client_payment_status,
        is_current_writer=payment.writer_id == writer_id,
        writer_compensation_amount=compensation,
        writer_paid_amount=paid,
        writer_scheduled_amount=scheduled,
        writer_owed_back=owed_back,
        writer_payment_status=status,
        total_installments=payment.total_installments,
        paid_installments=payment.paid_installments,
        installments=[
            WriterInstallmentOut(
                installment_number=item.installment_number,
                due_date=item.due_date,
                is_paid=item.is_paid,
                status=item.status,
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
    rows = session.execute(query.order_by(ClassWriterPayment.scheduled_for, ClassWriterPayment.id))
    return [payout_out(payout, username, bundle_id) for payout, username, bundle_id in rows]


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
