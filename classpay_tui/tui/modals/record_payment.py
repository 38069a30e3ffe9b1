"""Record payment (``p``): prefilled with what is owed, checked as you type, confirmed
with its effect, recorded once.

The dialog is kept (installed) once made, one per mode, and refilled for the next payment
(:func:`open_payment_dialog`): making one composes and mounts some forty widgets, a third
of the time from ``p`` to the dialog on screen. A refill sets every field from the bundle
read for it, as a new dialog would, and keeps nothing of the last payment.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Input, Select, Static

from classpay_tui.domain.errors import ClasspayError
from classpay_tui.domain.money import format_money, parse_amount
from classpay_tui.domain.statuses import PaymentMethod
from classpay_tui.services.schemas import PaymentIn, PaymentResult, PaymentSummary
from classpay_tui.tui import effects
from classpay_tui.tui.desk import Desk
from classpay_tui.tui.modals.form import FormModal, Review, field_row
from classpay_tui.tui.safe import clean, safe_text
from classpay_tui.tui.widgets.field import Field

METHODS = [(method.value.replace("_", " "), method.value) for method in PaymentMethod]


def parse_day(text: str, today: date, what: str = "The date") -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ClasspayError(f"{what} {clean(text)!r} is not a date; type it as YYYY-MM-DD.") from None
    if day > today:
        raise ClasspayError(f"{what} {day.isoformat()} is in the future.")
    return day


class RecordPaymentModal(FormModal[PaymentResult]):
    heading = "Record payment"

    def __init__(self, desk: Desk, summary: PaymentSummary, target: effects.Target) -> None:
        super().__init__(desk)
        self._take(summary, target)

    def _take(self, summary: PaymentSummary, target: effects.Target) -> None:
        self.summary = summary
        self.targets = {option.key: option for option in effects.targets(summary)}
        self.target = target
        # One suggestion for this payment, so a retry reuses it and the service's
        # idempotency by reference makes a second press harmless. (No database work.)
        self.reference = self.desk.service.suggest_reference(summary.bundle_id)

    def body(self) -> ComposeResult:
        yield Static(self._bundle_line(), classes="line", id="bundle-line")
        yield from field_row(
            "For", Select(self._target_options(), value=self.target.key, allow_blank=False, compact=True, id="target")
        )
        yield from field_row("Amount", Field(f"{self.target.owed:.2f}", id="amount"), error="amount-error")
        yield from field_row(
            "Method", Select(METHODS, value=PaymentMethod.CASH.value, allow_blank=False, compact=True, id="method")
        )
        yield from field_row("Reference", Field(self.reference, id="reference"), error="reference-error")
        yield from field_row("Date", Field(self.desk.today().isoformat(), id="date"), error="date-error")
        yield from field_row("Note", Field("", placeholder="optional", id="note"))
        yield Static("", id="effect", classes="effect")

    def _bundle_line(self) -> Text:
        summary = self.summary
        line = Text(f"Bundle #{summary.bundle_id} · ", end="")
        line.append_text(safe_text(summary.client_name, width=30))
        line.append(" · ")
        line.append_text(safe_text(summary.title, width=30))
        return line

    def _target_options(self) -> list[tuple[Text, str]]:
        return [(Text(option.label), key) for key, option in self.targets.items()]

    def on_mount(self) -> None:
        self.query_one("#amount", Field).focus()
        self.check()

    def load(self, desk: Desk, summary: PaymentSummary, target: effects.Target) -> None:
        """Refill this kept dialog for another payment, exactly as a new one starts: the
        bundle's line and targets, what is owed, cash, a new reference, today, no note, no
        message, the amount focused and selected (typing replaces it)."""
        self.desk = desk
        self._take(summary, target)
        self.ready_again()
        self.query_one("#bundle-line", Static).update(self._bundle_line())
        fields = {"amount": f"{target.owed:.2f}", "reference": self.reference, "date": desk.today().isoformat()}
        # Set as a new dialog sets them: no change events, or a late one would reset what
        # the clerk has typed since.
        with self.prevent(Select.Changed, Input.Changed):
            for select in self.query(Select):
                select.expanded = False
            chooser = self.query_one("#target", Select)
            chooser.set_options(self._target_options())
            chooser.value = target.key
            chooser.mutate_reactive(Select.value)  # the same key shows its new label (what it owes now)
            self.query_one("#method", Select).value = PaymentMethod.CASH.value
            for field in self.query(Field):
                value = fields.get(field.id or "", "")
                field.value = value
                field.cursor_position = len(value)
        amount = self.query_one("#amount", Field)
        self.set_focus(amount)
        amount.select_all()
        self.check()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "target" and isinstance(event.value, str) and event.value in self.targets:
            self.target = self.targets[event.value]
            self.query_one("#amount", Field).value = f"{self.target.owed:.2f}"
            self.check()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.check()

    def check(self) -> tuple[Decimal, date, str] | None:
        """Validate every field in place; the values when all are good."""
        amount = self._amount()
        day = self._day()
        reference = clean(self.query_one("#reference", Field).value).strip()
        self.error("reference-error", None if reference else "The reference is empty; keep the suggestion or type one.")
        if amount is None or day is None or not reference:
            return None
        return amount, day, reference

    def _amount(self) -> Decimal | None:
        effect = self.query_one("#effect", Static)
        try:
            amount = parse_amount(self.query_one("#amount", Field).value)
            outcome = effects.preview(self.summary, self.target, amount)
        except ClasspayError as error:
            self.error("amount-error", str(error))
            effect.update("")
            return None
        self.error("amount-error", None)
        effect.update(Text(f"→ {outcome}", style="bold"))
        return amount

    def _day(self) -> date | None:
        try:
            day = parse_day(self.query_one("#date", Field).value, self.desk.today(), "The payment date")
        except ClasspayError as error:
            self.error("date-error", str(error))
            return None
        self.error("date-error", None)
        return day

    def review(self) -> Review[PaymentResult] | None:
        values = self.check()
        if values is None:
            return None
        amount, day, reference = values
        method = self.select_value(self.query_one("#method", Select)) or PaymentMethod.CASH.value
        note = clean(self.query_one("#note", Field).value).strip() or None
        summary, target, desk = self.summary, self.target, self.desk
        data = PaymentIn(amount=amount, reference=reference, method=PaymentMethod(method), received_on=day, note=note)
        who = Text(f"Bundle #{summary.bundle_id} · ", end="")
        who.append_text(safe_text(summary.client_name, width=40))
        paid = Text(f"{format_money(amount)} {summary.currency} by {method.replace('_', ' ')}, reference ", end="")
        paid.append_text(safe_text(reference, width=40))
        paid.append(f", on {day.isoformat()}")
        return Review(
            title="Record this payment?",
            lines=[who, paid, Text(effects.preview(summary, target, amount), style="bold")],
            call=lambda: desk.service.record_payment(
                desk.operator, summary.bundle_id, data, **target.service_arguments()
            ),
            confirm_hint="Enter records it",
        )


def open_payment_dialog(
    caller: Screen[object],
    desk: Desk,
    summary: PaymentSummary,
    target: effects.Target,
    done: Callable[[PaymentResult | None], None],
) -> None:
    """The payment dialog over ``caller`` for ``summary``: the one kept for this mode,
    refilled. The first one made is kept; while the kept one is in use, a new one is made."""
    app = caller.app
    name = f"record-payment:{app.current_mode}"
    kept = app.get_screen(name) if app.is_screen_installed(name) else None
    if isinstance(kept, RecordPaymentModal) and kept not in app.screen_stack and kept.is_running:
        kept.load(desk, summary, target)
        dialog = kept
    else:
        dialog = RecordPaymentModal(desk, summary, target)
        if kept is None:
            app.install_screen(dialog, name)
    app.push_screen(dialog, callback=done)
