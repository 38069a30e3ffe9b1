"""Writer payouts: what each writer earned, was paid, is scheduled and owes back; one
writer's bundles with their installments; payouts, and the admin's payout run."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from classpay_tui.domain.money import ZERO, format_money
from classpay_tui.services.permissions import Action
from classpay_tui.services.schemas import WriterClassPayment, WriterPaymentOut, WriterTotals
from classpay_tui.services.writer_page_schemas import WriterBundlePage, WriterPayoutPage
from classpay_tui.tui.desk import Desk
from classpay_tui.tui.jobs import in_thread
from classpay_tui.tui.modals.confirm import ConfirmModal
from classpay_tui.tui.modals.pay_payout import PayPayoutModal, describe_payout
from classpay_tui.tui.modals.run_payouts import RunPayoutsModal
from classpay_tui.tui.notices import toast
from classpay_tui.tui.row_window import RowWindow
from classpay_tui.tui.safe import safe_text
from classpay_tui.tui.widgets import writer_rows as rows
from classpay_tui.tui.widgets.detail_rows import Row
from classpay_tui.tui.widgets.key_footer import KeyFooter
from classpay_tui.tui.widgets.key_rows import KeyRows
from classpay_tui.tui.widgets.title_bar import TitleBar

FirstPages = tuple[WriterBundlePage, WriterPayoutPage]


class WritersScreen(Screen[None]):
    TITLE = "Writer payouts"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Bundles", id="writers.back", tooltip="Back to the bundle list"),
        Binding("enter", "open", "Open", id="writers.open", tooltip="Open the bundle's payment details"),
        Binding("M", "pay_payout", "Mark paid", id="writers.pay", tooltip="Mark the selected payout paid (admin)"),
        Binding("C", "cancel_payout", "Cancel", id="writers.cancel", tooltip="Cancel the selected payout (admin)"),
        Binding("U", "run_payouts", "Payout run", id="writers.run", tooltip="Pay every payout due by a date (admin)"),
        Binding("r", "reload", "Reload", id="writers.reload", show=False, tooltip="Read the figures again"),
    ]

    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self.writer_id: int | None = None
        self.usernames: dict[int, str] = {}
        # One writer's bundles and payouts: only a window of each is held, read a page at a
        # time as the cursor moves (a writer may have thousands).
        # Each held item with its table row, made once when its page arrives.
        self.bundles: RowWindow[tuple[WriterClassPayment, Row]] = RowWindow(key_of=lambda held: held[0].bundle_id)
        self.payouts: RowWindow[tuple[WriterPaymentOut, Row]] = RowWindow(key_of=lambda held: held[0].id)

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll(id="writers-body"):
            yield Static("", id="writers-status")
            yield KeyRows(rows.WRITER_COLUMNS, id="writers")
            yield KeyRows(rows.BUNDLE_COLUMNS, title="Bundles", id="writer-bundles")
            yield KeyRows(rows.PAYOUT_COLUMNS, title="Payouts", id="writer-payouts")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#writers", KeyRows).focus()

    def on_screen_resume(self) -> None:
        self.action_reload()

    # ---- loading -------------------------------------------------------------------

    def action_reload(self) -> None:
        desk = self.desk
        if desk.is_writer and desk.operator.writer_id is None:
            self.query_one("#writers-status", Static).update(
                "Your login is not linked to a writer record; ask an admin to link it."
            )
            return

        def totals() -> list[WriterTotals]:
            found = desk.service.writer_totals(desk.operator)
            if desk.is_writer:
                found = [item for item in found if item.writer_id == desk.operator.writer_id]
            return found

        in_thread(self, totals, self._show_totals, group="totals")

    def _show_totals(self, totals: list[WriterTotals]) -> None:
        table = self.query_one("#writers", KeyRows)
        self.usernames = {item.writer_id: item.username for item in totals}
        table.fill(rows.writer_rows(totals))
        owed = sum((item.scheduled for item in totals), ZERO)
        status = Text(f"{len(totals)} writers · {format_money(owed)} scheduled", end="")
        if not totals:
            status = Text("No writers yet; add one with `classpay writers add USERNAME`.")
        self.query_one("#writers-status", Static).update(status)
        if table.current_key is not None:
            self.load_writer(int(table.current_key), keep_place=int(table.current_key) == self.writer_id)

    def load_writer(self, writer_id: int, *, keep_place: bool = False) -> None:
        """The writer's first pages (or, ``keep_place``, the rows held, read again)."""
        new = writer_id != self.writer_id
        self.writer_id = writer_id
        service, ctx = self.desk.service, self.desk.operator
        bundles = self.bundles.reload() if keep_place and not new else self.bundles.first()
        payouts = self.payouts.reload() if keep_place and not new else self.payouts.first()

        def fetch() -> FirstPages:
            return (
                service.writer_bundle_page(ctx, writer_id, bundles),
                service.writer_payout_page(ctx, writer_id, payouts),
            )

        def show(pages: FirstPages) -> None:
            if pages[0].writer_id == self.writer_id:
                if new:
                    self.bundles = RowWindow(key_of=self.bundles.key_of)
                    self.payouts = RowWindow(key_of=self.payouts.key_of)
                self._show_bundles(pages[0], top=new)
                self._show_payouts(pages[1], top=new)

        in_thread(self, fetch, show, group="writer")

    def on_key_rows_wanted(self, event: KeyRows.Wanted) -> None:
        """A table is about to paint rows it does not hold: read the page they are on."""
        writer_id, service, ctx = self.writer_id, self.desk.service, self.desk.operator
        if writer_id is None or event.table.id not in ("writer-bundles", "writer-payouts"):
            return
        if event.table.id == "writer-bundles":
            request = self.bundles.wanted(event.top, event.bottom)
            if request is not None:
                in_thread(
                    self,
                    lambda: service.writer_bundle_page(ctx, writer_id, request),
                    self._show_bundles,
                    group="writer-bundles",
                )
        else:
            request = self.payouts.wanted(event.top, event.bottom)
            if request is not None:
                in_thread(
                    self,
                    lambda: service.writer_payout_page(ctx, writer_id, request),
                    self._show_payouts,
                    group="writer-payouts",
                )

    def _show_bundles(self, page: WriterBundlePage, *, top: bool = False) -> None:
        if page.writer_id != self.writer_id:
            return  # a page of the writer shown before
        table = self.query_one("#writer-bundles", KeyRows)
        made = list(zip(page.rows, rows.bundle_rows(page.rows), strict=True))
        self.bundles.merge(page.total, page.start, made, keep_near=0 if top else table.cursor_row)
        held = [row for _, row in self.bundles.rows]
        table.show_window(self.bundles.total, self.bundles.start, held, cursor_on=held[0][0] if top and held else None)
        title = Text("Bundles of ", end="")
        title.append_text(safe_text(self.usernames.get(page.writer_id, "")))
        title.append(f" ({page.total:,})" if page.total else " — none yet")
        table.set_title(title)

    def _show_payouts(self, page: WriterPayoutPage, *, top: bool = False) -> None:
        if page.writer_id != self.writer_id:
            return
        table = self.query_one("#writer-payouts", KeyRows)
        made = list(zip(page.rows, rows.payout_rows(page.rows), strict=True))
        self.payouts.merge(page.total, page.start, made, keep_near=0 if top else table.cursor_row)
        held = [row for _, row in self.payouts.rows]
        table.show_window(self.payouts.total, self.payouts.start, held, cursor_on=held[0][0] if top and held else None)
        table.set_title(f"Payouts ({page.total:,})" if page.total else "Payouts — none yet")

    def on_key_rows_highlighted(self, event: KeyRows.Highlighted) -> None:
        if event.table.id == "writers" and event.key is not None and int(event.key) != self.writer_id:
            self.load_writer(int(event.key))

    # ---- opening ---------------------------------------------------------------------

    def on_key_rows_selected(self, event: KeyRows.Selected) -> None:
        event.stop()
        if event.table.id == "writers":
            self.query_one("#writer-bundles", KeyRows).focus()
        else:
            self.action_open()

    def action_open(self) -> None:
        from classpay_tui.tui.screens.details import open_details

        if self.desk.is_writer:
            return
        focused = self.focused
        bundle_id: int | None = None
        if isinstance(focused, KeyRows) and focused.id == "writer-bundles" and focused.current_key:
            bundle_id = int(focused.current_key)
        elif isinstance(focused, KeyRows) and focused.id == "writer-payouts" and focused.current_key:
            payout = self._payout(focused.current_key)
            bundle_id = payout.bundle_id if payout is not None else None
        if bundle_id is not None:
            open_details(self, self.desk, bundle_id)

    def action_back(self) -> None:
        if not self.desk.is_writer:
            self.app.switch_mode("bundles")

    # ---- admin: payouts ----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("back", "open"):
            return not self.desk.is_writer
        if action in ("pay_payout", "cancel_payout", "run_payouts"):
            if self.desk.is_writer:
                return False
            return self.desk.allow(Action.MANAGE_PAYOUTS)
        return True

    def _payout(self, key: str | None) -> WriterPaymentOut | None:
        return next((item for item, _ in self.payouts.rows if str(item.id) == key), None)

    def _selected_payout(self) -> WriterPaymentOut | None:
        payout = self._payout(self.query_one("#writer-payouts", KeyRows).current_key)
        if payout is None or payout.status.value != "scheduled":
            toast(self, "Choose a scheduled payout first (Tab to the payouts, then ↑/↓).")
            return None
        return payout

    def action_pay_payout(self) -> None:
        if not self.desk.can(Action.MANAGE_PAYOUTS):
            return
        payout = self._selected_payout()
        if payout is not None:
            self.app.push_screen(PayPayoutModal(self.desk, payout), callback=self._payout_changed)

    def action_cancel_payout(self) -> None:
        if not self.desk.can(Action.MANAGE_PAYOUTS):
            return
        payout = self._selected_payout()
        if payout is None:
            return
        service, ctx = self.desk.service, self.desk.operator

        def answered(yes: bool | None) -> None:
            if yes:
                in_thread(self, lambda: service.cancel_payout(ctx, payout.id), self._payout_changed, group="admin")

        self.app.push_screen(
            ConfirmModal("Cancel this payout?", [describe_payout(payout)], confirm="Enter cancels it"),
            callback=answered,
        )

    def _payout_changed(self, payout: WriterPaymentOut | None) -> None:
        if payout is not None:
            toast(self, f"Payout #{payout.id} is now {payout.status.value}.", title="Payout")
            self.action_reload()

    def action_run_payouts(self) -> None:
        if self.desk.can(Action.MANAGE_PAYOUTS):
            self.app.push_screen(RunPayoutsModal(self.desk), callback=self._ran)

    def _ran(self, paid: list[WriterPaymentOut] | None) -> None:
        if paid is not None:
            total = sum((item.amount for item in paid), ZERO)
            toast(self, f"Paid {len(paid)} payouts, {format_money(total)} in all.", title="Payout run")
            self.action_reload()

    def palette_commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        return []
