"""One measured figure beside its floor, and the table they are printed in."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Figure:
    what: str
    value: float | None  # seconds, bytes or rows per second (see ``unit``); None: not measured
    floor: float | None = None
    floor_what: str = ""
    target: str = ""
    ok: bool | None = None  # against the target
    unit: str = "s"  # "s", "MB" or "rows/s"
    note: str = ""
    # The same floor as measured on the machine the targets were set on (the figures quoted
    # with them), when there is one: how fast this machine ran, next to the verdicts.
    reference: float | None = None

    def ratio(self) -> float | None:
        if self.value is None or not self.floor:
            return None
        if self.unit == "rows/s":
            return self.floor / self.value if self.value else None
        return self.value / self.floor


def median_time(action: Callable[[int], object], runs: int, *, setup: Callable[[int], object] | None = None) -> float:
    """The median wall time of ``action(i)`` over ``runs`` runs (``setup(i)`` untimed before each)."""
    times = []
    for index in range(runs):
        if setup is not None:
            setup(index)
        start = time.perf_counter()
        action(index)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def show(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "MB":
        return f"{value:,.0f} MB"
    if unit == "rows/s":
        return f"{value:,.0f} rows/s"
    if value < 0.01:
        return f"{value * 1000:.2f} ms"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.2f} s"


def machine_speed(figures: list[Figure]) -> str | None:
    """One sentence: this run's floors against the same floors on the machine the targets
    were set on. A target missed on a machine several times slower says less about the code
    than one missed at the same speed; the ratios to the floors say more."""
    parts = []
    for figure in figures:
        if figure.reference and figure.floor:
            parts.append(
                f"{figure.floor_what} {show(figure.floor, figure.unit)} "
                f"(there {show(figure.reference, figure.unit)}, {figure.floor / figure.reference:.1f}×)"
            )
    if not parts:
        return None
    return "This machine's floors against the same floors where the targets were set: " + "; ".join(parts) + "."


def table(figures: list[Figure]) -> str:
    header = ["what", "median", "floor (same run)", "ratio", "target", ""]
    rows = []
    for figure in figures:
        ratio = figure.ratio()
        floor = show(figure.floor, figure.unit) + (f" ({figure.floor_what})" if figure.floor_what else "")
        verdict = "" if figure.ok is None else ("ok" if figure.ok else "MISSED")
        rows.append(
            [
                figure.what,
                show(figure.value, figure.unit) if figure.value is not None else f"not measured: {figure.note}",
                floor if figure.floor is not None else "—",
                f"{ratio:.1f}×" if ratio is not None else "—",
                figure.target or "—",
                verdict,
            ]
        )
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"]
    lines.append("| " + " | ".join("-" * w for w in widths) + " |")
    lines += ["| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in rows]
    notes = [f"- {figure.what}: {figure.note}" for figure in figures if figure.note and figure.value is not None]
    return "\n".join(lines + (["", *notes] if notes else []))
