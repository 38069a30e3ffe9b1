"""Money: typed amounts, exact Decimals with two places, cents at rest."""

from __future__ import annotations

from decimal import Decimal

import pytest

from classpay_tui.domain.errors import InvalidInput
from classpay_tui.domain.money import (
    MAX_AMOUNT,
    check_amount,
    format_money,
    from_cents,
    money_str,
    parse_amount,
    percent_of,
    progress,
    to_cents,
    to_money,
)


def _is_one_sentence(message: str) -> bool:
    """One sentence: ends with a full stop, and no sentence break ('. ' + capital) inside."""
    if not message.endswith("."):
        return False
    body = message[:-1]
    return not any(body[i] in ".;!?" and body[i + 1] == " " and body[i + 2].isupper() for i in range(len(body) - 2))


# ---- parse_amount: accepted ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1200", "1200.00"),
        ("1,200.5", "1200.50"),
        ("$1,200.50", "1200.50"),
        (" 12.3 ", "12.30"),
        ("0.01", "0.01"),
        ("1,000,000", "1000000.00"),
        ("1000000000.00", "1000000000.00"),
        ("1,000,000,000", "1000000000.00"),
    ],
)
def test_parse_amount_accepts_typed_amounts(text: str, expected: str) -> None:
    amount = parse_amount(text)
    assert amount == Decimal(expected)
    # Always exactly two places, so it prints and stores as money.
    assert amount.as_tuple().exponent == -2
    assert str(amount) == expected


def test_parse_amount_zero_only_when_allowed() -> None:
    with pytest.raises(InvalidInput, match=r"must be more than 0\.00"):
        parse_amount("0")
    assert parse_amount("0", allow_zero=True) == Decimal("0.00")


def test_parse_amount_names_the_field_in_its_message() -> None:
    with pytest.raises(InvalidInput, match=r"^The deposit cannot be negative\.$"):
        parse_amount("-5", what="The deposit")


# ---- parse_amount: refused, with one sentence that says why -----------------------


@pytest.mark.parametrize(
    ("text", "key_words"),
    [
        ("-5", ["cannot be negative"]),
        ("-0.01", ["cannot be negative"]),
        ("$-5", ["cannot be negative"]),
        ("12.345", ["more than two decimal places"]),
        ("1,200.501", ["more than two decimal places"]),
        ("NaN", ["must be a number", "NaN"]),
        ("nan", ["must be a number", "nan"]),
        ("inf", ["must be a number", "inf"]),
        ("Infinity", ["must be a number", "Infinity"]),
        ("", ["empty"]),
        ("   ", ["empty"]),
        ("abc", ["'abc'", "is not a number"]),
        ("1,20", ["'1,20'", "is not a number"]),
        ("12,34,567", ["is not a number"]),
        ("1e5", ["is not a number"]),
        ("1,000,000,000.01", ["over the limit", "1,000,000,000.00"]),
        ("2000000000", ["over the limit", "1,000,000,000.00"]),
    ],
)
def test_parse_amount_refuses_with_one_sentence_saying_why(text: str, key_words: list[str]) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_amount(text)
    message = str(caught.value)
    for word in key_words:
        assert word in message, f"{word!r} missing from {message!r}"
    assert message.startswith("Amount")
    assert _is_one_sentence(message), message


@pytest.mark.parametrize("digits", [27, 40, 200])
def test_parse_amount_refuses_absurdly_long_numbers_as_invalid_input(digits: int) -> None:
    # A paste of a huge number must be a refusal that says why, not a decimal crash.
    with pytest.raises(InvalidInput, match="over the limit"):
        parse_amount("9" * digits)


# ---- to_money ------------------------------------------------------------------------


def test_to_money_refuses_floats() -> None:
    with pytest.raises(TypeError, match="float"):
        to_money(12.5)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [Decimal("1.001"), "0.005", Decimal("12.345")])
