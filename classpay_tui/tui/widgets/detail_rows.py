"""The rows of the payment details screen: summary, installments, ledger, writer payouts."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from classpay_tui.domain.money import ZERO, format_money
from classpay_tui.services.schemas import LedgerEntryOut, PaymentDetails, WriterPaymentOut
from classpay_tui.tui import formatting as fmt
from classpay_tui.tui.safe import safe_text

INSTALLMENT_COLUMNS = [
    ("number", "#"),
    ("amount", "Amount"),
    ("due", "Due"),
    ("status", "Status"),
    ("paid", "Paid"),
    ("owed", "Owed"),
    ("paid_at", "Paid on"),
    ("references", "Reference"),
]
LEDGER_COLUMNS = [
    ("id", "#"),
    ("received", "Received"),
    ("kind", "Kind"),
    ("amount", "Amount"),
    ("method", "Method"),
    ("reference", "Reference"),
    ("applied", "Applied to"),
    ("by", "By"),
    ("note", "Note"),
]
PAYOUT_COLUMNS = [
    ("id", "#"),
    ("amount", "Amount"),
    ("type", "Type"),
    ("status", "Status"),
    ("scheduled", "Scheduled"),
    ("paid_at", "Paid on"),
    ("reference", "Reference"),
    ("writer", "Writer"),
]
Row = tuple[str, Sequence[object]]


def _part_status(amount: object, paid: object, owed: object) -> str:
    if owed == ZERO:
        return "paid"
    return "partial" if paid != ZERO else "pending"


def installment_rows(details: PaymentDetails) -> list[Row]:
    rows: list[Row] = []
    if details.deposit_amount > ZERO:
        owed = details.deposit_amount - details.deposit_paid
        rows.append(
            (
                "deposit",
                [
                    Text("Dep.", end=""),
                    fmt.money(details.deposit_amount),
                    fmt.day(None),
                    fmt.installment_status(_part_status(details.deposit_amount, details.deposit_paid, owed)),
                    fmt.money(details.deposit_paid),
                    fmt.money(owed),
                    fmt.day(None),
                    Text("", end=""),
                ],
            )
        )
    for item in details.installments:
        late = item.status.value == "overdue"
        rows.append(
            (
                f"installment:{item.installment_number}",
                [
                    Text(f"{item.installment_number}", end=""),
                    fmt.money(item.amount),
                    fmt.day(item.due_date, fmt.ALERT if late else ""),
                    fmt.installment_status(item.status.value),
                    fmt.money(item.paid_amount),
                    fmt.money(item.remaining),
                    fmt.day(item.paid_at),
                    safe_text(", ".join(item.references), width=18),
                ],
            )
        )
    balance = details.total_amount - details.deposit_amount
    if not details.installments and balance > ZERO:
        paid = max(details.amount_paid - details.deposit_paid, ZERO)
        rows.append(
            (
                "bundle",
                [
                    Text("Bal.", end=""),
                    fmt.money(balance),
                    fmt.day(None),
                    fmt.installment_status(_part_status(balance, paid, balance - paid)),
                    fmt.money(paid),
                    fmt.money(balance - paid),
                    fmt.day(None),
                    Text("", end=""),
                ],
            )
        )
    return rows


def next_unpaid_key(rows: list[Row], details: PaymentDetails) -> str | None:
    """The row the cursor starts on: the deposit while unpaid, else the first unpaid installment."""
    if details.deposit_amount > details.deposit_paid:
        return "deposit"
    for item in details.installments:
        if item.remaining > ZERO:
            return f"installment:{item.installment_number}"
    return rows[-1][0] if rows else None


def _applied(entry: LedgerEntryOut) -> str:
    parts = []
    for allocation in entry.allocations:
        if allocation.installment_number is not None:
            parts.append(f"#{allocation.installment_number}")
        else:
            parts.append(allocation.slot)
    return ", ".join(dict.fromkeys(parts))


def ledger_rows(details: PaymentDetails) -> list[Row]:
    reversed_ids = {entry.reverses for entry in details.ledger if entry.reverses is not None}
    rows: list[Row] = []
    for entry in details.ledger:
        outgoing = entry.kind.value in ("refund", "reversal")
        kind = Text(entry.kind.value, style="magenta" if outgoing else "", end="")
        if entry.reverses is not None:
            kind.append(f" of #{entry.reverses}", style="dim")
        if entry.id in reversed_ids:
            kind.append(" (reversed)", style="dim")
        amount = Text(("−" if outgoing else "") + format_money(entry.amount), justify="right", end="")
        rows.append(
            (
                str(entry.id),
                [
                    Text(str(entry.id), end=""),
                    fmt.day(entry.received_at),
                    kind,
                    amount,
                    Text(entry.method.value.replace("_", " "), end=""),
                    safe_text(entry.reference, width=24),
                    Text(_applied(entry), end=""),
                    safe_text(entry.recorded_by, width=12),
                    safe_text(entry.note or "", width=30),
                ],
            )
        )
    return rows


def payout_rows(payouts: Sequence[WriterPaymentOut]) -> list[Row]:
    return [
        (
            str(payout.id),
            [
                Text(str(payout.id), end=""),
                fmt.money(payout.amount),
                Text(payout.payment_type.value, end=""),
                fmt.status(payout.status.value, fmt.WRITER_STATUS_STYLE),
                fmt.day(payout.scheduled_for),
                fmt.day(payout.paid_at),
                safe_text(payout.reference or "", width=24),
                safe_text(payout.writer_username, width=12),
            ],
        )
        for payout in payouts
    ]


def summary(details: PaymentDetails) -> Text:
    """The block at the top: who, what, how much, how far along."""
    text = Text(f"Bundle #{details.bundle_id}  ", style="bold", end="")
    text.append_text(safe_text(details.client_name, "bold", width=30))
    text.append(" — ")
    text.append_text(safe_text(details.title, width=34))
    text.append(f"  ({details.number_of_classes} classes, {details.bundle_status.value.replace('_', ' ')})\n")
    text.append(f"Total {format_money(details.total_amount)}   Paid {format_money(details.amount_paid)}   ")
    text.append(f"Balance {format_money(details.balance_remaining)}", style="bold")
    text.append(f"   Deposit {format_money(details.deposit_paid)} of {format_money(details.deposit_amount)}\n")
    text.append("Client ")
    text.append_text(fmt.status(details.client_payment_status.value, fmt.CLIENT_STATUS_STYLE))
    text.append(f" · {details.paid_installments} of {details.total_installments} installments paid")
    if details.next_due_date is not None:
        text.append(" · next due ")
        text.append_text(fmt.day(details.next_due_date, fmt.ALERT if details.is_overdue else ""))
    if details.is_overdue:
        text.append(f" {fmt.OVERDUE_MARK} overdue", style=fmt.ALERT)
    text.append("\nWriter ")
    text.append_text(safe_text(details.assigned_writer_username or "none", width=16))
    text.append(
        f" · earns {format_money(details.writer_compensation_amount)}"
        f" · paid {format_money(details.writer_paid_amount)}"
        f" · scheduled {format_money(details.writer_scheduled_amount)} · "
    )
    text.append_text(fmt.status(details.writer_payment_status.value, fmt.WRITER_STATUS_STYLE))
    if details.writer_owed_back > ZERO:
        text.append(f" · owes back {format_money(details.writer_owed_back)}", style=fmt.ALERT)
    if details.refunded_amount > ZERO:
        text.append(f"\nRefunded to the client: {format_money(details.refunded_amount)}", style="magenta")
    text.append("\n")
    text.append_text(fmt.progress_bar(details.payment_progress, width=30, show_percent=False))
    text.append(f"  {details.payment_progress}% paid")
    return text
