"""How numbers, dates and statuses look on screen. Status is always a word or a symbol,
with colour only as a second cue, so it reads the same under ``NO_COLOR``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from rich.text import Text

from classpay_tui.domain.money import format_money

OVERDUE_MARK = "!"
# A light red as RGB: NO_COLOR turns it into a mid grey that stays readable (ANSI red turns near black).
ALERT = "bold #ff6e6e"

CLIENT_STATUS_STYLE = {
    "pending": "",
    "partial": "yellow",
    "paid": "green",
    "refunded": "magenta",
    "cancelled": "dim",
}
WRITER_STATUS_STYLE = {
    "pending": "",
    "scheduled": "cyan",
    "partial": "yellow",
    "paid": "green",
    "cancelled": "dim",
}
INSTALLMENT_MARK = {
    "paid": ("✓ paid", "green"),
    "partial": ("◐ partial", "yellow"),
    "pending": ("· pending", ""),
    "overdue": (f"{OVERDUE_MARK} overdue", ALERT),
}


def money(amount: Decimal | None, style: str = "") -> Text:
    return Text("" if amount is None else format_money(amount), style=style, justify="right", end="")


def day(value: date | datetime | None, style: str = "") -> Text:
    if value is None:
        return Text("—", style="dim", end="")
    if isinstance(value, datetime):
        value = value.date()
    return Text(value.isoformat(), style=style, end="")


def status(value: str, styles: dict[str, str]) -> Text:
    return Text(value, style=styles.get(value, ""), end="")


def installment_status(value: str) -> Text:
    label, style = INSTALLMENT_MARK.get(value, (value, ""))
    return Text(label, style=style, end="")


def overdue_mark(is_overdue: bool) -> Text:
    return Text(OVERDUE_MARK, style=ALERT, end="") if is_overdue else Text(" ", end="")


def progress_bar(percent: Decimal, width: int = 8, *, show_percent: bool = True) -> Text:
    """``████░░░░  50%``: blocks filled in proportion, then the percentage."""
    filled = min(width, max(0, int(percent * width / 100)))
    if percent >= 100:
        filled = width
    style = "green" if percent >= 100 else "cyan"
    bar = Text(end="")
    bar.append("█" * filled, style=style)
    bar.append("░" * (width - filled), style="dim")
    if show_percent:
        bar.append(f" {int(percent):>3}%")
    return bar
