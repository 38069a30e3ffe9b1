"""Horizontal bars in the terminal: a label, the amount, and a bar in eighths of a cell
as wide as the widget allows. The amount is always written out, so the chart reads the
same without colour (``NO_COLOR``) and without the bars."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from classpay_tui.domain.money import ZERO, format_money

EIGHTHS = " ▏▎▍▌▋▊▉"
FULL = "█"
MAX_BAR = 60


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    note: Text | str = ""
    style: str = "cyan"


def bar(value: Decimal, largest: Decimal, width: int) -> str:
    """``width`` cells stand for ``largest``, to an eighth of a cell; nothing for zero or less."""
    if value <= ZERO or largest <= ZERO or width <= 0:
        return ""
    eighths = max(int((value / largest * width * 8).to_integral_value(rounding=ROUND_HALF_UP)), 1)
    full, part = divmod(eighths, 8)
    return FULL * full + (EIGHTHS[part] if part else "")


def chart(bars: Sequence[Bar], width: int) -> Text:
    """Rows of ``label  amount  bar  note``, the bars sharing what the widest row leaves."""
    if not bars:
        return Text("", end="")
    label_width = max(len(item.label) for item in bars)
    value_width = max(len(format_money(item.value)) for item in bars)
    note_width = max(len(Text(item.note) if isinstance(item.note, str) else item.note) for item in bars)
    bar_width = min(MAX_BAR, max(width - label_width - value_width - note_width - 6, 8))
    largest = max((item.value for item in bars), default=ZERO)
    text = Text(end="")
    for index, item in enumerate(bars):
        if index:
            text.append("\n")
        text.append(f"{item.label:<{label_width}}  ")
        text.append(f"{format_money(item.value):>{value_width}}  ", style="bold")
        drawn = bar(item.value, largest, bar_width)
        text.append(drawn, style=item.style)
        text.append(" " * (bar_width - len(drawn) + 2))
        text.append_text(Text(item.note, style="dim") if isinstance(item.note, str) else item.note)
    return text


class BarChart(Widget):
    DEFAULT_CSS = """
    BarChart { height: auto; }
    """
    bars: reactive[tuple[Bar, ...]] = reactive((), layout=True)

    def render(self) -> Text:
        return chart(self.bars, self.size.width)
