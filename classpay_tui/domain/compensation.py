"""What a writer earns for a bundle, and where their payouts stand."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from classpay_tui.domain.errors import InvalidInput
from classpay_tui.domain.money import ZERO, check_amount, percent_of, to_money
from classpay_tui.domain.statuses import WriterPaymentStatus

DEFAULT_PERCENT = Decimal("60")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class RuleKind(enum.StrEnum):
    PERCENT = "percent"
    PER_CLASS = "per_class"


@dataclass(frozen=True)
class CompensationRule:
    """A percentage of the bundle total, or a rate per class."""

    kind: RuleKind
    value: Decimal

    @classmethod
    def percent(cls, percent: Decimal) -> CompensationRule:
        percent = Decimal(percent)
        if not percent.is_finite() or percent < 0 or percent > 100:
            raise InvalidInput(f"A compensation percentage must be between 0 and 100, not {percent}.")
        if percent != percent.quantize(Decimal("0.01")):
            raise InvalidInput(f"A compensation percentage has at most two decimals, not {percent}.")
        return cls(RuleKind.PERCENT, percent.quantize(Decimal("0.01")))

    @classmethod
    def per_class(cls, rate: Decimal) -> CompensationRule:
        return cls(RuleKind.PER_CLASS, check_amount(rate, allow_zero=True, what="The rate per class"))

    def amount_for(self, total: Decimal, number_of_classes: int) -> Decimal:
        if self.kind is RuleKind.PERCENT:
            return percent_of(total, self.value)
        return to_money(self.value * number_of_classes)

    def describe(self) -> str:
        if self.kind is RuleKind.PERCENT:
            return f"{self.value.normalize():f}% of the total"
        return f"{self.value:.2f} per class"


DEFAULT_RULE = CompensationRule(RuleKind.PERCENT, DEFAULT_PERCENT)


def compensation_for(
    total: Decimal,
    number_of_classes: int,
    *,
    bundle_override: Decimal | None,
    writer_rule: CompensationRule | None,
    default_rule: CompensationRule = DEFAULT_RULE,
) -> Decimal:
    """The first rule that applies: an amount set on the bundle, the writer's rule, the default."""
    if bundle_override is not None:
        return to_money(bundle_override)
    rule = writer_rule or default_rule
    return rule.amount_for(total, number_of_classes)


def writer_payment_status(
    compensation: Decimal, paid: Decimal, scheduled: Decimal, *, any_cancelled: bool
) -> WriterPaymentStatus:
    """``scheduled`` counts payouts not yet paid; ``any_cancelled`` if a payout was cancelled."""
    if compensation > ZERO and paid >= compensation:
        return WriterPaymentStatus.PAID
    if paid > ZERO:
        return WriterPaymentStatus.PARTIAL
    if scheduled > ZERO:
        return WriterPaymentStatus.SCHEDULED
    if any_cancelled:
        return WriterPaymentStatus.CANCELLED
    return WriterPaymentStatus.PENDING


def parse_weekday(name: str) -> int:
    cleaned = name.strip().lower()
    for index, weekday in enumerate(WEEKDAYS):
        if cleaned in (weekday, weekday[:3]):
            return index
    raise InvalidInput(f"{name!r} is not a weekday; use one of {', '.join(WEEKDAYS)}.")


def next_payout_day(today: date, weekday: int) -> date:
    """The next payout day on or after ``today`` (a payment on payday is paid out that day's run)."""
    return today + timedelta(days=(weekday - today.weekday()) % 7)
