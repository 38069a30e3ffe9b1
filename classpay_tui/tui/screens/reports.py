"""Reports (``4``): money collected by month as bars and the last 12 weeks as a sparkline,
receivables aging as of a day you type, and what the office owes its writers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, Sparkline, Static

from classpay_tui.domain.errors import ClasspayError
from classpay_tui.domain.money import ZERO, format_money
from classpay_tui.services.schemas import AgingReport, CollectionsReport, WriterTotals
from classpay_tui.tui import formatting as fmt
from classpay_tui.tui.dates import parse_date
from classpay_tui.tui.desk import Desk
from classpay_tui.tui.jobs import in_thread
from classpay_tui.tui.safe import clean
from classpay_tui.tui.widgets import writer_rows
from classpay_tui.tui.widgets.bar_chart import Bar, BarChart
from classpay_tui.tui.widgets.field import Field
from classpay_tui.tui.widgets.key_table import KeyTable

# Aging buckets, loudest last; each keeps its words, so colour is only a second cue.
AGING_STYLES = {
    "not_due": "green",
    "1-30": "#e3b341",
    "31-60": "bold #ffa657",
    "61-90": fmt.ALERT,
    "over_90": fmt.ALERT,
    "no_due_date": "cyan",
}
CSV_HINT = "CSV for a spreadsheet: classpay report collections|aging|writers --csv FILE"


@dataclass(frozen=True)
class Figures:
    collections: CollectionsReport
    aging: AgingReport
    writers: list[WriterTotals]


def collection_bars(report: CollectionsReport) -> tuple[Bar, ...]:
    bars = []
    for month in report.months:
        note = Text(f"{month.entries} entr{'y' if month.entries == 1 else 'ies'}" if month.entries else "", end="")
        note.stylize("dim")
        taken_back = month.refunded + month.reversed
        if taken_back:
            note.append(f" · {format_money(taken_back)} back", style="magenta")
        bars.append(Bar(month.month, month.net, note, "cyan"))
    return tuple(bars)


def aging_bars(report: AgingReport) -> tuple[Bar, ...]:
    bars = []
    for bucket in report.buckets:
        share = f"{(bucket.amount * 100 / report.total).quantize(Decimal('1'))}%" if report.total > ZERO else ""
        counted = (
            f"{bucket.bundles} bundle{'' if bucket.bundles == 1 else 's'}"
            if bucket.bucket == "no_due_date"
            else f"{bucket.installments} inst."
        )
        note = Text(f"{share:>4} · {counted}", style="dim", end="")
        bars.append(Bar(bucket.label, bucket.amount, note, AGING_STYLES.get(bucket.bucket, "cyan")))
    return tuple(bars)


def weeks_summary(report: CollectionsReport) -> Text:
    weeks = report.weeks
    total = sum((week.net for week in weeks), ZERO)
    text = Text(f"{format_money(total)} in all", style="bold", end="")
    if weeks:
        text.append(f" · {format_money(weeks[-1].net)} this week")
    return text


def liabilities(writers: list[WriterTotals]) -> Text:
    scheduled = sum((item.scheduled for item in writers), ZERO)
    unscheduled = sum((item.unscheduled for item in writers), ZERO)
    back = sum((item.owed_back for item in writers), ZERO)
    text = Text("Writer liabilities", end="")
    text.append(f" — scheduled {format_money(scheduled)} · not scheduled {format_money(unscheduled)}", style="")
    if back > ZERO:
        text.append(f" · owed back {format_money(back)}", style=fmt.ALERT)
    return text


class ReportsScreen(Screen[None]):
    TITLE = "Reports"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Bundles", id="reports.back", tooltip="Back to the bundle list"),
        Binding("d", "as_of", "Date", id="reports.date", tooltip="Aging and collections up to another day"),
        Binding("r", "reload", "Reload", id="reports.reload", tooltip="Read the figures again"),
    ]

    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self.as_of = desk.today()

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="reports-top"):
            yield Label("As of", classes="label")
            yield Field(self.as_of.isoformat(), id="as-of")
            yield Static("", id="reports-error")
        with VerticalScroll(id="reports-body"):
            yield Static("Collections by month", classes="section first", id="collections-title")
            yield BarChart(id="collections")
            with Horizontal(id="weeks-row"):
                yield Label("Last 12 weeks ", id="weeks-label")
                yield Sparkline([], id="weeks")
                yield Static("", id="weeks-summary")
            yield Static("Receivables aging", classes="section", id="aging-title")
            yield BarChart(id="aging")
            yield Static("Writer liabilities", classes="section", id="writers-title")
            yield KeyTable(writer_rows.WRITER_COLUMNS, id="liabilities")
            yield Static(CSV_HINT, id="reports-hint")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#reports-body", VerticalScroll).focus()

    def on_screen_resume(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        service, ctx, as_of = self.desk.service, self.desk.operator, self.as_of

        def figures() -> Figures:
            return Figures(
                service.collections_report(ctx, None, as_of),
                service.aging_report(ctx, as_of),
                service.writer_totals(ctx),
            )

        in_thread(self, figures, self._show, group="reports", failed=self._error)

    def _show(self, figures: Figures) -> None:
        self._error(None)
        report, aging = figures.collections, figures.aging
        currency = self.desk.service.currency()
        self.query_one("#collections-title", Static).update(
            f"Collections by month, {report.date_from:%b %Y} – {report.date_to:%b %Y}: "
            f"{format_money(report.total_net)} {currency} net"
        )
        self.query_one("#collections", BarChart).bars = collection_bars(report)
        self.query_one("#weeks", Sparkline).data = [int(week.net * 100) for week in report.weeks]  # cents, not float
        self.query_one("#weeks-summary", Static).update(weeks_summary(report))
        self.query_one("#aging-title", Static).update(
            f"Receivables aging as of {aging.as_of.isoformat()}: {format_money(aging.total)} {currency} owed"
        )
        self.query_one("#aging", BarChart).bars = aging_bars(aging)
        self.query_one("#writers-title", Static).update(liabilities(figures.writers))
        self.query_one("#liabilities", KeyTable).fill(writer_rows.writer_rows(figures.writers))

    def _error(self, message: str | None) -> None:
        error = self.query_one("#reports-error", Static)
        error.update(Text(f"✗ {clean(message)}", end="") if message else "")
        error.set_class(bool(message), "-shown")

    def action_as_of(self) -> None:
        self.query_one("#as-of", Field).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            self.as_of = parse_date(event.value, "The day")
        except ClasspayError as error:
            self._error(str(error))
            return
        self.query_one("#reports-body", VerticalScroll).focus()
        self.action_reload()

    def action_back(self) -> None:
        if isinstance(self.focused, Field):
            self.query_one("#as-of", Field).value = self.as_of.isoformat()
            self.query_one("#reports-body", VerticalScroll).focus()
            return
        self.app.switch_mode("bundles")

    def palette_commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        return []
