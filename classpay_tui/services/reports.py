"""Reports as SQL aggregates: money collected by month and by week, and receivables aging."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, case, extract, func, or_, select, type_coerce
from sqlalchemy.orm import Session, aliased

from classpay_tui.db.models import (
    ClassBundle,
    ClassInstallment,
    ClassPayment,
    OrderPayment,
    PaymentAllocation,
)
from classpay_tui.db.types import Cents
from classpay_tui.domain.allocation import SlotKind
from classpay_tui.domain.money import ZERO
from classpay_tui.domain.plans import add_months
from classpay_tui.domain.statuses import PaymentKind
from classpay_tui.services.overdue import end_of, installments_owed, receivable, start_of
from classpay_tui.services.schemas import (
    AgingBucket,
    AgingReport,
    CollectionMonth,
    CollectionsReport,
    CollectionWeek,
)

MONEY_IN = (PaymentKind.DEPOSIT, PaymentKind.INSTALLMENT, PaymentKind.PAYMENT)
WEEKS = 12
AGING_BUCKETS = (
    ("not_due", "not due"),
    ("1-30", "1–30 days"),
    ("31-60", "31–60 days"),
    ("61-90", "61–90 days"),
    ("over_90", "over 90 days"),
    ("no_due_date", "no due date"),
)

_original = aliased(OrderPayment)
_reversal_of_refund = and_(OrderPayment.kind == PaymentKind.REVERSAL, _original.kind == PaymentKind.REFUND)
_amount = OrderPayment.amount


def _cents_sum(expression: ColumnElement[Decimal]) -> ColumnElement[Decimal]:
    return type_coerce(func.coalesce(func.sum(expression), 0), Cents())


# Each ledger entry's effect on the money the office holds: payments in, refunds out, a
# reversal undoes its original (so a reversed refund brings money back in).
RECEIVED = case((OrderPayment.kind.in_(MONEY_IN), _amount), else_=0)
REFUNDED = case((OrderPayment.kind == PaymentKind.REFUND, _amount), (_reversal_of_refund, -_amount), else_=0)
REVERSED = case(
    (and_(OrderPayment.kind == PaymentKind.REVERSAL, or_(_original.id.is_(None), ~_reversal_of_refund)), _amount),
    else_=0,
)
NET = case(
    (OrderPayment.kind.in_(MONEY_IN), _amount),
    (OrderPayment.kind == PaymentKind.REFUND, -_amount),
    (_reversal_of_refund, _amount),
    else_=-_amount,
)


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def collections(session: Session, date_from: date, date_to: date) -> CollectionsReport:
    """Money received by calendar month (UTC) from ``date_from`` to ``date_to``, net of refunds
    and reversals, and the net of each of the 12 weeks (Monday to Sunday) up to ``date_to``."""
    year, month = extract("year", OrderPayment.received_at), extract("month", OrderPayment.received_at)
    rows = session.execute(
        select(year, month, _cents_sum(RECEIVED), _cents_sum(REFUNDED), _cents_sum(REVERSED), func.count())
        .outerjoin(_original, OrderPayment.reverses_id == _original.id)
        .where(OrderPayment.received_at >= start_of(date_from), OrderPayment.received_at < end_of(date_to))
        .group_by(year, month)
    ).all()
    found = {
        f"{int(y):04d}-{int(m):02d}": (received, refunded, reversed_, count)
        for y, m, received, refunded, reversed_, count in rows
    }
    months = []
    cursor = date(date_from.year, date_from.month, 1)
    while cursor <= date_to:
        key = month_key(cursor)
        received, refunded, reversed_, count = found.get(key, (ZERO, ZERO, ZERO, 0))
        months.append(
            CollectionMonth(
                month=key,
                received=received,
                refunded=refunded,
                reversed=reversed_,
                net=received - refunded - reversed_,
                entries=count,
            )
        )
        cursor = add_months(cursor, 1)
    weeks = weekly_net(session, date_to)
    return CollectionsReport(
        date_from=date_from,
        date_to=date_to,
        months=months,
        weeks=weeks,
        total_net=sum((m.net for m in months), ZERO),
    )


def weekly_net(session: Session, date_to: date) -> list[CollectionWeek]:
    """The net collected in each of the 12 weeks (Monday to Sunday) up to the one holding ``date_to``."""
    last_monday = date_to - timedelta(days=date_to.weekday())
    starts = [last_monday - timedelta(weeks=WEEKS - 1 - n) for n in range(WEEKS)]
    bucket = case(
        *[(OrderPayment.received_at < start_of(start), index) for index, start in enumerate(starts[1:])],
        else_=WEEKS - 1,
    )
    labelled = (
        select(bucket.label("week"), type_coerce(NET, Cents()).label("net"))
        .outerjoin(_original, OrderPayment.reverses_id == _original.id)
        .where(OrderPayment.received_at >= start_of(starts[0]), OrderPayment.received_at < end_of(date_to))
        .subquery()
    )
    sums = {
        week: net
        for week, net in session.execute(select(labelled.c.week, _cents_sum(labelled.c.net)).group_by(labelled.c.week))
    }
    return [CollectionWeek(week_start=start, net=sums.get(index, ZERO)) for index, start in enumerate(starts)]


def aging(session: Session, as_of: date) -> AgingReport:
    """What was still owed at the end of ``as_of``, by how late it was: per installment by
    its due date, and deposits and balances without a plan in a bucket of their own."""
    owed = installments_owed(as_of)
    day = as_of
    bucket = case(
        (owed.c.due_date >= day, "not_due"),
        (owed.c.due_date >= day - timedelta(days=30), "1-30"),
        (owed.c.due_date >= day - timedelta(days=60), "31-60"),
        (owed.c.due_date >= day - timedelta(days=90), "61-90"),
        else_="over_90",
    )
    labelled = (
        select(
            owed.c.bundle_id,
            type_coerce(owed.c.amount - owed.c.paid, Cents()).label("owed"),
            bucket.label("bucket"),
        )
        .where(owed.c.amount > owed.c.paid)
        .subquery()
    )
    found = {
        name: (count, bundles, amount)
        for name, count, bundles, amount in session.execute(
            select(
                labelled.c.bucket,
                func.count(),
                func.count(func.distinct(labelled.c.bundle_id)),
                _cents_sum(labelled.c.owed),
            ).group_by(labelled.c.bucket)
        )
    }
    found["no_due_date"] = _owed_without_due_date(session, as_of)
    buckets = []
    for name, label in AGING_BUCKETS:
        count, bundles, amount = found.get(name, (0, 0, ZERO))
        buckets.append(AgingBucket(bucket=name, label=label, installments=count, bundles=bundles, amount=amount))
    return AgingReport(as_of=as_of, buckets=buckets, total=sum((b.amount for b in buckets), ZERO))


def _owed_without_due_date(session: Session, as_of: date) -> tuple[int, int, Decimal]:
    """Deposits, and the balance of bundles without installments, still owed at the end of ``as_of``."""
    end = end_of(as_of)
    planned = (
        select(func.coalesce(func.sum(ClassInstallment.amount), 0))
        .where(ClassInstallment.bundle_id == ClassBundle.id)
        .correlate(ClassBundle)
        .scalar_subquery()
    )
    paid = (
        select(func.coalesce(func.sum(PaymentAllocation.amount), 0))
        .join(OrderPayment, PaymentAllocation.order_payment_id == OrderPayment.id)
        .where(
            PaymentAllocation.class_payment_id == ClassPayment.id,
            PaymentAllocation.slot != SlotKind.INSTALLMENT,
            OrderPayment.received_at < end,
        )
        .correlate(ClassPayment)
        .scalar_subquery()
    )
    touched_later = (
        select(PaymentAllocation.class_payment_id)
        .join(OrderPayment, PaymentAllocation.order_payment_id == OrderPayment.id)
        .where(OrderPayment.received_at >= end)
    )
    per_bundle = (
        select(type_coerce(ClassBundle.total_amount - planned - paid, Cents()).label("owed"))
        .outerjoin(ClassPayment, ClassPayment.bundle_id == ClassBundle.id)
        .where(
            *receivable(),
            # Fully paid now and untouched since: nothing was owed then either.
            or_(
                ClassPayment.id.is_(None),
                ClassPayment.balance_remaining > 0,
                ClassPayment.id.in_(touched_later),
            ),
        )
        .subquery()
    )
    count, amount = session.execute(
        select(func.count(), _cents_sum(per_bundle.c.owed)).where(per_bundle.c.owed > 0)
    ).one()
    return 0, count, amount
