"""Bulk entry (``b``): many client payments typed line after line, checked as typed, one
confirmation for the whole batch, recorded all or nothing by the service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, Static

from classpay_tui.domain.errors import ClasspayError
from classpay_tui.domain.money import ZERO, format_money
from classpay_tui.domain.statuses import PaymentMethod
from classpay_tui.services.schemas import BatchLine as BatchLineIn
from classpay_tui.services.schemas import PaymentDetails, PaymentIn, PaymentResult
from classpay_tui.tui import batch
from classpay_tui.tui.desk import Desk
from classpay_tui.tui.jobs import in_thread
from classpay_tui.tui.modals.confirm import ConfirmModal
from classpay_tui.tui.modals.record_payment import parse_day
from classpay_tui.tui.safe import safe_text, truncate
from classpay_tui.tui.widgets.batch_line import FIELDS, BatchLine
from classpay_tui.tui.widgets.field import Field, FieldError
from classpay_tui.tui.widgets.status_line import StatusLine

HINT = "Enter moves on · on an empty last line Enter (or ^s) reviews · all or nothing"
PREVIEW_LINES = 8  # in the confirmation; the rest are counted
PREVIEW_WIDTH = 74  # the dialog's inside at any terminal width


class BulkEntryScreen(Screen[list[PaymentResult] | None]):
    TITLE = "Bulk entry"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="bulk.back", tooltip="Leave bulk entry; nothing typed is recorded"),
        Binding("ctrl+s", "review", "Record all", id="bulk.review", tooltip="Review the batch, then record it"),
        Binding("ctrl+r", "remove_line", "Remove line", id="bulk.remove", tooltip="Remove the line the cursor is on"),
        Binding("down", "line(1)", "Next line", show=False, id="bulk.down", tooltip="The same field a line down"),
        Binding("up", "line(-1)", "Line above", show=False, id="bulk.up", tooltip="The same field a line up"),
    ]

    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self.known: dict[int, PaymentDetails | str] = {}  # bundle lookups: details, or why not
        self.checks: list[batch.Checked | None] = []
        self.strict = False  # after a review, empty fields are called out too
        self.busy = False
        self.sent: list[BatchLine] = []  # the lines of the batch being recorded, in order

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(HINT, id="bulk-hint")
        with Horizontal(id="bulk-top"):
            yield Label("Received on", classes="label")
            yield Field(self.desk.today().isoformat(), id="bulk-date")
            yield StatusLine(id="bulk-status")
        yield FieldError(id="bulk-error")
        with Horizontal(id="bulk-head"):
            yield Label("  #", classes="line-no")
            for name, title in zip(FIELDS, ("Bundle", "Amount", "Reference", "Method"), strict=True):
                yield Label(title, classes=name)
        with VerticalScroll(id="bulk-lines"):
            yield BatchLine(1)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.lines[0].field("bundle").focus()
        self.recheck()

    @property
    def lines(self) -> list[BatchLine]:
        return list(self.query(BatchLine))

    def line_of(self, widget: object) -> BatchLine | None:
        node = widget
        while node is not None and not isinstance(node, BatchLine):
            node = getattr(node, "parent", None)
        return node

    # ---- typing ------------------------------------------------------------------------

    @on(Input.Changed)
    def changed(self, event: Input.Changed) -> None:
        line = self.line_of(event.input)
        if line is None:
            if event.input.id == "bulk-date":
                self._date()
            return
        if line.refused is not None:  # edited: the service's sentence no longer applies
            line.refused = None
            self.say(None)
        if isinstance(event.input, Field) and line.field_name(event.input) == "bundle":
            self._bundle_typed(line, event.value)
        self.recheck()

    def _bundle_typed(self, line: BatchLine, text: str) -> None:
        try:
            bundle_id: int | None = batch.parse_bundle(text)
        except ClasspayError:
            bundle_id = None
        reference = line.field("reference")
        if reference.value == line.auto_reference:  # untouched by the person: follow the bundle
            suggestion = self.desk.service.suggest_reference(bundle_id) if bundle_id else ""  # no database work
            line.auto_reference = suggestion
            reference.value = suggestion
        if bundle_id is not None:
            self.lookup(bundle_id)

    def lookup(self, bundle_id: int) -> None:
        if bundle_id in self.known:
            return
        service, ctx = self.desk.service, self.desk.operator
        in_thread(
            self,
            lambda: service.get_payment_details(ctx, bundle_id),
            partial(self._found, bundle_id),
            failed=partial(self._found, bundle_id),
            group=f"lookup-{bundle_id}",
        )

    def _found(self, bundle_id: int, found: PaymentDetails | str) -> None:
        self.known[bundle_id] = found
        self.recheck()

    def recheck(self) -> None:
        lines = self.lines
        self.checks = batch.check_lines([line.typed for line in lines], self.known)
        for line, checked in zip(lines, self.checks, strict=True):
            line.show(checked, strict=self.strict)
        filled = [checked for checked in self.checks if checked is not None]
        total = sum((checked.amount or ZERO for checked in filled), ZERO)
        wrong = sum(1 for checked in filled if checked.problem is not None)
        status = Text(f"{len(filled)} payment{'' if len(filled) == 1 else 's'} · {format_money(total)} in all", end="")
        if wrong:
            status.append(f" · {wrong} to fix", style="bold")
        self.query_one("#bulk-status", StatusLine).text = status

    def _date(self) -> date | None:
        text = self.query_one("#bulk-date", Field).value
        try:
            day = parse_day(text, self.desk.today(), "The date received")
        except ClasspayError as error:
            self.say(str(error))
            return None
        self.say(None)
        return day

    def say(self, message: str | None) -> None:
        self.query_one("#bulk-error", FieldError).show(message)

    # ---- moving around -------------------------------------------------------------------

    @on(Input.Submitted)
    async def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        line = self.line_of(event.input)
        if line is None:  # the date: on to the first line
            self.lines[0].field("bundle").focus()
            return
        name = line.field_name(event.input) if isinstance(event.input, Field) else None
        lines = self.lines
        last = line is lines[-1]
        if name == "bundle" and not event.value.strip() and last and len(lines) > 1:
            self.action_review()
            return
        if name != FIELDS[-1]:
            line.field(FIELDS[FIELDS.index(name or FIELDS[0]) + 1]).focus()
            return
        if last:
            line = BatchLine(len(lines) + 1)
            await self.query_one("#bulk-lines", VerticalScroll).mount(line)
            self.recheck()
        else:
            line = lines[lines.index(line) + 1]
        line.field("bundle").focus()
        line.scroll_visible(animate=False)

    def action_line(self, step: int) -> None:
        focused = self.focused
        lines = self.lines
        line = self.line_of(focused)
        if line is None:
            if step > 0:
                lines[0].field("bundle").focus()
            return
        name = line.field_name(focused) if isinstance(focused, Field) else None
        index = lines.index(line) + step
        if index < 0:
            self.query_one("#bulk-date", Field).focus()
        elif index < len(lines):
            lines[index].field(name or "bundle").focus()

    async def action_remove_line(self) -> None:
        if self.busy:
            return
        focused = self.focused
        line = self.line_of(focused)
        if line is None:
            return
        name = line.field_name(focused) if isinstance(focused, Field) else "bundle"
        lines = self.lines
        if len(lines) == 1:
            for field_name in FIELDS:
                line.field(field_name).value = ""
            line.auto_reference = ""
            line.refused = None
            line.field("bundle").focus()
            return
        index = lines.index(line)
        await line.remove()
        rest = self.lines
        for number, other in enumerate(rest, 1):
            other.renumber(number)
        rest[min(index, len(rest) - 1)].field(name or "bundle").focus()
        self.recheck()

    # ---- the batch ---------------------------------------------------------------------

    def action_review(self) -> None:
        if self.busy:
            return
        self.strict = True
        self.recheck()
        day = self._date()
        rows = [(line, checked) for line, checked in zip(self.lines, self.checks, strict=True) if checked is not None]
        if not rows:
            self.say("Nothing to record yet: type a bundle # and an amount.")
            self.lines[0].field("bundle").focus()
            return
        for line, checked in rows:
            if line.refused is not None or checked.problem is not None:
                line.field(checked.field or "amount").focus()
                self.say(f"Line {line.number}: {line.refused or checked.problem}")
                return
        waiting = next((checked for _, checked in rows if checked.waiting), None)
        if waiting is not None:
            self.say(f"Still looking up bundle {waiting.bundle_id}; review again in a moment.")
            return
        if day is None:
            self.query_one("#bulk-date", Field).focus()
            return
        self.say(None)
        self._confirm(rows, day)

    def _confirm(self, rows: list[tuple[BatchLine, batch.Checked]], day: date) -> None:
        total = sum((checked.amount or ZERO for _, checked in rows), ZERO)
        currency = rows[0][1].summary.currency if rows[0][1].summary else ""
        count = f"{len(rows)} payment{'' if len(rows) == 1 else 's'}"
        lines: list[object] = [
            Text(f"{count}, {format_money(total)} {currency} in all, received on {day.isoformat()}", style="bold")
        ]
        for line, checked in rows[:PREVIEW_LINES]:
            lines.append(preview_line(line.number, checked))
        if len(rows) > PREVIEW_LINES:
            lines.append(Text(f"… and {len(rows) - PREVIEW_LINES} more", style="dim"))
        lines.append(Text("All or nothing: if any line is refused, none is recorded.", style="dim"))
        payments = [
            BatchLineIn(
                bundle_id=checked.bundle_id or 0,
                payment=PaymentIn(
                    amount=checked.amount or ZERO, reference=checked.reference, method=checked.method, received_on=day
                ),
            )
            for _, checked in rows
        ]
        sent = [line for line, _ in rows]

        def answered(yes: bool | None) -> None:
            if yes:
                self._record(sent, payments)

        self.app.push_screen(
            ConfirmModal(f"Record these {count}?", lines, confirm="Enter records them all"), callback=answered
        )

    def _record(self, sent: list[BatchLine], payments: list[BatchLineIn]) -> None:
        if self.busy:
            return
        self.busy, self.sent = True, sent
        self._enable(False)
        self.say(None)
        self.query_one("#bulk-hint", Static).update(f"Recording {len(payments)} payments…")
        service, ctx = self.desk.service, self.desk.operator
        in_thread(
            self,
            lambda: service.record_payments(ctx, payments),
            self.dismiss,
            failed=self._refused,
            group="submit",
            exclusive=False,
        )

    def _refused(self, sentence: str) -> None:
        """Nothing was written: show the service's sentence on the line it names."""
        self.busy = False
        self._enable(True)
        self.query_one("#bulk-hint", Static).update(HINT)
        number, reason = batch.refused_line(sentence)
        line = self.sent[number - 1] if number is not None and 0 < number <= len(self.sent) else None
        if line is None:
            self.say(f"Nothing was recorded. {sentence}")
        else:
            line.refused = reason
            self.say(f"Nothing was recorded. Line {line.number}: {reason}")
            line.field("amount").focus()
        # Another desk may have changed these bundles: look them up again.
        self.known.clear()
        for bundle_id in {checked.bundle_id for checked in self.checks if checked and checked.bundle_id}:
            self.lookup(bundle_id)
        self.recheck()

    def _enable(self, enabled: bool) -> None:
        for widget in self.query(Field):
            widget.disabled = not enabled

    def action_back(self) -> None:
        if self.busy:  # the outcome is on its way: wait for it
            return
        typed = sum(1 for line in self.lines if not line.typed.blank)
        if not typed:
            self.dismiss(None)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmModal(
                "Leave bulk entry?",
                [f"The {typed} line{'' if typed == 1 else 's'} typed here will not be recorded."],
                confirm="Enter leaves",
            ),
            callback=answered,
        )

    def palette_commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        return []


def preview_line(number: int, checked: batch.Checked) -> Text:
    """`` 2. #4 Gus New  300.00: deposit paid; balance 1,200.00 → 900.00`` on one line."""
    text = Text(f"{number:>2}. #{checked.bundle_id} ", end="")
    if checked.summary is not None:
        text.append_text(safe_text(checked.summary.client_name, width=16))
    text.append(f"  {format_money(checked.amount or ZERO)}")
    if checked.method is not PaymentMethod.CASH:
        text.append(f" by {checked.method.value.replace('_', ' ')}")
    text.append(": ")
    text.append(checked.effect)
    if len(text) > PREVIEW_WIDTH:
        text = Text(truncate(text.plain, PREVIEW_WIDTH), end="")
    return text
