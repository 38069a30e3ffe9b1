"""Reverse a payment (``X``, admin): a reversal entry undoes it; the original stays."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from classpay_tui.domain.money import format_money
from classpay_tui.services.schemas import LedgerEntryOut, PaymentResult
from classpay_tui.tui.desk import Desk
from classpay_tui.tui.modals.form import FormModal, Review, field_row
from classpay_tui.tui.safe import clean, safe_text
from classpay_tui.tui.widgets.field import Field


def describe_entry(entry: LedgerEntryOut) -> Text:
    text = Text(f"#{entry.id} {entry.kind.value} of {format_money(entry.amount)}, reference ", end="")
    text.append_text(safe_text(entry.reference, width=30))
    text.append(f", received {entry.received_at.date().isoformat()}")
    return text


class ReverseModal(FormModal[PaymentResult]):
    heading = "Reverse payment"

    def __init__(self, desk: Desk, entry: LedgerEntryOut) -> None:
        super().__init__(desk)
        self.entry = entry

    def body(self) -> ComposeResult:
        yield Static(describe_entry(self.entry), classes="line")
        yield from field_row("Reason", Field("", placeholder="why it is undone", id="reason"), error="reason-error")

    def on_mount(self) -> None:
        self.query_one("#reason", Field).focus()

    def review(self) -> Review[PaymentResult] | None:
        reason = clean(self.query_one("#reason", Field).value).strip()
        self.error("reason-error", None if reason else "Say why the payment is reversed.")
        if not reason:
            return None
        desk, entry = self.desk, self.entry
        return Review(
            title="Reverse this payment?",
            lines=[describe_entry(entry), safe_text(f"Reason: {reason}"), "The original entry stays in the ledger."],
            call=lambda: desk.service.reverse_payment(desk.operator, entry.id, reason),
            confirm_hint="Enter reverses it",
        )