def test_to_money_refuses_a_third_decimal(value: Decimal | str) -> None:
    with pytest.raises(InvalidInput, match="more than two decimal places"):
        to_money(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(Decimal("12.3"), "12.30"), (5, "5.00"), ("7.10", "7.10"), (Decimal("1.230"), "1.23"), (Decimal("-4"), "-4.00")],
)
def test_to_money_gives_two_places(value: Decimal | int | str, expected: str) -> None:
    assert str(to_money(value)) == expected


@pytest.mark.parametrize("value", ["abc", Decimal("NaN"), Decimal("Infinity")])
def test_to_money_refuses_non_numbers(value: Decimal | str) -> None:
    with pytest.raises(InvalidInput):
        to_money(value)


def test_to_money_refuses_absurd_sizes_as_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="too large"):
        to_money(Decimal("1E+30"))
    with pytest.raises(InvalidInput, match="too large"):
        to_money(10**40)


def test_check_amount_applies_the_typed_rules_to_code_values() -> None:
    assert check_amount(Decimal("10")) == Decimal("10.00")
    with pytest.raises(InvalidInput, match="cannot be negative"):
        check_amount(Decimal("-1"))
    with pytest.raises(InvalidInput, match=r"more than 0\.00"):
        check_amount(Decimal("0"))
    assert check_amount(Decimal("0"), allow_zero=True) == Decimal("0.00")
    with pytest.raises(InvalidInput, match="over the limit"):
        check_amount(MAX_AMOUNT + Decimal("0.01"))
    assert check_amount(MAX_AMOUNT) == MAX_AMOUNT


# ---- cents ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "cents"),
    [("0.00", 0), ("0.01", 1), ("1.10", 110), ("266.67", 26667), ("1000000000.00", 100000000000), ("-3.05", -305)],
)
def test_cents_round_trip(amount: str, cents: int) -> None:
    assert to_cents(Decimal(amount)) == cents
    assert isinstance(to_cents(Decimal(amount)), int)
    back = from_cents(cents)
    assert back == Decimal(amount)
    assert str(back) == amount


def test_to_cents_refuses_fractions_of_a_cent() -> None:
    with pytest.raises(InvalidInput):
        to_cents(Decimal("1.005"))


# ---- formatting ------------------------------------------------------------------------


def test_format_and_json_strings() -> None:
    assert format_money(Decimal("1234.5")) == "1,234.50"
    assert money_str(Decimal("40")) == "40.00"
    assert money_str(Decimal("1234.5")) == "1234.50"


# ---- percent_of and progress ----------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "percent", "expected"),
    [
        ("1000.00", "60", "600.00"),
        ("0.05", "50", "0.03"),  # 0.025 rounds half up
        ("0.15", "50", "0.08"),  # 0.075 rounds half up (not to even)
        ("0.25", "50", "0.13"),  # 0.125 rounds half up (banker's would give 0.12)
        ("10.01", "33.33", "3.34"),  # 3.336333 → 3.34
        ("10.00", "33.33", "3.33"),  # 3.333 → 3.33
        ("99.99", "0", "0.00"),
        ("99.99", "100", "99.99"),
    ],
)
def test_percent_of_rounds_half_up_to_the_cent(amount: str, percent: str, expected: str) -> None:
    result = percent_of(Decimal(amount), Decimal(percent))
    assert result == Decimal(expected)
    assert str(result) == expected


@pytest.mark.parametrize(
    ("paid", "total", "expected"),
    [
        ("400.00", "1000.00", "40.0"),
        ("0.00", "1000.00", "0.0"),
        ("1000.00", "1000.00", "100.0"),
        ("1.00", "3.00", "33.3"),
        ("2.00", "3.00", "66.7"),
        ("1.00", "8.00", "12.5"),  # 12.5 exactly
        ("1.00", "16.00", "6.3"),  # 6.25 rounds half up
        ("5.00", "0.00", "0.0"),  # no total: no progress, no division by zero
    ],
)
def test_progress_has_one_decimal(paid: str, total: str, expected: str) -> None:
    result = progress(Decimal(paid), Decimal(total))
    assert result == Decimal(expected)
    assert str(result) == expected
