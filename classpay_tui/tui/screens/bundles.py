"""Bundles (home): every bundle, newest first, a window at a time from the service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Static

from classpay_tui.domain.money import ZERO, format_money
from classpay_tui.services.permissions import Action
from classpay_tui.services.schemas import PaymentDetails, PaymentResult
from classpay_tui.tui import choices, effects
from classpay_tui.tui.desk import Desk
from classpay_tui.tui.jobs import in_thread
from classpay_tui.tui.modals.new_bundle import NewBundleModal
from classpay_tui.tui.modals.record_payment import RecordPaymentModal
from classpay_tui.tui.notices import toast
from classpay_tui.tui.paging import Query, Window, fetch
from classpay_tui.tui.safe import safe_text
from classpay_tui.tui.screens.bulk_entry import BulkEntryScreen
from classpay_tui.tui.widgets.bundle_table import BundleTable
from classpay_tui.tui.widgets.field import Field
from classpay_tui.tui.widgets.status_line import StatusLine

EMPTY_DATABASE = (
    "No bundles yet. Press n to create one, or quit (q) and run `classpay demo` to fill the database "
    "with sample bundles to try."
)


class BundlesScreen(Screen[None]):
    TITLE = "Bundles"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", id="bundles.open", tooltip="Open the bundle's payment details"),
        Binding("p", "pay", "Pay", id="bundles.pay", tooltip="Record a payment for the bundle under the cursor"),
        Binding("slash", "filter", "Filter", id="bundles.filter", tooltip="Filter by client, course, writer or #"),
        Binding("f", "status", "Status", id="bundles.status", tooltip="Show only one payment status (cycles)"),
        Binding("s", "sort", "Sort", id="bundles.sort", tooltip="Sort by another column (cycles)"),
        Binding("n", "new_bundle", "New", id="bundles.new", tooltip="Create a bundle with its installment plan"),
        Binding("b", "bulk", "Bulk", id="bundles.bulk", tooltip="Bulk entry: many payments, one confirmation"),
        Binding("2", "app.show_writers", "Writers", id="bundles.writers", tooltip="Writer payouts"),
        Binding("r", "reload", "Reload", id="bundles.reload", show=False, tooltip="Read the list again"),
        Binding("escape", "clear", "Clear filter", id="bundles.clear", show=False, tooltip="Clear filter and status"),
    ]

    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self.window = Window()
        self.pending: tuple[Query, int] | None = None
        self.loaded_once = False
        self.wanted: int | None = None
        self.empty_message = ""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="filter-bar"):
            yield Label("/", id="filter-label")
            yield Field(placeholder="filter by client, course, writer or bundle #", id="filter")
        yield StatusLine(id="list-status")
        yield BundleTable(id="bundles")
        yield Static("", id="empty")
        yield Footer(compact=True)

    @property
    def table(self) -> BundleTable:
        return self.query_one(BundleTable)

    def on_mount(self) -> None:
        self.table.focus()

    def on_screen_resume(self) -> None:
        self.load(self.window.query, self.window.offset, follow=self.loaded_once)

    # ---- loading ---------------------------------------------------------------------

    def load(self, query: Query, offset: int, *, follow: bool, select: int | None = None) -> None:
        """Fetch a window in a worker; ``follow`` keeps the cursor on the bundle under it,
        ``select`` puts it on that bundle (and wins over any load started before it lands)."""
        self.pending = (query, offset)
        if select is not None:
            self.wanted = select
        service, operator = self.desk.service, self.desk.operator
        in_thread(
            self,
            lambda: fetch(service, operator, query, offset),
            partial(self._show, follow=follow),
            group="page",
        )

    def _show(self, window: Window, *, follow: bool) -> None:
        self.pending = None
        self.loaded_once = True
        current = self.table.current
        keep = current.bundle_id if follow and current else None
        if self.wanted is not None and window.index_of(self.wanted) is not None:
            keep, self.wanted = self.wanted, None
        self.window = window
        self.table.show(window, keep)
        self._update_status()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._update_status()
        target = self.window.shift_for(self.table.cursor_row)
        if target is not None and self.pending != (self.window.query, target):
            self.load(self.window.query, target, follow=True)

    def _update_status(self) -> None:
        window, query = self.window, self.window.query
        status = Text(end="")
        status.append(query.status or "all statuses", style="bold")
        status.append(f" · {choices.sort_label(query.order)}")
        if query.search:
            status.append(" · matching “")
            status.append_text(safe_text(query.search, width=30))
            status.append("”")
        if window.rows:
            position = window.offset + self.table.cursor_row + 1
            more = "+" if window.has_more else ""
            status.append(f" · row {position} of {window.offset + len(window.rows)}{more}", style="dim")
        self.query_one("#list-status", StatusLine).text = status
        if window.rows:
            message = ""
        elif query == Query():
            message = EMPTY_DATABASE
        else:
            message = "No bundle matches. Esc clears the filter and the status."
        if message != self.empty_message:  # only when it changes: an update costs a layout pass
            self.empty_message = message
            empty = self.query_one("#empty", Static)
            empty.update(message)
            empty.set_class(bool(message), "-shown")

    # ---- filter, status, sort ------------------------------------------------------

    def requery(self, **changes: object) -> None:
        self.load(replace(self.window.query, **changes), 0, follow=False)  # type: ignore[arg-type]

    def action_filter(self) -> None:
        self.query_one("#filter", Field).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter" and event.value.strip() != self.window.query.search:
            self.requery(search=event.value.strip())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            self.table.focus()

    def action_clear(self) -> None:
        field = self.query_one("#filter", Field)
        if field.value:
            field.value = ""
        if self.window.query.search or self.window.query.status:
            self.requery(search="", status=None)
        self.table.focus()

    def action_status(self) -> None:
        self.requery(status=choices.next_status(self.window.query.status))

    def action_sort(self) -> None:
        self.requery(order=choices.next_sort(self.window.query.order))

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        order = choices.COLUMN_ORDERS.get(str(event.column_key.value))
        if order is not None:
            current = self.window.query.order
            self.requery(order=choices.reverse(current) if order in (current, choices.reverse(current)) else order)

    def action_reload(self) -> None:
        self.load(self.window.query, self.window.offset, follow=True)

    # ---- opening and paying ----------------------------------------------------------

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        from classpay_tui.tui.screens.details import DetailsScreen

        row = self.table.current
        if row is not None:
            self.app.push_screen(DetailsScreen(self.desk, row.bundle_id))

    def action_pay(self) -> None:
        row = self.table.current
        if row is None:
            return
        target = effects.default_target(row)
        if target is None:
            toast(self, f"Bundle {row.bundle_id} is paid in full; nothing is owed.")
            return
        self.app.push_screen(RecordPaymentModal(self.desk, row, target), callback=self._paid)

    def _paid(self, result: PaymentResult | None) -> None:
        if result is not None:
            toast(self, f"Bundle {result.details.bundle_id}: {result.effect}", title="Payment recorded")
            self.action_reload()

    def action_new_bundle(self) -> None:
        self.app.push_screen(NewBundleModal(self.desk), callback=self._created)

    def _created(self, details: PaymentDetails | None) -> None:
        if details is not None:
            toast(self, f"Bundle {details.bundle_id} created for {details.client_name}.", title="New bundle")
            self.load(self.window.query, 0, follow=False, select=details.bundle_id)

    def action_bulk(self) -> None:
        if self.desk.can(Action.RECORD_PAYMENT):
            self.app.push_screen(BulkEntryScreen(self.desk), callback=self._bulk_recorded)

    def _bulk_recorded(self, results: list[PaymentResult] | None) -> None:
        if results:
            total = sum((result.payment.amount for result in results if result.created), ZERO)
            again = sum(1 for result in results if not result.created)
            message = f"Recorded {len(results) - again} payments, {format_money(total)} in all."
            if again:
                message += f" {again} had been recorded before (same reference); nothing changed for those."
            toast(self, message, title="Bulk entry")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("pay", "bulk"):
            return self.desk.allow(Action.RECORD_PAYMENT)
        if action == "new_bundle":
            return self.desk.allow(Action.CREATE_BUNDLE)
        return True

    def palette_commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        """Commands beyond the key bindings, for the command palette."""
        commands: list[tuple[str, str, Callable[[], object]]] = []
        for order, label in choices.SORTS:
            commands.append((f"Sort: {label}", "Sort the bundle list", partial(self.requery, order=order)))
        for status in choices.STATUSES:
            name = status or "all statuses"
            commands.append((f"Show: {name}", "Filter the bundle list by status", partial(self.requery, status=status)))
        return commands
