"""Scheduling writer payouts, with the ``WriterBonus`` the older payroll reads."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from classpay_tui.db.models import ClassBundle, ClassPayment, ClassWriterPayment, OfficeSettings, WriterBonus
from classpay_tui.domain.compensation import next_payout_day
from classpay_tui.domain.money import ZERO
from classpay_tui.domain.statuses import (
    ClientPaymentStatus,
    PayoutMode,
    WriterPaymentType,
    WriterPayoutStatus,
)


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
) -> ClassWriterPayment:
    """One payout on the next payout day, and its bonus record. The caller recomputes the summary."""
    assert payment.writer_id is not None
    bonus = WriterBonus(
        writer_id=payment.writer_id,
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
        writer_id=payment.writer_id,
        amount=amount,
        payment_type=payment_type,
        status=WriterPayoutStatus.SCHEDULED,
        scheduled_for=next_payout_day(today, settings.payout_weekday),
        bonus_id=bonus.id,
        created_at=now,
    )
    session.add(payout)
    session.flush()
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
    """Mode ``on_full_payment``: once the client has paid in full, schedule the writer's
    unpaid compensation. Safe to call after every write: it schedules nothing twice."""
    if payment.writer_id is None or payout_mode(bundle, settings) is not PayoutMode.ON_FULL_PAYMENT:
        return []
    if payment.client_payment_status is not ClientPaymentStatus.PAID:
        return []
    amount = unscheduled_compensation(payment)
    if amount <= ZERO:
        return []
    return [schedule_payout(session, payment, amount, WriterPaymentType.FULL, settings, now, today)]
