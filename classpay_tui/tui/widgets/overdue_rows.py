"""The rows of the overdue screen: one late installment each, with a pick mark, how late
it is (symbol and colour, and the number of days), what is owed and who to contact."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from classpay_tui.domain.money import ZERO, format_money
from classpay_tui.services.schemas import OverdueInstallment
from classpay_tui.tui import formatting as fmt
from classpay_tui.tui.safe import safe_text
from classpay_tui.tui.widgets.detail_rows import Row

PICK_MARK = "✓"
MAX_LEVEL = 3  # the service escalates 1, 2, 3 and stays at 3
COLUMNS = [
    ("pick", PICK_MARK),
    ("bundle", "Bundle"),
    ("installment", "Inst."),
    ("client", "Client"),
    ("late", "Late"),
    ("owed", "Owed"),
    ("level", "Reminded"),
    ("contact", "Contact"),
    ("due", "Due"),
    ("course", "Course"),
]
# Days late → how loud the row is: a week, a month, more.
LATE_STYLES = ((60, fmt.ALERT), (30, "bold #ffa657"), (0, "#e3b341"))


def late_style(days: int) -> str:
    return next(style for limit, style in LATE_STYLES if days > limit or limit == 0)


def level(item: OverdueInstallment) -> Text:
    """``—`` never reminded; ``1 · 01-10`` the last level sent and when; ``3 max`` at the top."""
    if item.reminder_level == 0:
        return Text("—", style="dim", end="")
    text = Text(f"{item.reminder_level}", style="bold", end="")
    if item.reminder_level >= MAX_LEVEL:
        text.append(" max", style="dim")
    elif item.last_reminded_at is not None:
        text.append(f" · {item.last_reminded_at:%m-%d}", style="dim")
    return text


def contact(item: OverdueInstallment) -> Text:
    parts = [part for part in (item.email, item.phone) if part]
    if not parts:
        return Text("no contact", style="dim", end="")
    return safe_text(" · ".join(parts), width=40)


def cells(item: OverdueInstallment, picked: bool) -> list[object]:
    style = late_style(item.days_late)
    bundle = fmt.overdue_mark(True)
    number = str(item.bundle_id)
    bundle.append(" " * max(5 - len(number), 1))
    bundle.append(number, style=style)
    return [
        Text(PICK_MARK if picked else " ", style="bold", end=""),
        bundle,
        Text(f"{item.installment_number}", justify="right", end=""),
        safe_text(item.client_name, width=14),
        Text(f"{item.days_late} d", style=style, justify="right", end=""),
        fmt.money(item.amount_owed),
        level(item),
        contact(item),
        fmt.day(item.due_date, style),
        safe_text(item.course, width=20),
    ]


def rows(items: Sequence[OverdueInstallment], picked: set[int]) -> list[Row]:
    return [(str(item.installment_id), cells(item, item.installment_id in picked)) for item in items]


def totals(items: Sequence[OverdueInstallment], picked: set[int]) -> Text:
    """``3 installments (1 bundle) · 600.00 owed · 2 picked``: short enough for 80 columns."""
    owed = sum((item.amount_owed for item in items), ZERO)
    bundles = len({item.bundle_id for item in items})
    counted = f"{_plural(len(items), 'installment')} ({_plural(bundles, 'bundle')})"
    text = Text(f"{counted} · {format_money(owed)} owed", end="")
    if picked:
        text.append(f" · {len(picked)} picked", style="bold")
    return text


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
