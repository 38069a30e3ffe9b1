"""Refund (``F``, admin): money back to the client, as a ledger entry of its own."""

from __future__ import annotations

from decimal import Decimal

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Select, Static

from classpay_tui.domain.errors import ClasspayError
from classpay_tui.domain.money import format_money, parse_amount
from classpay_tui.domain.statuses import PaymentMethod
from classpay_tui.services.schemas import PaymentDetails, PaymentIn, PaymentResult
from classpay_tui.tui.desk import Desk
from classpay_tui.tui.modals.form import FormModal, Review, field_row
from classpay_tui.tui.modals.record_payment import METHODS
from classpay_tui.tui.safe import clean, safe_text
from classpay_tui.tui.widgets.field import Field


class RefundModal(FormModal[PaymentResult]):
    heading = "Refund"

    def __init__(self, desk: Desk, details: PaymentDetails) -> None:
        super().__init__(desk)
        self.details = details
        self.reference = f"RF-{desk.service.suggest_reference(details.bundle_id)}"  # no database work

    def body(self) -> ComposeResult:
        details = self.details
        line = Text(f"Bundle #{details.bundle_id} · ", end="")
        line.append_text(safe_text(details.client_name, width=30))
        line.append(f" · {format_money(details.amount_paid)} paid so far")
        yield Static(line, classes="line")
        yield from field_row("Amount", Field("", placeholder="to return", id="amount"), error="amount-error")
        method = Select(METHODS, value=PaymentMethod.BANK_TRANSFER.value, allow_blank=False, compact=True, id="method")
        yield from field_row("Method", method)
        yield from field_row("Reference", Field(self.reference, id="reference"), error="reference-error")
        yield from field_row("Note", Field("", placeholder="why", id="note"))

    def on_mount(self) -> None:
        self.query_one("#amount", Field).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "amount" and event.value.strip():
            self._amount()

    def _amount(self) -> Decimal | None:
        paid = self.details.amount_paid
        try:
            amount = parse_amount(self.query_one("#amount", Field).value, what="The refund")
            if amount > paid:
                raise ClasspayError(f"A refund of {format_money(amount)} is more than the {format_money(paid)} paid.")
        except ClasspayError as error:
            self.error("amount-error", str(error))
            return None
        self.error("amount-error", None)
        return amount

    def review(self) -> Review[PaymentResult] | None:
        amount = self._amount()
        reference = clean(self.query_one("#reference", Field).value).strip()
        self.error("reference-error", None if reference else "The reference is empty.")
        if amount is None or not reference:
            return None
        method = PaymentMethod(self.select_value(self.query_one("#method", Select)) or PaymentMethod.OTHER.value)
        note = clean(self.query_one("#note", Field).value).strip() or None
        data = PaymentIn(amount=amount, reference=reference, method=method, note=note)
        desk, details = self.desk, self.details
        who = Text(f"{format_money(amount)} back to ", end="")
        who.append_text(safe_text(details.client_name, width=40))
        who.append(f" (bundle #{details.bundle_id}) by {method.value.replace('_', ' ')}")
        after = details.balance_remaining + amount
        effect = f"balance {format_money(details.balance_remaining)} → {format_money(after)}"
        return Review(
            title="Refund this amount?",
            lines=[who, Text(effect, style="bold"), "Installments are un-paid latest first, the deposit last."],
            call=lambda: desk.service.refund(desk.operator, details.bundle_id, data),
            confirm_hint="Enter refunds it",
        )
