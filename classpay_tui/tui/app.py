"""The classpay terminal app: bundles, payment details, writer payouts.

Only the first screen is imported at start-up; the others when they are first opened.
"""

from __future__ import annotations

import gc
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from classpay_tui.domain.statuses import Role
from classpay_tui.services import ClassPaymentService, OperatorContext
from classpay_tui.services.context import Clock
from classpay_tui.services.permissions import Action
from classpay_tui.tui.commands import ActionsProvider
from classpay_tui.tui.desk import Desk
from classpay_tui.tui.safe import clean


def resume_collector() -> None:
    """`classpay` starts with the garbage collector paused (``cli.main``); once the first
    frame is painted, what start-up made (modules, classes, the screen: it lives as long as
    the app) is frozen out of later collections, and the collector runs again. Without the
    freeze, its first full collection walks all of it, just as the rows are due."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


SCREENS_FOR = {"show_overdue": Action.READ_PAYMENTS, "show_reports": Action.READ_REPORTS}


class ClasspayApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "classpay"
    COMMANDS = App.COMMANDS | {ActionsProvider}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", id="app.help", tooltip="The keys of this screen"),
        Binding("1", "show_bundles", "Bundles", id="app.bundles", show=False, tooltip="The bundle list"),
        Binding("2", "show_writers", "Writers", id="app.writers", show=False, tooltip="Writer payouts"),
        Binding("3", "show_overdue", "Overdue", id="app.overdue", show=False, tooltip="Late installments, reminders"),
        Binding("4", "show_reports", "Reports", id="app.reports", show=False, tooltip="Collections, aging, writers"),
        Binding("q", "quit", "Quit", id="app.quit", show=False, tooltip="Leave classpay (ctrl+q too)"),
    ]

    def __init__(
        self,
        service: ClassPaymentService,
        operator: OperatorContext,
        clock: Clock | None = None,
        *,
        cursor_blink: bool = True,
    ) -> None:
        super().__init__()
        self.desk = Desk(service, operator, clock or service.clock)
        self.cursor_blink_enabled = cursor_blink
        self.sub_title = clean(f"{operator.login} ({operator.role.value}) · {service.db.describe()}")

    def on_mount(self) -> None:
        self.add_mode("bundles", self._bundles_screen)
        self.add_mode("writers", self._writers_screen)
        self.add_mode("overdue", self._overdue_screen)
        self.add_mode("reports", self._reports_screen)
        self.switch_mode("writers" if self.desk.operator.role is Role.WRITER else "bundles")
        self.call_after_refresh(resume_collector)

    # A mode's screen is made (and its module imported) the first time the mode is opened.
    def _bundles_screen(self) -> Screen[None]:
        from classpay_tui.tui.screens.bundles import BundlesScreen

        return BundlesScreen(self.desk)

    def _writers_screen(self) -> Screen[None]:
        from classpay_tui.tui.screens.writers import WritersScreen

        return WritersScreen(self.desk)

    def _overdue_screen(self) -> Screen[None]:
        from classpay_tui.tui.screens.overdue import OverdueScreen

        return OverdueScreen(self.desk)

    def _reports_screen(self) -> Screen[None]:
        from classpay_tui.tui.screens.reports import ReportsScreen

        return ReportsScreen(self.desk)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "show_bundles":
            return self.desk.operator.role is not Role.WRITER
        if action == "show_writers":
            return self.current_mode != "writers"
        if action in SCREENS_FOR:  # writers never see these: they see only their payouts
            return not self.desk.is_writer and self.desk.can(SCREENS_FOR[action])
        return True

    def action_show_bundles(self) -> None:
        self.switch_mode("bundles")

    def action_show_writers(self) -> None:
        self.switch_mode("writers")

    def action_show_overdue(self) -> None:
        self.switch_mode("overdue")

    def action_show_reports(self) -> None:
        self.switch_mode("reports")

    def action_help(self) -> None:
        from classpay_tui.tui.modals.help import HelpModal, key_lines

        screen = self.screen
        if isinstance(screen, HelpModal):
            return
        self.push_screen(HelpModal(screen.title or self.title, key_lines(screen)))
