"""Payment details: one bundle as the seed's response shows it, with its actions.

:func:`open_details` is how a list opens it: the bundle is read first, then the screen
kept for the mode is refilled with it and shown, and paints in one update tick. A screen
made anew is composed, mounted and laid out; Textual then paints it three or four times,
the last a frame (1/60 s) after the first, when the new screen's first update tick comes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, Self

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.screen import Screen
from textual.widgets import Static

from classpay_tui.services.permissions import Action
from classpay_tui.services.schemas import PaymentDetails, PaymentResult, WriterPaymentOut
from classpay_tui.tui import effects
from classpay_tui.tui.desk import Desk
from classpay_tui.tui.jobs import in_thread
from classpay_tui.tui.modals.assign_writer import AssignWriterModal
from classpay_tui.tui.modals.confirm import ConfirmModal
from classpay_tui.tui.modals.record_payment import open_payment_dialog
from classpay_tui.tui.modals.refund import RefundModal
from classpay_tui.tui.modals.reverse_payment import ReverseModal
from classpay_tui.tui.modals.schedule_payout import ScheduleModal
from classpay_tui.tui.notices import toast
from classpay_tui.tui.widgets import detail_rows as rows
from classpay_tui.tui.widgets.key_footer import KeyFooter
from classpay_tui.tui.widgets.key_rows import KeyRows
from classpay_tui.tui.widgets.title_bar import TitleBar

ADMIN_ACTIONS = {
    "refresh_status": Action.REFRESH_STATUS,
    "schedule": Action.SCHEDULE_WRITER_PAYMENT,
    "refund": Action.REFUND,
    "reverse": Action.REVERSE,
}


class DetailsBody(VerticalScroll):
    """The scrolling page under the title line. It and the screen are only background, all
    covered by what they hold: painted as blank lines, not rendered line by line."""

    BLANK = True


class DetailsScreen(Screen[None]):
    TITLE = "Payment details"
    BLANK = True
    AUTO_FOCUS = "#installments"  # focused as it is mounted: no second restyle for a focus change
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="details.back", tooltip="Back to the list"),
        Binding("p", "pay", "Pay", id="details.pay", tooltip="Record a payment for the selected installment"),
        Binding("w", "assign_writer", "Writer", id="details.assign", tooltip="Assign or reassign the writer"),
        Binding("R", "refresh_status", "Refresh", id="details.refresh", tooltip="Recompute the status (admin)"),
        Binding("S", "schedule", "Payout", id="details.schedule", tooltip="Schedule a writer payout (admin)"),
        Binding("F", "refund", "Refund", id="details.refund", tooltip="Return money to the client (admin)"),
        Binding("X", "reverse", "Reverse", id="details.reverse", tooltip="Reverse the selected ledger entry (admin)"),
        Binding("r", "reload", "Reload", id="details.reload", show=False, tooltip="Read the bundle again"),
    ]

    def __init__(self, desk: Desk, bundle_id: int, *, details: PaymentDetails | None = None) -> None:
        """The screen of ``bundle_id``; with ``details`` (already read), shown as it is mounted."""
        super().__init__()
        self.desk = desk
        self.bundle_id = bundle_id
        self.details: PaymentDetails | None = None
        self._early = details
        self._reading = details is not None or self._read_early()

    def compose(self) -> ComposeResult:
        # Few widgets, each painted line by line: every widget is a style lookup and a
        # layout, and this screen must open within a frame or two of Enter.
        yield TitleBar()
        with DetailsBody(id="details-body"):
            yield Static(f"Loading bundle {self.bundle_id}…", id="summary")
            yield KeyRows(rows.INSTALLMENT_COLUMNS, title="Installments", id="installments")
            yield KeyRows(rows.LEDGER_COLUMNS, title="Client ledger", id="ledger")
            yield KeyRows(rows.PAYOUT_COLUMNS, title="Writer payouts", id="payouts")
        yield KeyFooter()

    def _read_early(self) -> bool:
        """Start reading the bundle as the screen is made, not once it is mounted: the read
        overlaps building the screen, which then lays out and paints once, with the data."""
        try:
            app = self.app
        except RuntimeError:  # made outside a running app: read when mounted
            return False
        service, bundle_id, ctx = self.desk.service, self.bundle_id, self.desk.operator
        in_thread(
            app, lambda: service.get_payment_details(ctx, bundle_id), self._arrived, group="details", exclusive=False
        )
        return True

    def _arrived(self, details: PaymentDetails) -> None:
        if self.is_mounted and self.is_attached:
            self.show(details)
        else:
            self._early = details  # shown by on_mount

    def on_mount(self) -> None:
        if self._early is not None:
            self.show(self._early)
            self._early = None
        elif not self._reading:
            self.action_reload()

    def load(self, desk: Desk, details: PaymentDetails) -> None:
        """Show another bundle on this (kept) screen, as a screen just made shows it: the
        cursors on the next unpaid installment and the newest ledger entry, the tables'
        columns as wide as these rows need, scrolled to the top, the installments focused."""
        self.desk = desk
        self.bundle_id = details.bundle_id
        self.details = None
        for table in self.query(KeyRows):
            table.reset()
        self.query_one("#details-body", DetailsBody).scroll_to(0, 0, animate=False, immediate=True)
        self.show(details)
        self.set_focus(self.query_one("#installments", KeyRows), scroll_visible=False)

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False) -> Self:
        # Textual passes what the screen underneath repaints up to the top screen (regions
        # given here, by Screen._compositor_refresh: nothing else calls a screen's refresh
        # with regions). This screen is opaque, so none of it can show through, and
        # repainting for it would cost a frame a tick or two after every open.
        if regions and not (layout or recompose) and self.styles.background.a == 1:
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def action_reload(self) -> None:
        service, bundle_id = self.desk.service, self.bundle_id
        ctx = self.desk.operator
        in_thread(self, lambda: service.get_payment_details(ctx, bundle_id), self.show, group="details")

    def show(self, details: PaymentDetails, *, to_next_unpaid: bool = True) -> None:
        if details.bundle_id != self.bundle_id:  # read for the bundle this kept screen showed before
            return
        first = self.details is None
        self.details = details
        self.query_one("#summary", Static).update(rows.summary(details))
        installment_rows = rows.installment_rows(details)
        cursor = rows.next_unpaid_key(installment_rows, details) if (first or to_next_unpaid) else None
        self.query_one("#installments", KeyRows).fill(installment_rows, cursor_on=cursor)
        ledger = self.query_one("#ledger", KeyRows)
        ledger_rows = rows.ledger_rows(details)
        ledger.fill(ledger_rows, cursor_on=ledger_rows[-1][0] if first and ledger_rows else None)
        ledger.set_title("Client ledger" if ledger_rows else "Client ledger — nothing received yet")
        payouts = self.query_one("#payouts", KeyRows)
        payouts.fill(rows.payout_rows(details.writer_payments))
        payouts.set_title("Writer payouts" if details.writer_payments else "Writer payouts — none scheduled yet")

    def action_back(self) -> None:
        self.dismiss()

    # ---- everyone's actions -----------------------------------------------------------

    def action_pay(self) -> None:
        details = self.details
        if details is None:
            return
        selected = self.query_one("#installments", KeyRows).current_key
        target = effects.default_target(details, selected)
        if target is None:
            toast(self, f"Bundle {details.bundle_id} is paid in full; nothing is owed.")
            return
        open_payment_dialog(self, self.desk, details, target, self._recorded)

    def _recorded(self, result: PaymentResult | None) -> None:
        if result is not None:
            toast(self, f"Bundle {result.details.bundle_id}: {result.effect}", title="Done")
            self.show(result.details)

    def action_assign_writer(self) -> None:
        if self.details is not None:
            self.app.push_screen(AssignWriterModal(self.desk, self.details), callback=self._assigned)

    def _assigned(self, details: PaymentDetails | None) -> None:
        if details is not None:
            writer = details.assigned_writer_username or "nobody"
            toast(self, f"Bundle {details.bundle_id} is assigned to {writer}.", title="Writer assigned")
            self.show(details, to_next_unpaid=False)

    # ---- admin actions: capital letters, each confirmed ---------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ADMIN_ACTIONS:
            return self.desk.allow(ADMIN_ACTIONS[action])
        if action == "pay":
            return self.desk.allow(Action.RECORD_PAYMENT)
        if action == "assign_writer":
            return self.desk.allow(Action.ASSIGN_WRITER)
        return True

    def _admin(self, action: str) -> PaymentDetails | None:
        """The details, when they are loaded and the operator may do ``action``."""
        if not self.desk.can(ADMIN_ACTIONS[action]):
            return None
        return self.details

    def action_refresh_status(self) -> None:
        details = self._admin("refresh_status")
        if details is None:
            return
        service, ctx = self.desk.service, self.desk.operator

        def answered(yes: bool | None) -> None:
            if yes:
                in_thread(self, lambda: service.refresh_status(ctx, details.id), self._refreshed, group="admin")

        self.app.push_screen(
            ConfirmModal(
                f"Refresh the status of bundle #{details.bundle_id}?",
                ["Recomputes every summary number from the ledger and schedules a writer payout that is due."],
                confirm="Enter refreshes",
            ),
            callback=answered,
        )

    def _refreshed(self, details: PaymentDetails) -> None:
        toast(self, f"Bundle {details.bundle_id} refreshed: {details.client_payment_status.value}.", title="Status")
        self.show(details, to_next_unpaid=False)

    def action_schedule(self) -> None:
        details = self._admin("schedule")
        if details is not None:
            self.app.push_screen(ScheduleModal(self.desk, details), callback=self._scheduled)

    def _scheduled(self, payout: WriterPaymentOut | None) -> None:
        if payout is not None:
            toast(self, f"Payout #{payout.id} scheduled for {payout.scheduled_for.isoformat()}.", title="Scheduled")
            self.action_reload()

    def action_refund(self) -> None:
        details = self._admin("refund")
        if details is not None:
            self.app.push_screen(RefundModal(self.desk, details), callback=self._recorded)

    def action_reverse(self) -> None:
        details = self._admin("reverse")
        if details is None:
            return
        key = self.query_one("#ledger", KeyRows).current_key
        entry = next((item for item in details.ledger if str(item.id) == key), None)
        if entry is None:
            toast(self, "Choose a ledger entry to reverse first (Tab to the ledger, then ↑/↓).")
            return
        self.app.push_screen(ReverseModal(self.desk, entry), callback=self._recorded)

    def palette_commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        return []


def open_details(caller: Screen[object], desk: Desk, bundle_id: int) -> None:
    """Read ``bundle_id``'s details, then show them over ``caller`` (the screen it was chosen
    on, if that is still the one in front) on the details screen kept for this mode.

    Kept (installed) screens stay mounted when they are closed, so the next bundle only
    refills one: no compose, no mount, and its first update tick comes at once, so it
    paints in the frame after the read. A screen is kept per mode, as each mode has its own
    stack; while the kept one is in use (further down this stack) a new one is made.
    """
    app = caller.app

    def arrived(details: PaymentDetails) -> None:
        if app.screen is not caller:  # the operator went elsewhere while it was read
            return
        name = f"details:{app.current_mode}"
        if not app.is_screen_installed(name):
            screen = DetailsScreen(desk, bundle_id, details=details)
            app.install_screen(screen, name)
        else:
            kept = app.get_screen(name)
            if isinstance(kept, DetailsScreen) and kept not in app.screen_stack and kept.is_running:
                kept.load(desk, details)
                screen = kept
            else:
                screen = DetailsScreen(desk, bundle_id, details=details)
        app.push_screen(screen)

    # The service is asked for in the worker: just after start-up it may still be on its way.
    in_thread(caller, lambda: desk.service.get_payment_details(desk.operator, bundle_id), arrived, group="details")
