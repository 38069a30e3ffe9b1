"""The rows of the writer payouts screen."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from classpay_tui.services.schemas import WriterClassPayment, WriterPaymentOut, WriterTotals
from classpay_tui.tui import formatting as fmt
from classpay_tui.tui.safe import safe_text
from classpay_tui.tui.widgets.detail_rows import Row

WRITER_COLUMNS = [
    ("writer", "Writer"),
    ("name", "Name"),
    ("bundles", "Bundles"),
    ("compensation", "Earned"),
    ("paid", "Paid"),
    ("scheduled", "Scheduled"),
    ("unscheduled", "Not sched."),
    ("owed_back", "Owes back"),
]
BUNDLE_COLUMNS = [
    ("bundle", "#"),
    ("course", "Course"),
    ("progress", "Client paid"),
    ("installments", "Installments"),
    ("compensation", "Earned"),
    ("paid", "Paid"),
    ("scheduled", "Scheduled"),
    ("status", "Writer st."),
]
PAYOUT_COLUMNS = [
    ("id", "#"),
    ("bundle", "Bundle"),
    ("amount", "Amount"),
    ("type", "Type"),
    ("status", "Status"),
    ("scheduled", "Scheduled"),
    ("paid_at", "Paid on"),
    ("reference", "Reference"),
]
INSTALLMENT_SYMBOL = {"paid": "✓", "partial": "◐", "pending": "·", "overdue": "!"}


def writer_rows(totals: Sequence[WriterTotals]) -> list[Row]:
    rows: list[Row] = []
    for item in totals:
        owes = item.owed_back > 0
        rows.append(
            (
                str(item.writer_id),
                [
                    safe_text(item.username, "" if item.active else "dim", width=14),
                    safe_text(item.display_name if item.active else f"{item.display_name} (inactive)", width=16),
                    Text(str(item.bundles), justify="right", end=""),
                    fmt.money(item.compensation),
                    fmt.money(item.paid),
                    fmt.money(item.scheduled),
                    fmt.money(item.unscheduled),
                    fmt.money(item.owed_back, fmt.ALERT if owes else "dim"),
                ],
            )
        )
    return rows


def installment_strip(entry: WriterClassPayment) -> Text:
    """``✓✓◐·  2/4``: one symbol per installment, colour as a second cue."""
    strip = Text(end="")
    if not entry.installments:
        return Text("no plan", style="dim", end="")
    for item in entry.installments[:12]:
        symbol = INSTALLMENT_SYMBOL.get(item.status.value, "?")
        strip.append(symbol, style=fmt.INSTALLMENT_MARK.get(item.status.value, ("", ""))[1])
    strip.append(f" {entry.paid_installments}/{entry.total_installments}")
    return strip


def bundle_rows(entries: Sequence[WriterClassPayment]) -> list[Row]:
    return [
        (
            str(entry.bundle_id),
            [
                Text(str(entry.bundle_id), end=""),
                safe_text(entry.title, width=20),
                fmt.progress_bar(entry.payment_progress, width=5),
                installment_strip(entry),
                fmt.money(entry.writer_compensation_amount),
                fmt.money(entry.writer_paid_amount),
                fmt.money(entry.writer_scheduled_amount),
                fmt.status(entry.writer_payment_status.value, fmt.WRITER_STATUS_STYLE),
            ],
        )
        for entry in entries
    ]


def payout_rows(payouts: Sequence[WriterPaymentOut]) -> list[Row]:
    return [
        (
            str(payout.id),
            [
                Text(str(payout.id), end=""),
                Text(str(payout.bundle_id), end=""),
                fmt.money(payout.amount),
                Text(payout.payment_type.value, end=""),
                fmt.status(payout.status.value, fmt.WRITER_STATUS_STYLE),
                fmt.day(payout.scheduled_for),
                fmt.day(payout.paid_at),
                safe_text(payout.reference or "", width=22),
            ],
        )
        for payout in payouts
    ]
