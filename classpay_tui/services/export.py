"""CSV out, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> str:
    """A cell a spreadsheet will show as text: one starting with = + - @, tab or CR would
    otherwise run as a formula, so it gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(target: Path | TextIO, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    def write(stream: TextIO) -> None:
        writer = csv.writer(stream)
        writer.writerow(headers)
        writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)

    if isinstance(target, Path):
        with target.open("w", newline="", encoding="utf-8") as stream:
            write(stream)
    else:
        write(target)
