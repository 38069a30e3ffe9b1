"""Turning stored rows into the service's pydantic results, with a fixed number of queries
per screen or page whatever the number of installments, payments or payouts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlalchemy import Select, select
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
from classpay_tui.domain.money import progress
from classpay_tui.domain.statuses import ClientPaymentStatus, InstallmentStatus
from classpay_tui.services.schemas import (
    AllocationOut,
    InstallmentOut,
    LedgerEntryOut,
    PaymentDetails,
    PaymentSummary,
    WriterClassPayment,
    WriterInstallmentOut,
    WriterPaymentOut,
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


def _writer_payments(session: Session, payment_ids: Sequence[int]) -> dict[int, list[WriterPaymentOut]]:
    rows = session.execute(
        select(ClassWriterPayment, Writer.username)
        .join(Writer, ClassWriterPayment.writer_id == Writer.id)
        .where(ClassWriterPayment.class_payment_id.in_(payment_ids))
        .order_by(ClassWriterPayment.class_payment_id, ClassWriterPayment.id)
    )
    result: dict[int, list[WriterPaymentOut]] = defaultdict(list)
    for payout, username in rows:
        result[payout.class_payment_id].append(
            WriterPaymentOut(
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
            )
        )
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
    rows = session.execute(
        select(ClassPayment, ClassBundle)
        .join(ClassBundle, ClassPayment.bundle_id == ClassBundle.id)
        .where(ClassPayment.writer_id == writer_id)
        .order_by(ClassBundle.id.desc())
    ).all()
    ids = [payment.id for payment, _ in rows]
    installments = _installments(session, ids, today) if ids else {}
    payouts = _writer_payments(session, ids) if ids else {}
    return [
        WriterClassPayment(
            id=payment.id,
            bundle_id=bundle.id,
            title=bundle.title,
            bundle_status=bundle.status,
            number_of_classes=bundle.number_of_classes,
            payment_progress=progress(payment.amount_paid, payment.total_amount),
            client_payment_status=payment.client_payment_status,
            writer_compensation_amount=payment.writer_compensation_amount,
            writer_paid_amount=payment.writer_paid_amount,
            writer_scheduled_amount=payment.writer_scheduled_amount,
            writer_owed_back=payment.writer_owed_back,
            writer_payment_status=payment.writer_payment_status,
            total_installments=payment.total_installments,
            paid_installments=payment.paid_installments,
            installments=[
                WriterInstallmentOut(
                    installment_number=item.installment_number,
                    due_date=item.due_date,
                    is_paid=item.is_paid,
                    status=item.status,
                )
                for item in installments.get(payment.id, [])
            ],
            writer_payments=[p for p in payouts.get(payment.id, []) if p.writer_id == writer_id],
        )
        for payment, bundle in rows
    ]
