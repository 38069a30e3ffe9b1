"""New bundle (``n``): client, course, price, deposit and the installment plan, with the
plan's amounts and dates previewed as you type."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Select, Static

from classpay_tui.domain.errors import ClasspayError
from classpay_tui.domain.money import ZERO, format_money, parse_amount
from classpay_tui.domain.plans import Frequency, PlannedInstallment, add_months, even_plan
from classpay_tui.services.schemas import BundleIn, PaymentDetails, PlanIn, WriterOut
from classpay_tui.tui.jobs import in_thread
from classpay_tui.tui.modals.form import FormModal, Review, field_row
from classpay_tui.tui.safe import clean
from classpay_tui.tui.widgets.field import Field

EVERY = [
    ("monthly", Frequency.MONTH.value),
    ("every 2 weeks", Frequency.TWO_WEEKS.value),
    ("weekly", Frequency.WEEK.value),
]
PREVIEW_ITEMS = 9


def whole_number(text: str, what: str, low: int, high: int) -> int:
    cleaned = text.strip()
    if not cleaned.isdigit() or not low <= int(cleaned) <= high:
        raise ClasspayError(f"{what} must be a whole number from {low} to {high}.")
    return int(cleaned)


def describe_plan(plan: list[PlannedInstallment]) -> Text:
    text = Text(f"{len(plan)} installments: ", style="bold", end="")
    parts = [f"{format_money(item.amount)} on {item.due_date.isoformat()}" for item in plan[:PREVIEW_ITEMS]]
    text.append(" · ".join(parts))
    if len(plan) > PREVIEW_ITEMS:
        text.append(f" · … {len(plan) - PREVIEW_ITEMS} more, last on {plan[-1].due_date.isoformat()}")
    return text


class NewBundleModal(FormModal[PaymentDetails]):
    heading = "New bundle"

    def body(self) -> ComposeResult:
        first_due = add_months(self.desk.today(), 1)
        yield from field_row("Client", Field(placeholder="name", id="client"), error="client-error")
        yield from field_row("Course", Field(placeholder="title", id="course"), error="course-error")
        yield from field_row("Classes", Field("10", id="classes"), error="classes-error")
        yield from field_row("Total", Field(placeholder="e.g. 1,000", id="total"), error="total-error")
        yield from field_row("Deposit", Field("0", id="deposit"), error="deposit-error")
        yield from field_row("Installments", Field("4", id="count"), error="count-error")
        yield from field_row("First due", Field(first_due.isoformat(), id="first-due"), error="first-due-error")
        every = Select(EVERY, value=Frequency.MONTH.value, allow_blank=False, compact=True, id="every")
        yield from field_row("Every", every)
        yield from field_row("Writer", Select([], prompt="none for now", compact=True, id="writer"))
        yield Static("", id="plan", classes="effect")

    def on_mount(self) -> None:
        self.query_one("#client", Field).focus()
        desk = self.desk
        in_thread(self, lambda: desk.service.list_writers(desk.operator), self._writers, group="writers")

    def _writers(self, writers: list[WriterOut]) -> None:
        options = [(Text(f"{clean(w.username)} — {clean(w.display_name)}"), w.username) for w in writers if w.active]
        self.query_one("#writer", Select).set_options(options)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.preview()

    def on_select_changed(self, event: Select.Changed) -> None:
        self.preview()

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Field).value

    def _checked(self, widget_id: str, parse, *, show: bool = True):  # type: ignore[no-untyped-def]
        try:
            value = parse(self._value(widget_id))
        except ClasspayError as error:
            if show:
                self.error(f"{widget_id}-error", str(error))
            return None
        self.error(f"{widget_id}-error", None)
        return value

    def _money_fields(self, show: bool) -> tuple[Decimal | None, Decimal | None]:
        total = self._checked("total", lambda text: parse_amount(text, what="The total"), show=show)
        deposit = self._checked("deposit", lambda text: parse_amount(text, allow_zero=True, what="The deposit"))
        if total is not None and deposit is not None and deposit > total:
            self.error("deposit-error", f"The deposit {format_money(deposit)} is more than the total.")
            deposit = None
        return total, deposit

    def _plan(self, total: Decimal | None, deposit: Decimal | None) -> tuple[int | None, date | None, Text]:
        count = self._checked("count", lambda text: whole_number(text or "0", "Installments", 0, 120))
        first_due = self._checked("first-due", _any_date)
        every = Frequency(self.select_value(self.query_one("#every", Select)) or Frequency.MONTH.value)
        if total is None or deposit is None or count is None:
            return count, first_due, Text("")
        balance = total - deposit
        if count == 0 or balance == ZERO:
            return count, first_due, Text(f"No installments: {format_money(balance)} is paid after the deposit.")
        if first_due is None:
            return count, first_due, Text("")
        try:
            return count, first_due, describe_plan(even_plan(balance, count, first_due, every))
        except ClasspayError as error:
            self.error("count-error", str(error))
            return None, first_due, Text("")

    def preview(self) -> None:
        total, deposit = self._money_fields(show=bool(self._value("total").strip()))
        _, _, plan = self._plan(total, deposit)
        self.query_one("#plan", Static).update(plan)

    def review(self) -> Review[PaymentDetails] | None:
        client = self._checked("client", lambda text: _required(text, "The client's name"))
        course = self._checked("course", lambda text: _required(text, "The course title"))
        classes = self._checked("classes", lambda text: whole_number(text, "Classes", 1, 1000))
        total, deposit = self._money_fields(show=True)
        count, first_due, plan = self._plan(total, deposit)
        self.query_one("#plan", Static).update(plan)
        values = (client, course, classes, total, deposit, count, first_due)
        if any(value is None for value in values):
            return None
        every = Frequency(self.select_value(self.query_one("#every", Select)) or Frequency.MONTH.value)
        writer = self.select_value(self.query_one("#writer", Select))
        has_plan = bool(count) and total != deposit
        data = BundleIn(
            client_name=client,
            title=course,
            number_of_classes=classes,
            total_amount=total,
            deposit_amount=deposit,
            plan=PlanIn(count=count, first_due=first_due, every=every) if has_plan else None,
            writer=writer,
        )
        desk = self.desk
        heading = Text(f"{clean(client)} · {clean(course)} · {classes} classes", end="")
        money = Text(f"Total {format_money(total)}, deposit {format_money(deposit)}; writer {writer or 'none yet'}")
        return Review(
            title="Create this bundle?",
            lines=[heading, money, plan],
            call=lambda: desk.service.create_bundle(desk.operator, data),
            confirm_hint="Enter creates it",
        )


def _required(text: str, what: str) -> str:
    cleaned = clean(text).strip()
    if not cleaned:
        raise ClasspayError(f"{what} is empty.")
    return cleaned


def _any_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ClasspayError(f"{clean(text)!r} is not a date; type it as YYYY-MM-DD.") from None
