"""Writer payouts: scheduling them (with the ``WriterBonus`` the older payroll reads),
paying, cancelling, and taking back what a refund or reversal no longer covers.

A payout that was paid is never undone here: what the writer received beyond what the
client's money still covers shows as ``writer_owed_back`` for an admin to settle.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classpay_tui.db.models import ClassBundle, ClassPayment, ClassWriterPayment, OfficeSettings, WriterBonus
from classpay_tui.domain.compensation import next_payout_day
from classpay_tui.domain.errors import Conflict, NotFound, Refused
from classpay_tui.domain.money import ZERO, format_money
from classpay_tui.domain.statuses import (
    ClientPaymentStatus,
    PaymentMethod,
    PayoutMode,
    WriterPaymentType,
    WriterPayoutStatus,
)
from classpay_tui.services.ledger import covered_compensation, covered_share


def unscheduled_compensation(payment: ClassPayment) -> Decimal:
    """Compensation not yet paid nor scheduled for the bundle's current writer."""
    return max(ZERO, payment.writer_compensation_amount - payment.writer_paid_amount - payment.writer_scheduled_amount)


def payout_mode(bundle: ClassBundle, settings: OfficeSettings) -> PayoutMode:
    return bundle.payout_mode or settings.payout_mode


def schedule_payout(
    session: Session,
    payment: ClassPayment,
    amount: Decimal,
    payment_type: WriterPaymentType,
    settings: OfficeSettings,
    now: datetime,
    today: date,
    *,
    scheduled_for: date | None = None,
    writer_id: int | None = None,
) -> ClassWriterPayment:
    """One payout on the next payout day, and its bonus record, to the bundle's writer (or
    to ``writer_id``, a writer it had before). The caller recomputes the summary."""
    writer_id = writer_id or payment.writer_id
    assert writer_id is not None
    bonus = WriterBonus(
        writer_id=writer_id,
        bundle_id=payment.bundle_id,
        category="class_payment",
        amount=amount,
        granted_at=now,
        is_paid=False,
    )
    session.add(bonus)
    session.flush()
    payout = ClassWriterPayment(
        class_payment_id=payment.id,
        writer_id=writer_id,
        amount=amount,
        payment_type=payment_type,
        status=WriterPayoutStatus.SCHEDULED,
        scheduled_for=scheduled_for or next_payout_day(today, settings.payout_weekday),
        bonus_id=bonus.id,
        created_at=now,
    )
    session.add(payout)
    session.flush()
    if writer_id == payment.writer_id:
        payment.writer_scheduled_amount += amount
    return payout


def schedule_due_payouts(
    session: Session,
    bundle: ClassBundle,
    payment: ClassPayment,
    settings: OfficeSettings,
    now: datetime,
    today: date,
) -> list[ClassWriterPayment]:
    """Schedule what the payout mode says is due; safe after every write (nothing twice).

    ``on_full_payment``: the unpaid compensation once the client has paid in full.
    ``per_installment``: the share of the compensation that collected money covers, so the
    shares of a fully paid bundle add up to the compensation to the cent.
    """
    if payment.writer_id is None:
        return []
    due = due_payout(
        payout_mode(bundle, settings),
        payment.client_payment_status,
        payment.writer_compensation_amount,
        payment.amount_paid,
        payment.total_amount,
        payment.writer_paid_amount,
        payment.writer_scheduled_amount,
    )
    if due is None:
        return []
    amount, kind = due
    return [schedule_payout(session, payment, amount, kind, settings, now, today)]


def due_payout(
    mode: PayoutMode,
    client_status: ClientPaymentStatus,
    compensation: Decimal,
    amount_paid: Decimal,
    total: Decimal,
    paid: Decimal,
    scheduled: Decimal,
) -> tuple[Decimal, WriterPaymentType] | None:
    """The payout the mode says is due now (amount and type), or None."""
    if mode is PayoutMode.PER_INSTALLMENT:
        target, kind = covered_share(compensation, amount_paid, total), WriterPaymentType.INSTALLMENT
    elif client_status is ClientPaymentStatus.PAID:
        target, kind = compensation, WriterPaymentType.FULL
    else:
        return None
    amount = min(target - paid - scheduled, max(ZERO, compensation - paid - scheduled))
    return (amount, kind) if amount > ZERO else None


def scheduled_payouts(session: Session, payment: ClassPayment, writer_id: int | None) -> list[ClassWriterPayment]:
    return list(
        session.scalars(
            select(ClassWriterPayment)
            .where(
                ClassWriterPayment.class_payment_id == payment.id,
                ClassWriterPayment.writer_id == writer_id,
                ClassWriterPayment.status == WriterPayoutStatus.SCHEDULED,
            )
            .order_by(ClassWriterPayment.id.desc())
        )
    )


