"""Clients, writers and bundles: creating them and assigning writers."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classpay_tui.db.models import ClassBundle, ClassInstallment, Client, Writer
from classpay_tui.domain.compensation import CompensationRule
from classpay_tui.domain.errors import Conflict, InvalidInput, NotFound, Refused
from classpay_tui.domain.money import CENT, ZERO, check_amount, format_money
from classpay_tui.domain.plans import (
    Frequency,
    PlannedInstallment,
    add_months,
    custom_plan,
    even_plan,
    split_evenly,
)
from classpay_tui.domain.statuses import BundleStatus
from classpay_tui.services.ledger import BundleState
from classpay_tui.services.schemas import BundleIn, PlanIn, WriterIn, WriterOut
from classpay_tui.services.text import clean_text

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
MAX_CLASSES = 1000


def writer_out(writer: Writer) -> WriterOut:
    if writer.rule_kind is None or writer.rule_value is None:
        rule = "office default"
    else:
        rule = CompensationRule(writer.rule_kind, writer.rule_value).describe()
    return WriterOut(
        id=writer.id,
        username=writer.username,
        display_name=writer.display_name,
        email=writer.email,
        compensation_rule=rule,
        active=writer.active,
    )


def find_writer(session: Session, ref: str | int) -> Writer:
    """A writer by id or username."""
    text = str(ref).strip()
    if text.isdigit():
        writer = session.get(Writer, int(text))
    else:
        writer = session.scalar(select(Writer).where(Writer.username == text.lower()))
    if writer is None:
        raise NotFound(f"There is no writer {text!r}; add one with `classpay writers add USERNAME`.")
    return writer


def add_writer(session: Session, data: WriterIn, now: datetime) -> Writer:
    username = (data.username or "").strip().lower()
    if not USERNAME.match(username):
        raise InvalidInput(
            f"{data.username!r} is not a usable username: use lower-case letters, digits, '.', '_' or '-'."
        )
    if session.scalar(select(Writer.id).where(Writer.username == username)) is not None:
        raise Conflict(f"There is already a writer named {username}.")
    if data.percent is not None and data.per_class is not None:
        raise InvalidInput("Give either a percentage or a rate per class, not both.")
    rule = None
    if data.percent is not None:
        rule = CompensationRule.percent(data.percent)
    elif data.per_class is not None:
        rule = CompensationRule.per_class(data.per_class)
    writer = Writer(
        username=username,
        display_name=clean_text(data.display_name, "The writer's name", max_length=200, required=False) or username,
        email=clean_text(data.email, "The email address", max_length=254, required=False),
        rule_kind=rule.kind if rule else None,
        rule_value=rule.value if rule else None,
        active=True,
        created_at=now,
    )
    session.add(writer)
    session.flush()
    return writer


def find_or_add_client(session: Session, data: BundleIn, now: datetime) -> Client:
    name = clean_text(data.client_name, "The client's name", max_length=200)
    client = session.scalar(select(Client).where(func.lower(Client.name) == name.lower()).order_by(Client.id))
    if client is not None:
        return client
    client = Client(
        name=name,
        email=clean_text(data.client_email, "The client's email", max_length=254, required=False),
        phone=clean_text(data.client_phone, "The client's phone", max_length=50, required=False),
        created_at=now,
    )
    session.add(client)
    session.flush()
    return client


def plan_installments(plan: PlanIn | None, balance: Decimal, today: date) -> list[PlannedInstallment]:
    if plan is None or (plan.count == 0 and not plan.custom):
        return []
    if plan.custom:
        return custom_plan(balance, plan.custom)
    first_due = plan.first_due or _one_period_after(today, plan.every)
    return even_plan(balance, plan.count, first_due, plan.every)


def _one_period_after(day: date, every: Frequency) -> date:
    if every is Frequency.WEEK:
        return day + timedelta(weeks=1)
    if every is Frequency.TWO_WEEKS:
        return day + timedelta(weeks=2)
    return add_months(day, 1)


def add_bundle(session: Session, data: BundleIn, now: datetime, today: date) -> ClassBundle:
    """The bundle and its installment plan; the caller creates the payment record."""
    title = clean_text(data.title, "The course title", max_length=200)
    if not 1 <= data.number_of_classes <= MAX_CLASSES:
        raise InvalidInput(f"The number of classes must be between 1 and {MAX_CLASSES}, not {data.number_of_classes}.")
    total = check_amount(data.total_amount, what="The total")
    deposit = check_amount(data.deposit_amount, allow_zero=True, what="The deposit")
    if deposit > total:
        raise InvalidInput(f"The deposit {deposit:,.2f} is more than the total {total:,.2f}.")
    planned = plan_installments(data.plan, total - deposit, today)
    client = find_or_add_client(session, data, now)
    writer = find_writer(session, data.writer) if data.writer else None
    bundle = ClassBundle(
        client_id=client.id,
        title=title,
        number_of_classes=data.number_of_classes,
        total_amount=total,
        deposit_amount=deposit,
        status=BundleStatus.NOT_STARTED,
        writer_id=writer.id if writer else None,
        start_date=data.start_date,
        created_at=now,
        updated_at=now,
    )
    session.add(bundle)
    session.flush()
    session.add_all(
        ClassInstallment(
            bundle_id=bundle.id, installment_number=part.number, amount=part.amount, due_date=part.due_date
        )
        for part in planned
    )
    session.flush()
    return bundle


def reprice(session: Session, state: BundleState, total: Decimal, deposit: Decimal) -> None:
    """New total and deposit; the balance they leave is spread over the unpaid installments."""
    bundle, payment = state.bundle, state.payment
    if deposit > total:
        raise InvalidInput(f"The deposit {format_money(deposit)} is more than the total {format_money(total)}.")
    if total < payment.amount_paid:
        raise Refused(
            f"The total {format_money(total)} is less than the {format_money(payment.amount_paid)} already paid."
        )
    if deposit < payment.deposit_paid:
        raise Refused(
            f"The deposit {format_money(deposit)} is less than the {format_money(payment.deposit_paid)} "
            "already paid toward it."
        )
    started = [(link, item) for link, item in state.installments if link.paid_amount > ZERO]
    unpaid = [item for link, item in state.installments if link.paid_amount == ZERO]
    left = total - deposit - sum((item.amount for _, item in started), ZERO)
    if state.installments:
        if left < ZERO or (unpaid and left < CENT * len(unpaid)) or (not unpaid and left != ZERO):
            raise Refused(
                f"The new price leaves {format_money(left)} for {len(unpaid)} unpaid installment(s); "
                "change the price, or the deposit, so each gets at least 0.01."
            )
        for item, amount in zip(unpaid, split_evenly(left, len(unpaid)) if unpaid else [], strict=True):
            item.amount = amount
    else:
        balance_paid = payment.amount_paid - payment.deposit_paid
        if total - deposit < balance_paid:
            raise Refused(
                f"The new price leaves a balance of {format_money(total - deposit)}, less than the "
                f"{format_money(balance_paid)} already paid toward it."
            )
    bundle.total_amount, bundle.deposit_amount = total, deposit
    session.flush()
