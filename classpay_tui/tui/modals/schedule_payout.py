"""Schedule a writer payout by hand (``S``, admin): all the open compensation, or part of it."""

from __future__ import annotations

from decimal import Decimal

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Static

from classpay_tui.domain.errors import ClasspayError
from classpay_tui.domain.money import ZERO, format_money, parse_amount
from classpay_tui.services.schemas import PaymentDetails, WriterPaymentOut
from classpay_tui.tui.desk import Desk
from classpay_tui.tui.modals.form import FormModal, Review, field_row
from classpay_tui.tui.safe import safe_text
from classpay_tui.tui.widgets.field import Field


def open_compensation(details: PaymentDetails) -> Decimal:
    return max(details.writer_compensation_amount - details.writer_paid_amount - details.writer_scheduled_amount, ZERO)


class ScheduleModal(FormModal[WriterPaymentOut]):
    heading = "Schedule writer payout"

    def __init__(self, desk: Desk, details: PaymentDetails) -> None:
        super().__init__(desk)
        self.details = details

    def body(self) -> ComposeResult:
        details = self.details
        line = Text(f"Bundle #{details.bundle_id} · writer ", end="")
        line.append_text(safe_text(details.assigned_writer_username or "none", width=30))
        line.append(f" · {format_money(open_compensation(details))} not yet paid or scheduled")
        yield Static(line, classes="line")
        yield from field_row("Amount", Field(f"{open_compensation(details):.2f}", id="amount"), error="amount-error")

    def on_mount(self) -> None:
        self.query_one("#amount", Field).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._amount()

    def _amount(self) -> Decimal | None:
        limit = open_compensation(self.details)
        try:
            amount = parse_amount(self.query_one("#amount", Field).value, what="The payout amount")
            if amount > limit:
                raise ClasspayError(
                    f"{format_money(amount)} is {format_money(amount - limit)} more than the "
                    f"{format_money(limit)} of compensation not yet paid or scheduled."
                )
        except ClasspayError as error:
            self.error("amount-error", str(error))
            return None
        self.error("amount-error", None)
        return amount

    def review(self) -> Review[WriterPaymentOut] | None:
        amount = self._amount()
        if amount is None:
            return None
        desk, details = self.desk, self.details
        writer = safe_text(details.assigned_writer_username or "the writer")
        what = Text(f"{format_money(amount)} to ", end="")
        what.append_text(writer)
        what.append(f" for bundle #{details.bundle_id}, on the next payout day")
        return Review(
            title="Schedule this payout?",
            lines=[what],
            call=lambda: desk.service.schedule_writer_payment(desk.operator, details.id, amount),
            confirm_hint="Enter schedules it",
        )
