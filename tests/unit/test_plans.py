"""Installment plans: even splits to the cent, due dates, custom schedules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from classpay_tui.domain.errors import InvalidInput
from classpay_tui.domain.plans import (
    MAX_INSTALLMENTS,
    Frequency,
    PlannedInstallment,
    add_months,
    custom_plan,
    due_dates,
    even_plan,
    split_evenly,
)


def D(text: str) -> Decimal:
    return Decimal(text)


# ---- split_evenly ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("balance", "count", "expected"),
    [
        ("800.00", 3, ["266.67", "266.67", "266.66"]),
        ("1000.00", 3, ["333.34", "333.33", "333.33"]),
        ("800.00", 4, ["200.00", "200.00", "200.00", "200.00"]),
        ("100.00", 1, ["100.00"]),
        ("0.03", 3, ["0.01", "0.01", "0.01"]),
        ("0.05", 3, ["0.02", "0.02", "0.01"]),
        ("10.00", 7, ["1.43", "1.43", "1.43", "1.43", "1.43", "1.43", "1.42"]),
        ("10.01", 3, ["3.34", "3.34", "3.33"]),
    ],
)
def test_split_evenly_gives_remainder_cents_to_the_earliest_parts(
    balance: str, count: int, expected: list[str]
) -> None:
    parts = split_evenly(D(balance), count)
    assert [str(part) for part in parts] == expected
    assert sum(parts, D("0.00")) == D(balance)


def test_split_evenly_needs_at_least_one_part() -> None:
    with pytest.raises(InvalidInput, match="at least one installment"):
        split_evenly(D("100.00"), 0)


def test_split_evenly_refuses_fractions_of_a_cent() -> None:
    with pytest.raises(InvalidInput, match="more than two decimal places"):
        split_evenly(D("100.005"), 2)


# ---- even_plan -------------------------------------------------------------------------


def test_even_plan_for_the_seed_example() -> None:
    plan = even_plan(D("800.00"), 4, date(2024, 1, 15), Frequency.MONTH)
    assert plan == [
        PlannedInstallment(1, D("200.00"), date(2024, 1, 15)),
        PlannedInstallment(2, D("200.00"), date(2024, 2, 15)),
        PlannedInstallment(3, D("200.00"), date(2024, 3, 15)),
        PlannedInstallment(4, D("200.00"), date(2024, 4, 15)),
    ]


def test_even_plan_numbers_from_one_with_remainder_first() -> None:
    plan = even_plan(D("800.00"), 3, date(2024, 3, 1), Frequency.WEEK)
    assert [(p.number, str(p.amount), p.due_date) for p in plan] == [
        (1, "266.67", date(2024, 3, 1)),
        (2, "266.67", date(2024, 3, 8)),
        (3, "266.66", date(2024, 3, 15)),
    ]


@pytest.mark.parametrize(("balance", "count"), [("0.02", 3), ("0.01", 2), ("0.59", 60), ("1.19", 120)])
def test_even_plan_refuses_a_balance_smaller_than_one_cent_per_installment(balance: str, count: int) -> None:
    # A zero installment cannot be stored (the database refuses amounts of 0).
    with pytest.raises(InvalidInput) as caught:
        even_plan(D(balance), count, date(2024, 1, 1), Frequency.MONTH)
    message = str(caught.value)
    assert balance in message
    assert f"{count} installments" in message
    assert "at least 0.01" in message


def test_even_plan_accepts_exactly_one_cent_per_installment() -> None:
    plan = even_plan(D("0.03"), 3, date(2024, 1, 1), Frequency.WEEK)
    assert [p.amount for p in plan] == [D("0.01")] * 3


def test_even_plan_refuses_a_zero_balance() -> None:
    with pytest.raises(InvalidInput, match="no balance to split"):
        even_plan(D("0.00"), 3, date(2024, 1, 1), Frequency.MONTH)


def test_even_plan_enforces_max_installments() -> None:
    plan = even_plan(D("1200.00"), MAX_INSTALLMENTS, date(2024, 1, 1), Frequency.WEEK)
    assert len(plan) == MAX_INSTALLMENTS
    with pytest.raises(InvalidInput, match=rf"at most {MAX_INSTALLMENTS} installments, not {MAX_INSTALLMENTS + 1}"):
        even_plan(D("1210.00"), MAX_INSTALLMENTS + 1, date(2024, 1, 1), Frequency.WEEK)


# ---- due dates -------------------------------------------------------------------------


def test_weekly_due_dates() -> None:
    assert due_dates(date(2024, 2, 22), 4, Frequency.WEEK) == [
        date(2024, 2, 22),
        date(2024, 2, 29),
        date(2024, 3, 7),
        date(2024, 3, 14),
    ]


def test_two_weekly_due_dates() -> None:
    assert due_dates(date(2024, 12, 18), 3, Frequency.TWO_WEEKS) == [
        date(2024, 12, 18),
        date(2025, 1, 1),
        date(2025, 1, 15),
    ]


def test_monthly_due_dates_keep_the_day() -> None:
    assert due_dates(date(2024, 1, 15), 4, Frequency.MONTH) == [
        date(2024, 1, 15),
        date(2024, 2, 15),
        date(2024, 3, 15),
        date(2024, 4, 15),
    ]


def test_a_month_end_start_stays_at_month_end() -> None:
    assert due_dates(date(2024, 1, 31), 4, Frequency.MONTH) == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
    ]


def test_a_month_end_start_in_a_common_year() -> None:
    assert due_dates(date(2023, 1, 31), 3, Frequency.MONTH) == [
        date(2023, 1, 31),
        date(2023, 2, 28),
        date(2023, 3, 31),
    ]


def test_a_start_on_the_30th_gives_feb_29_then_back_to_the_30th() -> None:
    assert due_dates(date(2024, 1, 30), 4, Frequency.MONTH) == [
        date(2024, 1, 30),
        date(2024, 2, 29),
        date(2024, 3, 30),
        date(2024, 4, 30),
    ]


def test_a_start_on_the_29th_in_a_common_year() -> None:
    assert due_dates(date(2023, 1, 29), 3, Frequency.MONTH) == [
        date(2023, 1, 29),
        date(2023, 2, 28),
        date(2023, 3, 29),
    ]


def test_monthly_due_dates_roll_over_the_year() -> None:
    assert due_dates(date(2024, 11, 15), 4, Frequency.MONTH) == [
        date(2024, 11, 15),
        date(2024, 12, 15),
        date(2025, 1, 15),
        date(2025, 2, 15),
    ]
    assert due_dates(date(2024, 12, 31), 3, Frequency.MONTH) == [
        date(2024, 12, 31),
        date(2025, 1, 31),
        date(2025, 2, 28),
    ]


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 1, 31), 13, date(2025, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 6, 15), 24, date(2026, 6, 15)),
        (date(2024, 3, 10), 0, date(2024, 3, 10)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_even_plan_due_dates_follow_the_frequency() -> None:
    plan = even_plan(D("300.00"), 3, date(2024, 1, 31), Frequency.MONTH)
    assert [p.due_date for p in plan] == [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31)]
    plan = even_plan(D("300.00"), 3, date(2024, 1, 31), Frequency.TWO_WEEKS)
    assert [p.due_date for p in plan] == [date(2024, 1, 31), date(2024, 2, 14), date(2024, 2, 28)]


# ---- custom_plan -----------------------------------------------------------------------


def test_custom_plan_that_adds_up_is_sorted_by_date_and_numbered() -> None:
    plan = custom_plan(
        D("800.00"),
        [
            (date(2024, 3, 1), D("300.00")),
            (date(2024, 1, 1), D("100")),
            (date(2024, 2, 1), D("400.00")),
        ],
    )
    assert plan == [
        PlannedInstallment(1, D("100.00"), date(2024, 1, 1)),
        PlannedInstallment(2, D("400.00"), date(2024, 2, 1)),
        PlannedInstallment(3, D("300.00"), date(2024, 3, 1)),
    ]
    assert str(plan[0].amount) == "100.00"


def test_custom_plan_short_of_the_balance_names_the_difference() -> None:
    with pytest.raises(InvalidInput) as caught:
        custom_plan(D("800.00"), [(date(2024, 1, 1), D("300.00")), (date(2024, 2, 1), D("400.00"))])
    message = str(caught.value)
    assert "adds up to 700.00" in message
    assert "100.00 short of the balance of 800.00" in message
    assert "over" not in message


def test_custom_plan_over_the_balance_names_the_difference() -> None:
    with pytest.raises(InvalidInput) as caught:
        custom_plan(D("800.00"), [(date(2024, 1, 1), D("400.00")), (date(2024, 2, 1), D("400.01"))])
    message = str(caught.value)
    assert "adds up to 800.01" in message
    assert "0.01 over the balance of 800.00" in message
    assert "short" not in message


@pytest.mark.parametrize("bad", ["0", "0.00", "-10.00"])
def test_custom_plan_refuses_zero_or_negative_parts(bad: str) -> None:
    with pytest.raises(InvalidInput, match=r"installment due 2024-02-01 must be more than 0\.00"):
        custom_plan(D("800.00"), [(date(2024, 1, 1), D("800.00")), (date(2024, 2, 1), D(bad))])


def test_custom_plan_refuses_a_third_decimal() -> None:
    with pytest.raises(InvalidInput, match="more than two decimal places"):
        custom_plan(D("800.00"), [(date(2024, 1, 1), D("399.995")), (date(2024, 2, 1), D("400.005"))])


def test_custom_plan_refuses_an_empty_schedule() -> None:
    with pytest.raises(InvalidInput, match="at least one installment"):
        custom_plan(D("800.00"), [])


def test_custom_plan_enforces_max_installments() -> None:
    days = [date.fromordinal(date(2024, 1, 1).toordinal() + index) for index in range(MAX_INSTALLMENTS + 1)]
    allowed = [(day, D("1.00")) for day in days[:MAX_INSTALLMENTS]]
    assert len(custom_plan(D(f"{MAX_INSTALLMENTS}.00"), allowed)) == MAX_INSTALLMENTS
    too_many = [(day, D("1.00")) for day in days]
    with pytest.raises(InvalidInput, match=rf"at most {MAX_INSTALLMENTS} installments, not {MAX_INSTALLMENTS + 1}"):
        custom_plan(D(f"{MAX_INSTALLMENTS + 1}.00"), too_many)
