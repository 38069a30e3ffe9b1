"""The bundle list's table: one window of rows, updated in place when it can be."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from classpay_tui.services.schemas import PaymentSummary
from classpay_tui.tui import formatting as fmt
from classpay_tui.tui.paging import Window
from classpay_tui.tui.safe import safe_text

COLUMNS = [
    ("id", "#"),
    ("client", "Client"),
    ("course", "Course"),
    ("balance", "Balance"),
    ("progress", "Progress"),
    ("status", "Status"),
    ("due", "Next due"),
    ("writer", "Writer"),
    ("paid", "Paid"),
    ("total", "Total"),
    ("writer_status", "Writer st."),
]


def cells(row: PaymentSummary) -> list[object]:
    late = row.is_overdue
    mark = fmt.overdue_mark(late)
    mark.append(f"{row.bundle_id:>4}", style=fmt.ALERT if late else "")
    return [
        mark,
        safe_text(row.client_name, width=14),
        safe_text(row.title, width=13),
        fmt.money(row.balance_remaining),
        fmt.progress_bar(row.payment_progress, width=4),
        fmt.status(row.client_payment_status.value, fmt.CLIENT_STATUS_STYLE),
        fmt.day(row.next_due_date, fmt.ALERT if late else ""),
        safe_text(row.assigned_writer_username or "—", "" if row.assigned_writer_username else "dim", width=10),
        fmt.money(row.amount_paid),
        fmt.money(row.total_amount),
        fmt.status(row.writer_payment_status.value, fmt.WRITER_STATUS_STYLE),
    ]


class BundleTable(DataTable[object]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="bundles.down", tooltip="Move down (or ↓)"),
        Binding("k", "cursor_up", "Up", show=False, id="bundles.up", tooltip="Move up (or ↑)"),
        Binding("enter", "select_cursor", "Open", id="bundles.select", tooltip="Open the bundle's payment details"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.rows_shown: list[PaymentSummary] = []

    def on_mount(self) -> None:
        for key, label in COLUMNS:
            self.add_column(label, key=key)

    @property
    def current(self) -> PaymentSummary | None:
        if 0 <= self.cursor_row < len(self.rows_shown):
            return self.rows_shown[self.cursor_row]
        return None

    def show(self, window: Window, keep: int | None) -> None:
        """Show ``window`` with the cursor on bundle ``keep`` where it is in the window,
        at the same height on screen, so a refresh or a window shift does not jump."""
        old_keys = [row.bundle_id for row in self.rows_shown]
        new_keys = [row.bundle_id for row in window.rows]
        screen_row = self.cursor_row - round(self.scroll_y)
        if old_keys == new_keys:
            for old, new in zip(self.rows_shown, window.rows, strict=True):
                if old != new:
                    for (column, _), cell in zip(COLUMNS, cells(new), strict=True):
                        self.update_cell(str(new.bundle_id), column, cell)
            self.rows_shown = list(window.rows)
            return
        index = window.index_of(keep)
        self.clear()
        self.rows_shown = list(window.rows)
        for row in window.rows:
            self.add_row(*cells(row), key=str(row.bundle_id))
        if not window.rows:
            return
        if index is None:
            self.move_cursor(row=0)
            return
        self.move_cursor(row=index, scroll=False)
        top = max(0, index - max(screen_row, 0))
        self.call_after_refresh(self.scroll_to, y=top, animate=False, immediate=True)
