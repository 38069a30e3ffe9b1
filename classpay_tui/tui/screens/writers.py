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
from textual.widgets import DataTable, Footer, Header, Static

from classpay_tui.domain.money import ZERO, format_money
from classpay_tui.services.permissions import Action
from classpay_tui.services.schemas import WriterClassPayment, WriterPaymentOut, WriterTotals
from classpay_tui.tui.desk import Desk
from classpay_tui.tui.jobs import in_thread
from classpay_tui.tui.modals.confirm import ConfirmModal
from classpay_tui.tui.modals.pay_payout import PayPayoutModal, describe_payout
from classpay_tui.tui.modals.run_payouts import RunPayoutsModal
from classpay_tui.tui.notices import toast
from classpay_tui.tui.safe import safe_text
from classpay_tui.tui.widgets import writer_rows as rows
from classpay_tui.tui.widgets.key_table import KeyTable

WriterData = tuple[list[WriterClassPayment], list[WriterPaymentOut]]


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
        self.payouts: list[WriterPaymentOut] = []
        self.usernames: dict[int, str] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="writers-body"):
            yield Static("", id="writers-status")
            yield KeyTable(rows.WRITER_COLUMNS, id="writers")
            yield Static("Bundles", classes="section", id="bundles-title")
            yield KeyTable(rows.BUNDLE_COLUMNS, id="writer-bundles")
            yield Static("Payouts", classes="section")
            yield KeyTable(rows.PAYOUT_COLUMNS, id="writer-payouts")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#writers", KeyTable).focus()

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
        table = self.query_one("#writers", KeyTable)
        self.usernames = {item.writer_id: item.username for item in totals}
        table.fill(rows.writer_rows(totals))
        owed = sum((item.scheduled for item in totals), ZERO)
        status = Text(f"{len(totals)} writers · {format_money(owed)} scheduled", end="")
        if not totals:
            status = Text("No writers yet; add one with `classpay writers add USERNAME`.")
        self.query_one("#writers-status", Static).update(status)
        if table.current_key is not None:
            self.load_writer(int(table.current_key))

    def load_writer(self, writer_id: int) -> None:
        self.writer_id = writer_id
        service, ctx = self.desk.service, self.desk.operator

        def fetch() -> WriterData:
            return service.get_writer_class_payments(ctx, writer_id), service.list_payouts(ctx, writer=writer_id)

        in_thread(self, fetch, self._show_writer, group="writer")

    def _show_writer(self, data: WriterData) -> None:
        entries, payouts = data
        self.payouts = payouts
        title = Text("Bundles of ", end="")
        title.append_text(safe_text(self.usernames.get(self.writer_id or 0, "")))
        if not entries:
            title.append(" — none yet", style="dim")
        self.query_one("#bundles-title", Static).update(title)
        self.query_one("#writer-bundles", KeyTable).fill(rows.bundle_rows(entries))
        self.query_one("#writer-payouts", KeyTable).fill(rows.payout_rows(payouts))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "writers" and event.row_key.value is not None:
            writer_id = int(event.row_key.value)
            if writer_id != self.writer_id:
                self.load_writer(writer_id)

    # ---- opening ---------------------------------------------------------------------

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.data_table.id == "writers":
            self.query_one("#writer-bundles", KeyTable).focus()
        else:
            self.action_open()

    def action_open(self) -> None:
        from classpay_tui.tui.screens.details import DetailsScreen

        if self.desk.is_writer:
            return
        focused = self.focused
        bundle_id: int | None = None
        if isinstance(focused, KeyTable) and focused.id == "writer-bundles" and focused.current_key:
            bundle_id = int(focused.current_key)
        elif isinstance(focused, KeyTable) and focused.id == "writer-payouts" and focused.current_key:
            bundle_id = next((p.bundle_id for p in self.payouts if str(p.id) == focused.current_key), None)
        if bundle_id is not None:
            self.app.push_screen(DetailsScreen(self.desk, bundle_id))

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

    def _selected_payout(self) -> WriterPaymentOut | None:
        key = self.query_one("#writer-payouts", KeyTable).current_key
        payout = next((item for item in self.payouts if str(item.id) == key), None)
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
