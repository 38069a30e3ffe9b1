"""Money: ``Decimal`` with two places in Python, integer cents at rest.

Every amount that enters the system goes through :func:`parse_amount` (typed text) or
:func:`to_money` (values from code), so a float or a third decimal never gets in.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from classpay_tui.domain.errors import InvalidInput

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("1000000000.00")

# "1200", "1,200.5", "$1,200.50", " 12.3 ": digits with optional thousands commas.
_AMOUNT_TEXT = re.compile(r"^\$?\s*(?P<number>([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]*)?|\.[0-9]+)$", re.ASCII)


def to_money(value: Decimal | int | str) -> Decimal:
    """An exact amount with two places; refuses floats and fractions of a cent."""
    if isinstance(value, float):
        raise TypeError("money must never be a float")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise InvalidInput(f"{value!r} is not an amount.") from None
    if not amount.is_finite():
        raise InvalidInput("An amount must be a finite number.")
    try:
        quantized = amount.quantize(CENT)
    except InvalidOperation:
        raise InvalidInput(f"{amount} is too large to be an amount.") from None
    if quantized != amount:
        raise InvalidInput(f"{amount} has more than two decimal places.")
    return quantized


def parse_amount(text: str, *, allow_zero: bool = False, what: str = "Amount") -> Decimal:
    """Parse an amount a person typed; the error says exactly what is wrong."""
    cleaned = (text or "").strip()
    if not cleaned:
        raise InvalidInput(f"{what} is empty; type a number such as 200 or 1,200.50.")
    if cleaned.startswith("-") or cleaned.startswith("$-"):
        raise InvalidInput(f"{what} cannot be negative.")
    lowered = cleaned.lower().lstrip("+")
    if lowered in {"nan", "snan", "inf", "infinity"}:
        raise InvalidInput(f"{what} must be a number, not {cleaned}.")
    match = _AMOUNT_TEXT.match(cleaned)
    if not match:
        raise InvalidInput(f"{what} {cleaned!r} is not a number; type something like 200 or 1,200.50.")
    number = match.group("number").replace(",", "")
    if "." in number and len(number.split(".", 1)[1]) > 2:
        raise InvalidInput(f"{what} {cleaned} has more than two decimal places.")
    amount = Decimal(number)
    if amount > MAX_AMOUNT:
        raise InvalidInput(f"{what} {cleaned} is over the limit of {format_money(MAX_AMOUNT)}.")
    amount = amount.quantize(CENT)
    if amount == ZERO and not allow_zero:
        raise InvalidInput(f"{what} must be more than 0.00.")
    return amount


def check_amount(amount: Decimal, *, allow_zero: bool = False, what: str = "Amount") -> Decimal:
    """Validate an amount given by code (service inputs) with the same rules as typed text."""
    amount = to_money(amount)
    if amount < ZERO:
        raise InvalidInput(f"{what} cannot be negative.")
    if amount == ZERO and not allow_zero:
        raise InvalidInput(f"{what} must be more than 0.00.")
    if amount > MAX_AMOUNT:
        raise InvalidInput(f"{what} {format_money(amount)} is over the limit of {format_money(MAX_AMOUNT)}.")
    return amount


def to_cents(amount: Decimal) -> int:
    return int(to_money(amount) * 100)


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def format_money(amount: Decimal) -> str:
    """``1234.5`` → ``"1,234.50"`` for people; JSON uses :func:`money_str`."""
    return f"{amount:,.2f}"


def money_str(amount: Decimal) -> str:
    """``Decimal('40')`` → ``"40.00"``: the seed's JSON format."""
    return f"{to_money(amount):.2f}"


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """``percent`` % of ``amount``, rounded half up to the cent."""
    return (amount * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def progress(paid: Decimal, total: Decimal) -> Decimal:
    """Paid as a percentage of total with one decimal (``40.0``); 0.0 for a zero total."""
    if total <= 0:
        return Decimal("0.0")
    return (paid * 100 / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
