"""Checking every imported row before anything is written: each bad row gives one
"where: why" line, and a file with any bad row imports nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any, NamedTuple

from classpay_tui.domain.errors import ClasspayError
from classpay_tui.domain.money import parse_amount
from classpay_tui.domain.statuses import BundleStatus, PaymentKind, PaymentMethod
from classpay_tui.services.importing.sources import SourceRow
from classpay_tui.services.text import clean_text


class BadRow(Exception):
    pass


class ClientRow(NamedTuple):
    where: str
    ref: str
    name: str
    email: str | None
    phone: str | None
    notes: str | None


class WriterRow(NamedTuple):
    where: str
    username: str
    name: str | None
    email: str | None
    percent: Decimal | None
    per_class: Decimal | None


class BundleRow(NamedTuple):
    where: str
    ref: str
    client_ref: str
    title: str
    classes: int
    total: Decimal
    deposit: Decimal
    status: BundleStatus
    writer: str | None
    start_date: date | None
    compensation: Decimal | None


class InstallmentRow(NamedTuple):
    where: str
    bundle: str  # a bundle ref, or "#<id>" for a bundle already in classpay
    number: int
    amount: Decimal
    due_date: date


class PaymentRow(NamedTuple):
    where: str
    bundle: str
    reference: str
    amount: Decimal
    kind: PaymentKind
    installment: int | None
    method: PaymentMethod
    received_on: date
    note: str | None


class BonusRow(NamedTuple):
    where: str
    ref: str
    writer: str
    bundle: str | None
    amount: Decimal
    granted_on: date
    is_paid: bool


def _need(values: dict[str, str], key: str) -> str:
    value = values.get(key, "")
    if not value:
        raise BadRow(f"{key} is missing")
    return value


def text_of(values: dict[str, str], key: str, limit: int, required: bool = False) -> str | None:
    value = values.get(key)
    if not value and not required:  # what clean_text gives an empty optional cell, sooner
        return None
    try:
        return clean_text(value, key, max_length=limit, required=required)
    except ClasspayError as error:
        raise BadRow(str(error).rstrip(".")) from None


# Import files repeat the same few amounts and dates on thousands of rows: each distinct
# text is parsed (and checked) once. Bad texts raise, and exceptions are not cached.
@lru_cache(maxsize=65536)
def _parsed_amount(text: str, allow_zero: bool, what: str) -> Decimal:
    return parse_amount(text, allow_zero=allow_zero, what=what)


@lru_cache(maxsize=65536)
def _parsed_date(text: str) -> date:
    return date.fromisoformat(text[:10])


def amount_of(values: dict[str, str], key: str, *, required: bool = True, allow_zero: bool = False) -> Decimal | None:
    text = values.get(key, "")
    if not text:
        if required:
            raise BadRow(f"{key} is missing")
        return None
    try:
        return _parsed_amount(text, allow_zero, key)
    except ClasspayError as error:
        raise BadRow(str(error).rstrip(".")) from None


def whole_number_of(
    values: dict[str, str], key: str, *, required: bool = True, low: int = 1, high: int = 10_000
) -> int | None:
    text = values.get(key, "")
    if not text:
        if required:
            raise BadRow(f"{key} is missing")
        return None
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:  # "²" is a digit to isdigit
        raise BadRow(f"{key} {text!r} is not a whole number from {low} to {high}")
    return int(text)


def date_of(values: dict[str, str], key: str, *, required: bool = True) -> date | None:
    text = values.get(key, "")
    if not text:
        if required:
            raise BadRow(f"{key} is missing")
        return None
    try:
        return _parsed_date(text)
    except ValueError:
        raise BadRow(f"{key} {text!r} is not a date like 2024-01-15") from None


@cache
def _members(enum: Any) -> dict[str, Any]:
    """Members by value: a dict lookup per row instead of ``enum(text)``, which costs far more."""
    return {member.value: member for member in enum}


def choice_of(values: dict[str, str], key: str, enum: Any, default: Any) -> Any:
    text = values.get(key, "").lower()
    if not text:
        return default
    member = _members(enum).get(text)
    if member is None:
        raise BadRow(f"{key} {text!r} is not one of {', '.join(m.value for m in enum)}")
    return member


def bundle_key_of(values: dict[str, str]) -> str:
    if values.get("bundle_id"):
        if not (values["bundle_id"].isascii() and values["bundle_id"].isdigit()):
            raise BadRow(f"bundle_id {values['bundle_id']!r} is not a number")
        return "#" + values["bundle_id"]
    return _need(values, "bundle_ref")


def client(v: dict[str, str], where: str) -> ClientRow:
    return ClientRow(
        where,
        _need(v, "ref"),
        text_of(v, "name", 200, True) or "",
        text_of(v, "email", 254),
        text_of(v, "phone", 50),
        text_of(v, "notes", 2000),
    )


def writer(v: dict[str, str], where: str) -> WriterRow:
    percent = v.get("percent", "")
    percent_value = None
    if percent:
        try:
            percent_value = Decimal(percent.rstrip("%"))
        except ArithmeticError:
            raise BadRow(f"percent {percent!r} is not a number") from None
        if not percent_value.is_finite() or not 0 <= percent_value <= 100:
            raise BadRow(f"percent {percent!r} is not between 0 and 100")
    per_class = amount_of(v, "per_class", required=False, allow_zero=True)
    if percent_value is not None and per_class is not None:
        raise BadRow("give percent or per_class, not both")
    return WriterRow(
        where, _need(v, "username").lower(), text_of(v, "name", 200), text_of(v, "email", 254), percent_value, per_class
    )


def bundle(v: dict[str, str], where: str) -> BundleRow:
    total = amount_of(v, "total")
    deposit = amount_of(v, "deposit", required=False, allow_zero=True) or Decimal("0.00")
    assert total is not None
    if deposit > total:
        raise BadRow(f"deposit {deposit} is more than total {total}")
    return BundleRow(
        where,
        _need(v, "ref"),
        _need(v, "client_ref"),
        text_of(v, "title", 200, True) or "",
        whole_number_of(v, "classes", high=1000) or 1,
        total,
        deposit,
        choice_of(v, "status", BundleStatus, BundleStatus.IN_PROGRESS),
        v.get("writer") or None,
        date_of(v, "start_date", required=False),
        amount_of(v, "compensation", required=False, allow_zero=True),
    )


def installment(v: dict[str, str], where: str) -> InstallmentRow:
    return InstallmentRow(
        where,
        bundle_key_of(v),
        whole_number_of(v, "number", high=120) or 1,
        amount_of(v, "amount") or Decimal(0),
        date_of(v, "due_date") or date.min,
    )


def payment(v: dict[str, str], where: str) -> PaymentRow:
    kind = choice_of(v, "kind", PaymentKind, PaymentKind.PAYMENT)
    if kind is PaymentKind.REVERSAL:
        raise BadRow("reversals cannot be imported; import the corrected payments instead")
    number = whole_number_of(v, "installment", required=False, high=120)
    if kind is PaymentKind.INSTALLMENT and number is None:
        raise BadRow("an installment payment needs the installment number")
    return PaymentRow(
        where,
        bundle_key_of(v),
        text_of(v, "reference", 100, True) or "",
        amount_of(v, "amount") or Decimal(0),
        kind,
        number,
        choice_of(v, "method", PaymentMethod, PaymentMethod.OTHER),
        date_of(v, "received_on") or date.min,
        text_of(v, "note", 2000),
    )


def bonus(v: dict[str, str], where: str) -> BonusRow:
    paid = v.get("is_paid", "").lower()
    if paid not in ("", "true", "false", "1", "0", "yes", "no"):
        raise BadRow(f"is_paid {paid!r} is not true or false")
    bundle_key = bundle_key_of(v) if (v.get("bundle_id") or v.get("bundle_ref")) else None
    return BonusRow(
        where,
        _need(v, "ref"),
        _need(v, "writer").lower(),
        bundle_key,
        amount_of(v, "amount") or Decimal(0),
        date_of(v, "granted_on") or date.min,
        paid in ("true", "1", "yes"),
    )


PARSERS: dict[str, Callable[[dict[str, str], str], Any]] = {
    "clients": client,
    "writers": writer,
    "bundles": bundle,
    "installments": installment,
    "payments": payment,
    "bonuses": bonus,
}


def parse_rows(rows: list[SourceRow]) -> tuple[dict[str, list[Any]], list[str]]:
    """Typed rows by kind, and one "where: why" line per bad row."""
    parsed: dict[str, list[Any]] = {kind: [] for kind in PARSERS}
    problems: list[str] = []
    for row in rows:
        if "__error__" in row.values:
            problems.append(f"{row.where}: {row.values['__error__']}")
            continue
        try:
            parsed[row.kind].append(PARSERS[row.kind](row.values, row.where))
        except BadRow as error:
            problems.append(f"{row.where}: {error}")
    return parsed, problems
