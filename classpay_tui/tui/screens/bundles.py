"""Bundles (home): every bundle, newest first, the rows on screen fetched from the service
as keyset pages (:mod:`classpay_tui.tui.paging`), painted by :class:`BundleGrid`."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Header, Input, Label, Static

from classpay_tui.domain.money import ZERO, format_money
from classpay_tui.services.list_schemas import BundleListPage, ListQuery, PageRequest
from classpay_tui.services.permissions import Action
from classpay_tui.services.schemas import PaymentDetails, PaymentResult
from classpay_tui.tui import choices, effects, paging
from classpay_tui.tui.desk import Desk
from classpay_tui.tui.jobs import in_thread
from classpay_tui.tui.notices import toast
from classpay_tui.tui.paging import ListWindow, reload_request
from classpay_tui.tui.safe import safe_text
from classpay_tui.tui.widgets.bundle_grid import BundleGrid
from classpay_tui.tui.widgets.field import Field
from classpay_tui.tui.widgets.key_footer import KeyFooter
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
        self.list_query = ListQuery()
        self.wanted: int | None = None  # a bundle to put the cursor on once it shows (a new one)
        self.loads = 0  # each requery or reload; only the newest one's rows are shown
        self.empty_message = ""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="filter-bar"):
            yield Label("/", id="filter-label")
            yield Field(placeholder="filter by client, course, writer or bundle #", id="filter")
        yield StatusLine(id="list-status")
        yield BundleGrid(on_move=self._update_status, id="bundles")
        yield Static("", id="empty")
        yield KeyFooter()  # Textual's Footer mounts a widget per key each time a screen opens over it

    @property
    def grid(self) -> BundleGrid:
        return self.query_one(BundleGrid)

    def on_mount(self) -> None:
        self.grid.focus()
        self.requery()

    def on_screen_resume(self) -> None:
        if self.grid.window.rows:
            self.action_reload()

    # ---- loading ---------------------------------------------------------------------

    def _fetch(
        self,
        query: ListQuery,
        request: PageRequest,
        done: Callable[[BundleListPage], None],
        failed: Callable[[str], None] | None = None,
    ) -> None:
        desk = self.desk  # its service is asked for in the worker: at start-up it may be on its way
        # Not exclusive: a page that lands for an older query or request is dropped by its
        # callback, and cancelling a worker that is handing its page over would lose it.
        in_thread(
            self,
            lambda: desk.bundle_list_page(query, request),
            done,
            group="rows",
            exclusive=False,
            failed=failed,
        )

    def requery(self, **changes: object) -> None:
        """Show the list from its start with ``changes`` to the query (search, status, order),
        counted with its first rows. A search asks for a screen's worth and is counted up to
        :data:`paging.COUNT_LIMIT` ("row 1 of 1,000+"); the end of the list comes with its
        exact count when it is asked for."""
        query = self.list_query = self.list_query.model_copy(update=changes)
        request = paging.first_request(query, self.grid.page_height)
        self.loads += 1
        self._fetch(query, request, partial(self._listed, self.loads, request))

    def _listed(self, load: int, request: PageRequest, page: BundleListPage) -> None:
        if load != self.loads:
            return
        window = ListWindow(query=self.list_query)
        window.merge(request, page, keep_near=0)
        cursor = window.index_of(self.wanted) if self.wanted is not None else None
        self.wanted = None
        self.grid.show(window, cursor or 0)
        self._update_status()
        # The rows are up: now is the time to build the service, if the rows came from the
        # process that read them at start-up (a no-op otherwise).
        self.call_after_refresh(self.desk.opening.start_service)

    def on_bundle_grid_rows_wanted(self, message: BundleGrid.RowsWanted) -> None:
        query, request = self.list_query, message.request
        self._fetch(query, request, partial(self._landed, query, request), partial(self._not_landed, request))

    def _not_landed(self, request: PageRequest, sentence: str) -> None:
        toast(self, sentence, error=True)
        self.grid.page_failed(request)

    def _landed(self, query: ListQuery, request: PageRequest, page: BundleListPage) -> None:
        if query == self.list_query:
            self.grid.add_page(request, page)
            self._update_status()

    def action_reload(self) -> None:
        """Read the rows on screen again (after a payment, or back from the details), keeping
        the cursor on its bundle when the bundle is still there."""
        grid, query = self.grid, self.list_query
        if grid.window.query != query:  # the list shown is not the one asked for yet
            self.requery()
            return
        request = reload_request(grid.window, grid.page_height + paging.MARGIN)
        under = grid.current.bundle_id if grid.current else None
        self.loads += 1
        self._fetch(query, request, partial(self._reloaded, self.loads, request, under))

    def _reloaded(self, load: int, request: PageRequest, under: int | None, page: BundleListPage) -> None:
        if load != self.loads:
            return
        grid = self.grid
        window = ListWindow(query=self.list_query, total=grid.window.total, start=grid.window.start)
        window.merge(request, page, keep_near=grid.top + grid.page_height // 2)
        found = window.index_of(self.wanted if self.wanted is not None else under)
        self.wanted = None
        grid.show(window, grid.cursor if found is None else found)
        self._update_status()

    def _update_status(self) -> None:
        window, query = self.grid.window, self.list_query
        status = Text(end="")
        status.append(query.status or "all statuses", style="bold")
        status.append(f" · {choices.sort_label(query.order)}")
        if query.search:
            status.append(" · matching “")
            status.append_text(safe_text(query.search, width=30))
            status.append("”")
        if window.total:
            of = f"{window.total:,}+" if window.more else f"{window.total:,}"
            status.append(f" · row {self.grid.cursor + 1:,} of {of}", style="dim")
        self.query_one("#list-status", StatusLine).text = status
        if window.total:
            message = ""
        elif query == ListQuery():
            message = EMPTY_DATABASE
        else:
            message = "No bundle matches. Esc clears the filter and the status."
        if message != self.empty_message:  # only when it changes: an update costs a layout pass
            self.empty_message = message
            empty = self.query_one("#empty", Static)
            empty.update(message)
            empty.set_class(bool(message), "-shown")

    # ---- filter, status, sort ------------------------------------------------------

    def action_filter(self) -> None:
        self.query_one("#filter", Field).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter" and event.value.strip() != self.list_query.search:
            self.requery(search=event.value.strip())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            self.grid.focus()

    def action_clear(self) -> None:
        field = self.query_one("#filter", Field)
        if field.value:
            field.value = ""
        if self.list_query.search or self.list_query.status:
            self.requery(search="", status=None)
        self.grid.focus()

    def action_status(self) -> None:
        self.requery(status=choices.next_status(self.list_query.status))

    def action_sort(self) -> None:
        self.requery(order=choices.next_sort(self.list_query.order))

    def on_bundle_grid_header_clicked(self, event: BundleGrid.HeaderClicked) -> None:
        order = choices.COLUMN_ORDERS.get(event.column)
        if order is not None:
            current = self.list_query.order
            self.requery(order=choices.reverse(current) if order in (current, choices.reverse(current)) else order)

    # ---- opening and paying ----------------------------------------------------------

    def on_bundle_grid_selected(self, event: BundleGrid.Selected) -> None:
        event.stop()
        self._open(event.row.bundle_id)

    def action_open(self) -> None:
        row = self.grid.current
        if row is not None:
            self._open(row.bundle_id)

    def _open(self, bundle_id: int) -> None:
        from classpay_tui.tui.screens.details import open_details

        open_details(self, self.desk, bundle_id)

    def action_pay(self) -> None:
        """The payment dialog for the bundle under the cursor, from its details read now
        (the row holds no installments, and another desk may have just taken a payment)."""
        row = self.grid.current
        if row is None:
            return
        desk, bundle_id = self.desk, row.bundle_id
        in_thread(self, lambda: desk.service.get_payment_details(desk.operator, bundle_id), self._pay, group="pay")

    def _pay(self, details: PaymentDetails) -> None:
        from classpay_tui.tui.modals.record_payment import open_payment_dialog

        if not self.is_current:
            return
        target = effects.default_target(details)
        if target is None:
            toast(self, f"Bundle {details.bundle_id} is paid in full; nothing is owed.")
            return
        open_payment_dialog(self, self.desk, details, target, self._paid)

    def _paid(self, result: PaymentResult | None) -> None:
        if result is not None:
            toast(self, f"Bundle {result.details.bundle_id}: {result.effect}", title="Payment recorded")
            self.action_reload()

    def action_new_bundle(self) -> None:
        from classpay_tui.tui.modals.new_bundle import NewBundleModal

        self.app.push_screen(NewBundleModal(self.desk), callback=self._created)

    def _created(self, details: PaymentDetails | None) -> None:
        if details is not None:
            toast(self, f"Bundle {details.bundle_id} created for {details.client_name}.", title="New bundle")
            self.wanted = details.bundle_id
            self.requery()

    def action_bulk(self) -> None:
        from classpay_tui.tui.screens.bulk_entry import BulkEntryScreen

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
            self.action_reload()

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
