"""The payout run (``U``, admin): every scheduled payout due by a date, paid in one go.

Before asking, it counts what the run would pay (in a worker), so the confirmation
names the number of payouts and their total."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from classpay_tui.domain.errors import ClasspayError
from classpay_tui.domain.money import ZERO, format_money
from classpay_tui.services.schemas import WriterPaymentOut
from classpay_tui.tui.jobs import in_thread
from classpay_tui.tui.modals.confirm import ConfirmModal
from classpay_tui.tui.modals.form import FormModal, Review, field_row
from classpay_tui.tui.safe import clean
from classpay_tui.tui.widgets.field import Field


class RunPayoutsModal(FormModal[list[WriterPaymentOut]]):
    heading = "Payout run"

    def body(self) -> ComposeResult:
        today = self.desk.today()
        yield Static("Pays every scheduled payout due on or before the date, all or nothing.", classes="line")
        yield from field_row("Due by", Field(today.isoformat(), id="due-by"), error="due-by-error")
        yield from field_row("Reference", Field(f"RUN-{today:%Y%m%d}", id="prefix"), error="prefix-error")

    def on_mount(self) -> None:
        self.query_one("#due-by", Field).focus()

    def _values(self) -> tuple[date, str] | None:
        text = self.query_one("#due-by", Field).value
        try:
            due_by = date.fromisoformat(text.strip())
        except ValueError:
            self.error("due-by-error", str(ClasspayError(f"{clean(text)!r} is not a date; type it as YYYY-MM-DD.")))
            due_by = None
        else:
            self.error("due-by-error", None)
        prefix = clean(self.query_one("#prefix", Field).value).strip()
        self.error("prefix-error", None if prefix else "The reference prefix is empty.")
        return (due_by, prefix) if due_by is not None and prefix else None

    def action_submit(self) -> None:
        """Count the payouts due first (database work, so in a worker), then confirm."""
        if self.busy:
            return
        values = self._values()
        if values is None:
            return
        due_by, prefix = values
        service = self.desk.service
        in_thread(
            self,
            lambda: service.list_payouts(self.desk.operator, status="scheduled", due_by=due_by),
            lambda due: self._confirm(due, due_by, prefix),
            group="count",
            failed=lambda sentence: self.error("form-error", sentence),
        )

    def _confirm(self, due: list[WriterPaymentOut], due_by: date, prefix: str) -> None:
        if not due:
            self.error("form-error", f"No scheduled payout is due by {due_by.isoformat()}; nothing to pay.")
            return
        total = sum((payout.amount for payout in due), ZERO)
        writers = len({payout.writer_id for payout in due})
        desk = self.desk
        checked = Review(
            title="Pay these payouts?",
            lines=[
                Text(f"{len(due)} payouts to {writers} writers, {format_money(total)} in all", style="bold"),
                f"Due by {due_by.isoformat()}; references {prefix}-<payout id>",
            ],
            call=lambda: desk.service.run_payouts(desk.operator, due_by, reference_prefix=prefix),
            confirm_hint="Enter pays them",
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._run(checked)

        self.app.push_screen(ConfirmModal(checked.title, checked.lines, confirm=checked.confirm_hint), answered)

    def review(self) -> Review[list[WriterPaymentOut]] | None:  # the run confirms through action_submit
        return None
