"""Overdue (``3``): every unpaid installment past due on a day, oldest first, with days
late, who to contact and the last reminder sent; pick rows and make reminders for them."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Static

from classpay_tui.domain.errors import ClasspayError
from classpay_tui.services.permissions import Action
from classpay_tui.services.schemas import OverdueInstallment
from classpay_tui.tui.dates import parse_date
from classpay_tui.tui.desk import Desk
from classpay_tui.tui.jobs import in_thread
from classpay_tui.tui.modals.make_reminders import Made, MakeRemindersModal
from classpay_tui.tui.notices import toast
from classpay_tui.tui.safe import clean
from classpay_tui.tui.widgets import overdue_rows as rows
from classpay_tui.tui.widgets.field import Field
from classpay_tui.tui.widgets.key_table import KeyTable
from classpay_tui.tui.widgets.status_line import StatusLine


class OverdueScreen(Screen[None]):
    TITLE = "Overdue"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Bundles", id="overdue.back", tooltip="Back to the bundle list"),
        Binding("space", "pick", "Pick", id="overdue.pick", tooltip="Pick the row for reminders (again: unpick)"),
        Binding("a", "pick_all", "All", id="overdue.all", tooltip="Pick every row, or none when all are picked"),
        Binding("m", "remind", "Remind", id="overdue.remind", tooltip="Make reminders for the picked rows"),
        Binding("enter", "open", "Open", id="overdue.open", tooltip="Open the bundle's payment details"),
        Binding("d", "as_of", "Date", id="overdue.date", tooltip="Overdue on another day (type YYYY-MM-DD)"),
        Binding("r", "reload", "Reload", id="overdue.reload", show=False, tooltip="Read the list again"),
    ]

    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self.as_of = desk.today()
        self.items: list[OverdueInstallment] = []
        self.picked: set[int] = set()

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="overdue-top"):
            yield Label("As of", classes="label")
            yield Field(self.as_of.isoformat(), id="as-of")
            yield StatusLine(id="overdue-status")
        yield Static("", id="overdue-error")
        yield KeyTable(rows.COLUMNS, id="overdue")
        yield Static("", id="overdue-empty")
        yield Footer(compact=True)

    @property
    def table(self) -> KeyTable:
        return self.query_one("#overdue", KeyTable)

    def on_mount(self) -> None:
        self.table.focus()

    def on_screen_resume(self) -> None:
        self.action_reload()

    # ---- loading -------------------------------------------------------------------

    def action_reload(self) -> None:
        service, ctx, as_of = self.desk.service, self.desk.operator, self.as_of
        in_thread(self, lambda: service.overdue(ctx, as_of), self._show, group="overdue", failed=self._failed)

    def _show(self, items: list[OverdueInstallment]) -> None:
        self.items = items
        ids = {item.installment_id for item in items}
        self.picked &= ids  # paid meanwhile: no longer pickable
        self.table.fill(rows.rows(items, self.picked))
        self._status()
        empty = self.query_one("#overdue-empty", Static)
        empty.update("" if items else f"Nothing is overdue on {self.as_of.isoformat()}.")
        empty.set_class(not items, "-shown")
        self._error(None)

    def _failed(self, sentence: str) -> None:
        self._error(sentence)

    def _error(self, message: str | None) -> None:
        error = self.query_one("#overdue-error", Static)
        error.update(Text(f"✗ {clean(message)}", end="") if message else "")
        error.set_class(bool(message), "-shown")

    def _status(self) -> None:
        self.query_one("#overdue-status", StatusLine).text = rows.totals(self.items, self.picked)

    # ---- the day -----------------------------------------------------------------------

    def action_as_of(self) -> None:
        self.query_one("#as-of", Field).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            as_of = parse_date(event.value, "The day")
        except ClasspayError as error:
            self._error(str(error))
            return
        self.as_of = as_of
        self.table.focus()
        self.action_reload()

    # ---- picking and reminders ------------------------------------------------------

    def _current(self) -> OverdueInstallment | None:
        key = self.table.current_key
        return next((item for item in self.items if str(item.installment_id) == key), None)

    def _repaint(self) -> None:
        self.table.fill(rows.rows(self.items, self.picked))
        self._status()

    def action_pick(self) -> None:
        item = self._current()
        if item is None:
            return
        self.picked ^= {item.installment_id}
        self._repaint()
        self.table.action_cursor_down()

    def action_pick_all(self) -> None:
        every = {item.installment_id for item in self.items}
        self.picked = set() if self.picked == every else every
        self._repaint()

    def action_remind(self) -> None:
        if not self.desk.can(Action.MAKE_REMINDERS):
            return
        if not self.picked:
            toast(self, "Pick the installments to remind first: space picks a row, a picks them all.")
            return
        ids = [item.installment_id for item in self.items if item.installment_id in self.picked]
        summary = Text(f"{len(ids)} picked, overdue on {self.as_of.isoformat()}", end="")
        self.app.push_screen(MakeRemindersModal(self.desk, self.as_of, ids, summary), callback=self._made)

    def _made(self, made: Made | None) -> None:
        if made is None:
            return
        if not made.batch.reminders:
            toast(self, "None of the picked installments is overdue any more; nothing was made.")
        else:
            toast(self, made.sentence(), title="Reminders")
            self.picked.clear()
        self.action_reload()

    # ---- elsewhere -------------------------------------------------------------------

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        from classpay_tui.tui.screens.details import open_details

        item = self._current()
        if item is not None:
            open_details(self, self.desk, item.bundle_id)

    def action_back(self) -> None:
        if self.focused is not self.table:
            self.query_one("#as-of", Field).value = self.as_of.isoformat()
            self.table.focus()
            return
        self.app.switch_mode("bundles")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "remind":
            return self.desk.allow(Action.MAKE_REMINDERS)
        return True

    def palette_commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        return []
