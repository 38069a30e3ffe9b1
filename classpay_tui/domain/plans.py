"""Installment plans: how a bundle's balance is split and when each part is due."""

from __future__ import annotations

import calendar
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from classpay_tui.domain.errors import InvalidInput
from classpay_tui.domain.money import CENT, ZERO, format_money, to_money

MAX_INSTALLMENTS = 120


class Frequency(enum.StrEnum):
    WEEK = "week"
    TWO_WEEKS = "2weeks"
    MONTH = "month"


@dataclass(frozen=True)
class PlannedInstallment:
    number: int
    amount: Decimal
    due_date: date


def split_evenly(balance: Decimal, count: int) -> list[Decimal]:
    """Equal parts to the cent; the remainder cents go to the earliest parts.

    800.00 / 3 → 266.67, 266.67, 266.66.
    """
    if count < 1:
        raise InvalidInput("An installment plan needs at least one installment.")
    cents = int(to_money(balance) / CENT)
    base, remainder = divmod(cents, count)
    return [Decimal(base + (1 if index < remainder else 0)) * CENT for index in range(count)]


def add_months(start: date, months: int) -> date:
    """Same day ``months`` later; a month-end start stays at month end (Jan 31 → Feb 28 → Mar 31)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    start_is_month_end = start.day == calendar.monthrange(start.year, start.month)[1]
    day = last_day if start_is_month_end else min(start.day, last_day)
    return date(year, month, day)


def due_dates(first_due: date, count: int, every: Frequency) -> list[date]:
    if every is Frequency.WEEK:
        return [first_due + timedelta(weeks=index) for index in range(count)]
    if every is Frequency.TWO_WEEKS:
        return [first_due + timedelta(weeks=2 * index) for index in range(count)]
    return [add_months(first_due, index) for index in range(count)]


def even_plan(balance: Decimal, count: int, first_due: date, every: Frequency) -> list[PlannedInstallment]:
    if count > MAX_INSTALLMENTS:
        raise InvalidInput(f"A plan can have at most {MAX_INSTALLMENTS} installments, not {count}.")
    if to_money(balance) == ZERO:
        raise InvalidInput("There is no balance to split into installments: the deposit covers the total.")
    if count >= 1 and to_money(balance) < CENT * count:
        raise InvalidInput(
            f"A balance of {format_money(balance)} cannot be split into {count} installments of at least 0.01."
        )
    amounts = split_evenly(balance, count)
    return [
        PlannedInstallment(number, amount, due)
        for number, (amount, due) in enumerate(zip(amounts, due_dates(first_due, count, every), strict=True), 1)
    ]


def custom_plan(balance: Decimal, parts: Sequence[tuple[date, Decimal]]) -> list[PlannedInstallment]:
    """A schedule typed in by hand: it must add up exactly to the balance, dates in order."""
    if not parts:
        raise InvalidInput("A custom schedule needs at least one installment.")
    if len(parts) > MAX_INSTALLMENTS:
        raise InvalidInput(f"A plan can have at most {MAX_INSTALLMENTS} installments, not {len(parts)}.")
    ordered = sorted(parts, key=lambda part: part[0])
    for due, amount in ordered:
        if to_money(amount) <= ZERO:
            raise InvalidInput(f"The installment due {due.isoformat()} must be more than 0.00.")
    planned_total = sum((amount for _, amount in ordered), ZERO)
    if planned_total != to_money(balance):
        difference = planned_total - balance
        side = "over" if difference > 0 else "short of"
        raise InvalidInput(
            f"The schedule adds up to {format_money(planned_total)}, {format_money(abs(difference))} "
            f"{side} the balance of {format_money(balance)}."
        )
    return [PlannedInstallment(number, to_money(amount), due) for number, (due, amount) in enumerate(ordered, 1)]
