"""The bundle list's columns: which fit the terminal's width, and what each cell shows.

Columns are kept in their order and dropped by priority when the list is narrow: at 80
columns it shows the bundle, client, course, balance, progress, status and next due
date; at 120 it adds the writer, paid, total and writer status. Spare width goes to the
client, course and writer. Money is never cut short: its columns are wide enough for
999,999.99.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from rich.text import Text

from classpay_tui.services.list_schemas import BundleListRow
from classpay_tui.tui import formatting as fmt
from classpay_tui.tui.safe import safe_text

GAP = 1  # spaces between columns


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int  # the least it is shown at
    priority: int  # lower is kept longer
    right: bool = False  # numbers line up on the right
    grows: bool = False  # takes a share of spare width


COLUMNS = [
    Column("id", "#", 7, 0, right=True),
    Column("client", "Client", 12, 1, grows=True),
    Column("course", "Course", 11, 2, grows=True),
    Column("writer", "Writer", 10, 7, grows=True),
    Column("total", "Total", 10, 9, right=True),
    Column("paid", "Paid", 10, 8, right=True),
    Column("balance", "Balance", 10, 3, right=True),
    Column("progress", "Progress", 9, 4),
    Column("status", "Status", 9, 5),
    Column("writer_status", "Writer st.", 10, 10),
    Column("due", "Next due", 10, 6),
]


@dataclass(frozen=True)
class Placed:
    column: Column
    x: int
    width: int


@cache
def layout(width: int) -> tuple[Placed, ...]:
    """The columns that fit in ``width`` cells, where each starts and how wide it is."""
    kept = sorted(COLUMNS, key=lambda column: column.priority)
    while kept and sum(c.width for c in kept) + GAP * (len(kept) - 1) > width:
        kept.pop()
    shown = [column for column in COLUMNS if column in kept]
    spare = width - sum(c.width for c in shown) - GAP * max(len(shown) - 1, 0)
    growing = [column for column in shown if column.grows]
    widths = {column.key: column.width for column in shown}
    for index, column in enumerate(growing):  # the spare cells, shared out evenly, first ones first
        widths[column.key] += spare // len(growing) + (1 if index < spare % len(growing) else 0)
    placed, x = [], 0
    for column in shown:
        placed.append(Placed(column, x, widths[column.key]))
        x += widths[column.key] + GAP
    return tuple(placed)


def column_at(width: int, x: int) -> str | None:
    """The key of the column under screen column ``x``."""
    for place in layout(width):
        if place.x <= x < place.x + place.width + GAP:
            return place.column.key
    return None


def _bundle(row: BundleListRow, width: int) -> Text:
    mark = fmt.overdue_mark(row.is_overdue)
    mark.append(f"{row.bundle_id:>{width - 1}}", style=fmt.ALERT if row.is_overdue else "")
    return mark


def _writer(row: BundleListRow, width: int) -> Text:
    name = row.assigned_writer_username
    return safe_text(name or "—", "" if name else "dim", width=width)


CELLS: dict[str, Callable[[BundleListRow, int], Text]] = {
    "id": _bundle,
    "client": lambda row, width: safe_text(row.client_name, width=width),
    "course": lambda row, width: safe_text(row.title, width=width),
    "writer": _writer,
    "total": lambda row, width: fmt.money(row.total_amount),
    "paid": lambda row, width: fmt.money(row.amount_paid),
    "balance": lambda row, width: fmt.money(row.balance_remaining),
    "progress": lambda row, width: fmt.progress_bar(row.payment_progress, width=4),
    "status": lambda row, width: fmt.status(row.client_payment_status.value, fmt.CLIENT_STATUS_STYLE),
    "writer_status": lambda row, width: fmt.status(row.writer_payment_status.value, fmt.WRITER_STATUS_STYLE),
    "due": lambda row, width: fmt.day(row.next_due_date, fmt.ALERT if row.is_overdue else ""),
}


def line(row: BundleListRow, width: int) -> Text:
    """One row of the list as one line of text, ``width`` cells wide."""
    out = Text(end="", no_wrap=True, overflow="crop")
    for index, place in enumerate(layout(width)):
        if index:
            out.append(" " * GAP)
        out.append_text(fit(CELLS[place.column.key](row, place.width), place.width, right=place.column.right))
    out.pad_right(max(0, width - out.cell_len))
    return out


def header(width: int, sorted_by: str | None, descending: bool) -> Text:
    """The column labels, with an arrow on the column the list is sorted by."""
    out = Text(end="", no_wrap=True, overflow="crop")
    for index, place in enumerate(layout(width)):
        if index:
            out.append(" " * GAP)
        label = place.column.label
        if place.column.key == sorted_by:
            label += " ▼" if descending else " ▲"
        out.append_text(fit(Text(label), place.width, right=place.column.right))
    out.pad_right(max(0, width - out.cell_len))
    return out


def fit(text: Text, width: int, *, right: bool = False) -> Text:
    """``text`` cut (with an ellipsis) or padded to exactly ``width`` cells."""
    text = text.copy()
    if text.cell_len > width:
        text.truncate(width, overflow="ellipsis")
    padding = width - text.cell_len
    if padding > 0:
        if right:
            text.pad_left(padding)
        else:
            text.pad_right(padding)
    return text
