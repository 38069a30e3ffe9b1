"""Mark one writer payout paid (``M``, admin)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from classpay_tui.domain.money import format_money
from classpay_tui.services.schemas import WriterPaymentOut
from classpay_tui.tui.desk import Desk
from classpay_tui.tui.modals.form import FormModal, Review, field_row
from classpay_tui.tui.safe import clean, safe_text
from classpay_tui.tui.widgets.field import Field


def describe_payout(payout: WriterPaymentOut) -> Text:
    text = Text(f"Payout #{payout.id}: {format_money(payout.amount)} to ", end="")
    text.append_text(safe_text(payout.writer_username, width=20))
    text.append(f" for bundle #{payout.bundle_id}, scheduled {payout.scheduled_for.isoformat()}")
    return text


class PayPayoutModal(FormModal[WriterPaymentOut]):
    heading = "Mark payout paid"

    def __init__(self, desk: Desk, payout: WriterPaymentOut) -> None:
        super().__init__(desk)
        self.payout = payout

    def body(self) -> ComposeResult:
        yield Static(describe_payout(self.payout), classes="line")
        suggestion = f"PO-{self.payout.id}-{self.desk.today():%Y%m%d}"
        yield from field_row("Reference", Field(suggestion, id="reference"), error="reference-error")

    def on_mount(self) -> None:
        self.query_one("#reference", Field).focus()

    def review(self) -> Review[WriterPaymentOut] | None:
        reference = clean(self.query_one("#reference", Field).value).strip()
        self.error("reference-error", None if reference else "The reference is empty.")
        if not reference:
            return None
        desk, payout = self.desk, self.payout
        return Review(
            title="Mark this payout paid?",
            lines=[describe_payout(payout), safe_text(f"Reference {reference}, paid today")],
            call=lambda: desk.service.pay_payout(desk.operator, payout.id, reference),
            confirm_hint="Enter marks it paid",
        )
