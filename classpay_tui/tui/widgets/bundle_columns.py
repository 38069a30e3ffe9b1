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

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text

from classpay_tui.domain.money import format_money
from classpay_tui.services.list_schemas import BundleListRow
from classpay_tui.tui import formatting as fmt
from classpay_tui.tui.safe import clean

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


Piece = tuple[str, Style | None]  # some text and its style, exactly as wide as its column


@cache
def _style(definition: str) -> Style | None:
    return Style.parse(definition) if definition else None


def _text(value: object, width: int, style: str = "") -> list[Piece]:
    """A user's string without control characters (never parsed as markup: it is a
    segment's text), cut with an ellipsis or padded to ``width`` cells."""
    text = clean(value)
    if cell_len(text) > width:
        text = set_cell_size(text, width - 1) + "…"
    return [(set_cell_size(text, width), _style(style))]


def _right(text: str, width: int, style: str = "") -> list[Piece]:
    return [(text.rjust(width), _style(style))]


def _bundle(row: BundleListRow, width: int) -> list[Piece]:
    alert = fmt.ALERT if row.is_overdue else ""
    mark = fmt.OVERDUE_MARK if row.is_overdue else " "
    return [(mark, _style(alert)), (f"{row.bundle_id:>{width - 1}}", _style(alert))]


def _writer(row: BundleListRow, width: int) -> list[Piece]:
    name = row.assigned_writer_username
    return _text(name or "—", width, "" if name else "dim")


def _progress(row: BundleListRow, width: int) -> list[Piece]:
    percent, bar = row.payment_progress, 4
    filled = bar if percent >= 100 else min(bar, max(0, int(percent * bar / 100)))
    return [
        ("█" * filled, _style("green" if percent >= 100 else "cyan")),
        ("░" * (bar - filled), _style("dim")),
        (f" {int(percent):>3}%".ljust(width - bar), None),
    ]


def _status(value: str, styles: dict[str, str], width: int) -> list[Piece]:
    return [(value.ljust(width), _style(styles.get(value, "")))]


def _due(row: BundleListRow, width: int) -> list[Piece]:
    if row.next_due_date is None:
        return [("—".ljust(width), _style("dim"))]
    return [(row.next_due_date.isoformat().ljust(width), _style(fmt.ALERT if row.is_overdue else ""))]


CELLS: dict[str, Callable[[BundleListRow, int], list[Piece]]] = {
    "id": _bundle,
    "client": lambda row, width: _text(row.client_name, width),
    "course": lambda row, width: _text(row.title, width),
    "writer": _writer,
    "total": lambda row, width: _right(format_money(row.total_amount), width),
    "paid": lambda row, width: _right(format_money(row.amount_paid), width),
    "balance": lambda row, width: _right(format_money(row.balance_remaining), width),
    "progress": _progress,
    "status": lambda row, width: _status(row.client_payment_status.value, fmt.CLIENT_STATUS_STYLE, width),
    "writer_status": lambda row, width: _status(row.writer_payment_status.value, fmt.WRITER_STATUS_STYLE, width),
    "due": _due,
}


def pieces(row: BundleListRow, width: int) -> list[Piece]:
    """One row of the list as styled pieces of text, ``width`` cells in all. Built without
    Rich's ``Text`` (a screen of rows is built on every page down)."""
    out: list[Piece] = []
    used = 0
    for index, place in enumerate(layout(width)):
        if index:
            out.append((" " * GAP, None))
        out += CELLS[place.column.key](row, place.width)
        used = place.x + place.width
    if used < width:
        out.append((" " * (width - used), None))
    return out


def line(row: BundleListRow, width: int) -> Text:
    """The same row as one ``Text`` (for tests and anything that prints it)."""
    out = Text(end="", no_wrap=True)
    for text, style in pieces(row, width):
        out.append(text, style)
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
