"""Charts in plain text, for a terminal without colour: horizontal bars and sparklines
drawn with Unicode block characters."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

EIGHTHS = " ▏▎▍▌▋▊▉"
FULL = "█"
SPARKS = "▂▃▄▅▆▇█"
FLOOR = "▁"  # zero (or less) in a sparkline


def bar(value: Decimal, largest: Decimal, width: int = 30) -> str:
    """A bar ``width`` cells long for ``largest``, to an eighth of a cell; nothing for zero or less."""
    if value <= 0 or largest <= 0:
        return ""
    eighths = int((value / largest * width * 8).to_integral_value(rounding=ROUND_HALF_UP))
    eighths = max(eighths, 1)
    full, part = divmod(eighths, 8)
    return FULL * full + (EIGHTHS[part] if part else "")


def bars(values: Sequence[Decimal], width: int = 30) -> list[str]:
    largest = max(values, default=Decimal(0))
    return [bar(value, largest, width) for value in values]


def sparkline(values: Sequence[Decimal]) -> str:
    """One character per value: ``▁`` for zero or less, ``▂`` to ``█`` scaled to the largest."""
    largest = max(values, default=Decimal(0))
    line = []
    for value in values:
        if value <= 0 or largest <= 0:
            line.append(FLOOR)
            continue
        index = int((value / largest * (len(SPARKS) - 1)).to_integral_value(rounding=ROUND_HALF_UP))
        line.append(SPARKS[index])
    return "".join(line)
