"""The bundle's summary numbers and statuses, and what the writer earns and when."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from classpay_tui.domain.allocation import BundleDebt, Slot, SlotKind
from classpay_tui.domain.compensation import (
    DEFAULT_RULE,
    CompensationRule,
    RuleKind,
    compensation_for,
    next_payout_day,
    parse_weekday,
    writer_payment_status,
)
from classpay_tui.domain.errors import InvalidInput
from classpay_tui.domain.statuses import ClientPaymentStatus, WriterPaymentStatus
from classpay_tui.domain.summary import client_summary


def D(text: str) -> Decimal:
    return Decimal(text)


ZERO = D("0.00")


def seed_debt(deposit_paid: str, *installments_paid: str) -> BundleDebt:
    """Total 1000.00: deposit 200.00 and four installments of 200.00."""
    paid = list(installments_paid) + ["0.00"] * (4 - len(installments_paid))
    return BundleDebt(
        1,
        (
            Slot(SlotKind.DEPOSIT, D("200.00"), D(deposit_paid)),
            *(
                Slot(SlotKind.INSTALLMENT, D("200.00"), D(paid[n - 1]), number=n, due_date=date(2024, n, 15))
                for n in range(1, 5)
            ),
        ),
    )


# ---- client_summary ----------------------------------------------------------------------


def test_the_seed_example_comes_out_exactly() -> None:
    summary = client_summary(seed_debt("200.00", "200.00"), refunded=ZERO, cancelled=False)
    assert summary.deposit_paid == D("200.00")
    assert summary.amount_paid == D("400.00")
    assert summary.balance_remaining == D("600.00")
    assert str(summary.balance_remaining) == "600.00"
    assert summary.payment_progress == D("40.0")
    assert str(summary.payment_progress) == "40.0"
    assert summary.client_payment_status is ClientPaymentStatus.PARTIAL
    assert summary.client_payment_status == "partial"
    assert summary.total_installments == 4
    assert summary.paid_installments == 1


def test_pending_when_nothing_is_paid() -> None:
    summary = client_summary(seed_debt("0.00"), refunded=ZERO, cancelled=False)
    assert summary.client_payment_status is ClientPaymentStatus.PENDING
    assert summary.amount_paid == ZERO
    assert summary.deposit_paid == ZERO
    assert summary.balance_remaining == D("1000.00")
    assert str(summary.payment_progress) == "0.0"
    assert summary.paid_installments == 0


def test_partly_paid_installment_is_not_counted_as_paid() -> None:
    summary = client_summary(seed_debt("200.00", "200.00", "199.99"), refunded=ZERO, cancelled=False)
    assert summary.paid_installments == 1
    assert summary.balance_remaining == D("400.01")
    assert summary.payment_progress == D("60.0")  # 59.999 rounds to one decimal
    assert summary.client_payment_status is ClientPaymentStatus.PARTIAL


def test_deposit_only_is_partial() -> None:
    summary = client_summary(seed_debt("200.00"), refunded=ZERO, cancelled=False)
    assert summary.client_payment_status is ClientPaymentStatus.PARTIAL
    assert summary.deposit_paid == D("200.00")
    assert summary.payment_progress == D("20.0")


def test_paid_when_the_balance_is_zero() -> None:
    summary = client_summary(seed_debt("200.00", *["200.00"] * 4), refunded=ZERO, cancelled=False)
    assert summary.client_payment_status is ClientPaymentStatus.PAID
    assert summary.balance_remaining == ZERO
    assert str(summary.payment_progress) == "100.0"
    assert summary.paid_installments == 4


def test_paid_again_after_a_refund_that_was_paid_back() -> None:
    summary = client_summary(seed_debt("200.00", *["200.00"] * 4), refunded=D("200.00"), cancelled=False)
    assert summary.client_payment_status is ClientPaymentStatus.PAID


def test_refunded_when_everything_paid_was_returned() -> None:
    summary = client_summary(seed_debt("0.00"), refunded=D("400.00"), cancelled=False)
    assert summary.client_payment_status is ClientPaymentStatus.REFUNDED
    assert summary.amount_paid == ZERO
    assert summary.balance_remaining == D("1000.00")


def test_a_partial_refund_follows_the_net_amount_paid() -> None:
    summary = client_summary(seed_debt("200.00", "100.00"), refunded=D("100.00"), cancelled=False)
    assert summary.client_payment_status is ClientPaymentStatus.PARTIAL
    assert summary.amount_paid == D("300.00")


def test_cancelled_wins_over_every_other_status() -> None:
    for debt in (seed_debt("0.00"), seed_debt("200.00", "200.00"), seed_debt("200.00", *["200.00"] * 4)):
        summary = client_summary(debt, refunded=ZERO, cancelled=True)
        assert summary.client_payment_status is ClientPaymentStatus.CANCELLED
    # The numbers stay true to the ledger even when cancelled.
    assert client_summary(seed_debt("200.00", "200.00"), refunded=ZERO, cancelled=True).amount_paid == D("400.00")


def test_bundle_without_installments() -> None:
    debt = BundleDebt(
        2, (Slot(SlotKind.DEPOSIT, D("100.00"), D("100.00")), Slot(SlotKind.BALANCE, D("400.00"), D("50.00")))
    )
    summary = client_summary(debt, refunded=ZERO, cancelled=False)
    assert summary.total_installments == 0
    assert summary.paid_installments == 0
    assert summary.amount_paid == D("150.00")
    assert summary.balance_remaining == D("350.00")
    assert summary.payment_progress == D("30.0")


# ---- compensation ------------------------------------------------------------------------


def test_default_rule_is_sixty_percent_of_the_total() -> None:
    assert compensation_for(D("1000.00"), 10, bundle_override=None, writer_rule=None) == D("600.00")
    assert DEFAULT_RULE.kind is RuleKind.PERCENT and DEFAULT_RULE.value == D("60")


def test_the_writers_rule_wins_over_the_default() -> None:
    rule = CompensationRule.percent(D("50"))
    assert compensation_for(D("1000.00"), 10, bundle_override=None, writer_rule=rule) == D("500.00")


def test_a_bundle_override_wins_over_the_writers_rule() -> None:
    rule = CompensationRule.percent(D("50"))
    amount = compensation_for(D("1000.00"), 10, bundle_override=D("725.5"), writer_rule=rule)
    assert amount == D("725.50")
    assert str(amount) == "725.50"


def test_a_zero_bundle_override_still_wins() -> None:
    rule = CompensationRule.per_class(D("45.00"))
    assert compensation_for(D("1000.00"), 10, bundle_override=D("0"), writer_rule=rule) == ZERO


def test_the_database_default_can_be_changed() -> None:
    default = CompensationRule.percent(D("55"))
    assert compensation_for(D("1000.00"), 10, bundle_override=None, writer_rule=None, default_rule=default) == D(
        "550.00"
    )


def test_per_class_rule_multiplies_by_the_number_of_classes() -> None:
    rule = CompensationRule.per_class(D("45.00"))
    assert rule.kind is RuleKind.PER_CLASS
    assert compensation_for(D("1000.00"), 10, bundle_override=None, writer_rule=rule) == D("450.00")
    assert str(rule.amount_for(D("1000.00"), 3)) == "135.00"


def test_percent_rule_rounds_half_up_to_the_cent() -> None:
    rule = CompensationRule.percent(D("33.33"))
    # 33.33% of 100.05 = 33.346665 → 33.35
    assert rule.amount_for(D("100.05"), 1) == D("33.35")
    # 50% of 0.25 = 0.125 → 0.13 (half up, not half even)
    assert CompensationRule.percent(D("50")).amount_for(D("0.25"), 1) == D("0.13")


@pytest.mark.parametrize("good", ["0", "100", "62.5", "33.33"])
def test_percent_rule_accepts_zero_to_a_hundred_with_two_decimals(good: str) -> None:
    assert CompensationRule.percent(D(good)).value == D(good)


@pytest.mark.parametrize("bad", ["-0.01", "-5", "100.01", "150"])
def test_percent_rule_refuses_out_of_range(bad: str) -> None:
    with pytest.raises(InvalidInput, match=rf"between 0 and 100, not {bad}"):
        CompensationRule.percent(D(bad))


def test_percent_rule_refuses_three_decimals() -> None:
    with pytest.raises(InvalidInput, match=r"at most two decimals, not 33\.333"):
        CompensationRule.percent(D("33.333"))


@pytest.mark.parametrize("bad", ["NaN", "Infinity"])
def test_percent_rule_refuses_non_numbers(bad: str) -> None:
    with pytest.raises(InvalidInput, match="between 0 and 100"):
        CompensationRule.percent(D(bad))


def test_per_class_rule_refuses_negative_and_third_decimal() -> None:
    with pytest.raises(InvalidInput, match="rate per class cannot be negative"):
        CompensationRule.per_class(D("-1.00"))
    with pytest.raises(InvalidInput, match="more than two decimal places"):
        CompensationRule.per_class(D("1.005"))
    assert CompensationRule.per_class(D("0")).value == ZERO


def test_rule_descriptions() -> None:
    assert CompensationRule.percent(D("60")).describe() == "60% of the total"
    assert CompensationRule.percent(D("62.50")).describe() == "62.5% of the total"
    assert CompensationRule.per_class(D("45")).describe() == "45.00 per class"


# ---- writer payment status ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("paid", "scheduled", "any_cancelled", "expected"),
    [
        ("0.00", "0.00", False, WriterPaymentStatus.PENDING),
        ("0.00", "600.00", False, WriterPaymentStatus.SCHEDULED),
        ("0.00", "200.00", True, WriterPaymentStatus.SCHEDULED),
        ("200.00", "400.00", False, WriterPaymentStatus.PARTIAL),
        ("200.00", "0.00", False, WriterPaymentStatus.PARTIAL),
        ("599.99", "0.00", True, WriterPaymentStatus.PARTIAL),
        ("600.00", "0.00", False, WriterPaymentStatus.PAID),
        ("600.00", "0.00", True, WriterPaymentStatus.PAID),
        ("0.00", "0.00", True, WriterPaymentStatus.CANCELLED),
    ],
)
def test_writer_payment_status(paid: str, scheduled: str, any_cancelled: bool, expected: WriterPaymentStatus) -> None:
    assert writer_payment_status(D("600.00"), D(paid), D(scheduled), any_cancelled=any_cancelled) is expected


def test_writer_with_no_compensation_is_pending_not_paid() -> None:
    assert writer_payment_status(ZERO, ZERO, ZERO, any_cancelled=False) is WriterPaymentStatus.PENDING


# ---- payout day --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "index"),
    [("Friday", 4), ("fri", 4), ("FRI", 4), (" friday ", 4), ("Monday", 0), ("mon", 0), ("sun", 6), ("Saturday", 5)],
)
def test_parse_weekday(name: str, index: int) -> None:
    assert parse_weekday(name) == index


@pytest.mark.parametrize("bad", ["funday", "fr", "", "frid", "5"])
def test_parse_weekday_refuses_what_is_not_a_weekday(bad: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_weekday(bad)
    message = str(caught.value)
    assert f"{bad!r} is not a weekday" in message
    assert "friday" in message and "monday" in message


def test_next_payout_day_on_a_thursday_is_the_next_friday() -> None:
    thursday = date(2026, 11, 26)
    assert thursday.weekday() == 3
    assert next_payout_day(thursday, parse_weekday("friday")) == date(2026, 11, 27)


def test_next_payout_day_on_payday_is_the_same_day() -> None:
    friday = date(2026, 11, 27)
    assert next_payout_day(friday, parse_weekday("friday")) == friday


def test_next_payout_day_on_a_saturday_is_six_days_later() -> None:
    assert next_payout_day(date(2026, 11, 28), parse_weekday("friday")) == date(2026, 12, 4)


@pytest.mark.parametrize("weekday", range(7))
def test_next_payout_day_is_on_or_after_today_for_every_weekday(weekday: int) -> None:
    monday = date(2026, 11, 23)
    for offset in range(7):
        today = monday + timedelta(days=offset)
        payout = next_payout_day(today, weekday)
        assert payout.weekday() == weekday
        assert today <= payout < today + timedelta(days=7)
        assert (payout == today) == (today.weekday() == weekday)


def test_next_payout_day_crosses_the_year() -> None:
    # 2026-12-30 is a Wednesday; Monday payouts fall in the new year.
    assert next_payout_day(date(2026, 12, 30), parse_weekday("monday")) == date(2027, 1, 4)