def cancel(session: Session, payout: ClassWriterPayment, now: datetime, reason: str) -> None:
    payout.status = WriterPayoutStatus.CANCELLED
    payout.cancelled_at = now
    payout.cancel_reason = reason[:200]
    if payout.bonus_id is not None:
        bonus = session.get(WriterBonus, payout.bonus_id)
        if bonus is not None:
            bonus.cancelled_at = now


def take_back_uncovered(
    session: Session, payment: ClassPayment, settings: OfficeSettings, now: datetime, today: date, why: str
) -> list[ClassWriterPayment]:
    """After money went back to the client: scheduled payouts beyond what collected money
    still covers are cancelled, latest first; one that is only partly uncovered is cancelled
    and rescheduled for the covered part, on the same day. Paid payouts are left alone.

    The current writer is held to their compensation; a writer the bundle had before is
    held to what they kept at the reassignment (their paid and scheduled payouts)."""
    allowed = max(ZERO, covered_compensation(payment) - payment.writer_paid_amount)
    changed = _reduce(
        session, payment, payment.writer_id, payment.writer_scheduled_amount - allowed, settings, now, today, why
    )
    for writer_id, paid, scheduled in _former_writers(session, payment):
        covered = covered_share(paid + scheduled, payment.amount_paid, payment.total_amount)
        excess = scheduled - max(ZERO, covered - paid)
        changed += _reduce(session, payment, writer_id, excess, settings, now, today, why)
    return changed


def _former_writers(session: Session, payment: ClassPayment) -> list[tuple[int, Decimal, Decimal]]:
    """(writer, paid, scheduled) for each earlier writer that still has a payout scheduled."""
    totals: dict[int, dict[WriterPayoutStatus, Decimal]] = {}
    rows = session.execute(
        select(ClassWriterPayment.writer_id, ClassWriterPayment.status, func.sum(ClassWriterPayment.amount))
        .where(ClassWriterPayment.class_payment_id == payment.id, ClassWriterPayment.writer_id != payment.writer_id)
        .group_by(ClassWriterPayment.writer_id, ClassWriterPayment.status)
    )
    for writer_id, status, total in rows:
        totals.setdefault(writer_id, {})[status] = total
    return [
        (writer_id, sums.get(WriterPayoutStatus.PAID, ZERO), sums[WriterPayoutStatus.SCHEDULED])
        for writer_id, sums in sorted(totals.items())
        if sums.get(WriterPayoutStatus.SCHEDULED, ZERO) > ZERO
    ]


def _reduce(
    session: Session,
    payment: ClassPayment,
    writer_id: int | None,
    excess: Decimal,
    settings: OfficeSettings,
    now: datetime,
    today: date,
    why: str,
) -> list[ClassWriterPayment]:
    changed = []
    for payout in scheduled_payouts(session, payment, writer_id) if excess > ZERO else []:
        if excess <= ZERO:
            break
        cancel(session, payout, now, why)
        if writer_id == payment.writer_id:
            payment.writer_scheduled_amount -= payout.amount
        changed.append(payout)
        keep = payout.amount - excess
        excess -= payout.amount
        if keep > ZERO:
            changed.append(
                schedule_payout(
                    session,
                    payment,
                    keep,
                    WriterPaymentType.PARTIAL,
                    settings,
                    now,
                    today,
                    scheduled_for=payout.scheduled_for,
                    writer_id=writer_id,
                )
            )
    return changed


def get_payout(session: Session, payout_id: int) -> ClassWriterPayment:
    payout = session.get(ClassWriterPayment, payout_id)
    if payout is None:
        raise NotFound(f"There is no writer payout {payout_id}.")
    return payout


def mark_paid(
    session: Session, payout: ClassWriterPayment, reference: str, method: PaymentMethod, at: datetime
) -> None:
    if payout.status is WriterPayoutStatus.CANCELLED:
        raise Refused(f"Writer payout {payout.id} was cancelled and cannot be paid.")
    if payout.status is WriterPayoutStatus.PAID:
        raise Refused(f"Writer payout {payout.id} is already paid (reference {payout.reference}).")
    clash = session.scalar(select(ClassWriterPayment.id).where(ClassWriterPayment.reference == reference))
    if clash is not None:
        raise Conflict(f"Reference {reference} was already used for writer payout {clash}; use a new reference.")
    payout.status = WriterPayoutStatus.PAID
    payout.paid_at = at
    payout.reference = reference
    payout.method = method
    if payout.bonus_id is not None:
        bonus = session.get(WriterBonus, payout.bonus_id)
        if bonus is not None:
            bonus.is_paid, bonus.paid_at = True, at


def refuse_cancel(payout: ClassWriterPayment) -> None:
    if payout.status is WriterPayoutStatus.PAID:
        raise Refused(
            f"Writer payout {payout.id} of {format_money(payout.amount)} is already paid; "
            "a paid payout is never undone."
        )
    if payout.status is WriterPayoutStatus.CANCELLED:
        raise Refused(f"Writer payout {payout.id} is already cancelled.")
