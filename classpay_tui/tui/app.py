"""The classpay terminal app: bundles, payment details, writer payouts.

Only the first screen is imported at start-up; the others when they are first opened.
"""

from __future__ import annotations

import asyncio
import gc
from typing import TYPE_CHECKING, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from classpay_tui.domain.statuses import Role
from classpay_tui.services.context import Clock, OperatorContext
from classpay_tui.services.permissions import Action
from classpay_tui.tui.commands import ActionsProvider
from classpay_tui.tui.desk import Desk
from classpay_tui.tui.failures import describe_failure
from classpay_tui.tui.opening import Opening, SignedIn
from classpay_tui.tui.safe import clean

if TYPE_CHECKING:
    from classpay_tui.services.class_payment_service import ClassPaymentService


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
        service: ClassPaymentService | None = None,
        operator: OperatorContext | None = None,
        clock: Clock | None = None,
        *,
        cursor_blink: bool = True,
        opening: Opening | None = None,
    ) -> None:
        super().__init__()
        if opening is None:
            if service is None or operator is None:
                raise TypeError("ClasspayApp needs a service and an operator, or an opening")
            opening = Opening.ready(service, operator, clock)
        self.opening = opening
        self.desk = Desk(opening)
        self.cursor_blink_enabled = cursor_blink
        self.failure: str | None = None  # why the app could not open, said after it closes
        if self.desk.signed_in:
            self._show_who(opening.signed_in.result())

    def _show_who(self, signed_in: SignedIn) -> None:
        operator = signed_in.operator
        self.sub_title = clean(f"{operator.login} ({operator.role.value}) · {signed_in.database}")

    def on_mount(self) -> None:
        self.add_mode("bundles", self._bundles_screen)
        self.add_mode("writers", self._writers_screen)
        self.add_mode("overdue", self._overdue_screen)
        self.add_mode("reports", self._reports_screen)
        if self.desk.signed_in:
            self._home()
        else:
            # Who is signed in is still being read (``quick_start``): meanwhile the bundle
            # list, most people's first screen, is built (its first page is on its way too).
            self.switch_mode("bundles")
            self.run_worker(self._sign_in(), exit_on_error=False)
        self.call_after_refresh(resume_collector)

    async def _sign_in(self) -> None:
        try:
            signed_in = await asyncio.wrap_future(self.opening.signed_in)
        except Exception as error:  # one sentence, said once the terminal is back
            self.failure = describe_failure(error)
            self.exit(return_code=1)
            return
        self._show_who(signed_in)
        self._home()
        if self.desk.is_writer:  # the bundle list was built before the role was known
            self.remove_mode("bundles")
        self.screen.refresh_bindings()  # keys a role may not use are dimmed now

    def _home(self) -> None:
        if self.desk.is_writer:  # writers see their payouts; there is no bundle list to paint first
            self.opening.start_service()
            self.switch_mode("writers")
        else:
            self.switch_mode("bundles")

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
        if not self.desk.signed_in:  # still opening: only quitting makes sense
            return action == "quit"
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
