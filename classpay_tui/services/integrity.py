"""``classpay check``: prove every stored summary equals what the ledger says.

Set-based: a handful of aggregate queries over the whole database (:mod:`.check_rows`,
plain tuples, no ORM objects), then the same domain functions the writes use, bundle by
bundle in Python, so a check of 100,000 bundles does not run 100,000 queries.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy.orm import Session

from classpay_tui.domain.allocation import BundleDebt, Slot, SlotKind
from classpay_tui.domain.money import ZERO
from classpay_tui.domain.statuses import BundleStatus, InstallmentStatus, PaymentKind, WriterPayoutStatus
from classpay_tui.domain.summary import client_summary
from classpay_tui.services import check_rows
from classpay_tui.services.audit import verify_chain
from classpay_tui.services.schemas import CheckReport

NEGATIVE_KINDS = (PaymentKind.REFUND.value,)
PAID, SCHEDULED = WriterPayoutStatus.PAID.value, WriterPayoutStatus.SCHEDULED.value


def _ledger_problems(rows: list[check_rows.LedgerRow], money: check_rows.Cents) -> list[str]:
    """Each entry's allocations add up to its signed amount."""
    problems = []
    for entry_id, bundle_id, kind, amount, reversed_kind, allocated in rows:
        if kind == PaymentKind.REVERSAL.value:
            signed = amount if reversed_kind in NEGATIVE_KINDS else -amount
        elif kind in NEGATIVE_KINDS:
            signed = -amount
        else:
            signed = amount
        problems.append(
            f"payment {entry_id} on bundle {bundle_id}: allocations add up to {money[allocated]:.2f}, "
            f"not {money[signed]:.2f}"
        )
    return problems


# As stored (the enums' values, looked up once: a value is a property lookup each time).
INSTALLMENT_PAID, INSTALLMENT_PARTIAL, INSTALLMENT_PENDING = (
    status.value for status in (InstallmentStatus.PAID, InstallmentStatus.PARTIAL, InstallmentStatus.PENDING)
)


def _expected_status(paid: int, amount: int) -> str:
    if paid == amount:
        return INSTALLMENT_PAID
    return INSTALLMENT_PARTIAL if paid > 0 else INSTALLMENT_PENDING


# What a record's summary is compared on, in the order it is reported: the label, and
# whether both sides are cents (said as money).
_COMPARED = (
    ("total", True),
    ("deposit", True),
    ("deposit_paid", False),
    ("amount paid", False),
    ("balance_remaining", False),
    ("refunded", True),
    ("client_payment_status", False),
    ("paid_installments", False),
    ("total_installments", False),
    ("writer", False),
    ("writer_paid_amount", True),
    ("writer scheduled", True),
)


def _said(where: str, label: str, stored: object, derived: object) -> str:
    return f"{where} {label}: stored {stored}, ledger says {derived}"


def run_check(session: Session) -> CheckReport:
    money = check_rows.Cents()
    refunds = check_rows.refunds_by_bundle(session)
    others = check_rows.other_slots(session)
    links = check_rows.links_by_record(session)
    payouts = check_rows.payout_sums(session)
    records = list(check_rows.records(session))
    # The ledger's own sums are one long aggregate inside the database, which lets go of
    # the interpreter lock while it runs: it runs in a second thread, on the same
    # connection (so in the same snapshot), while this one compares the summaries, which
    # no longer reads from the connection (every row above is read).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="classpay-check") as pool:
        ledger = pool.submit(check_rows.ledger_mismatches, session)
        bundles_checked, summary_problems = _summary_problems(records, refunds, others, links, payouts, money)
        problems = _ledger_problems(ledger.result(), money) + summary_problems
    events_checked, chain_problems = verify_chain(session)
    return CheckReport(
        bundles_checked=bundles_checked,
        payments_checked=check_rows.entry_count(session),
        audit_events_checked=events_checked,
        problems=problems + chain_problems,
    )


def _summary_problems(
    records: list[tuple[Any, ...]],
    refunds: dict[int, int],
    others: dict[tuple[int, str], int],
    links: dict[int, list[check_rows.LinkRow]],
    payouts: dict[tuple[int, int, str], int],
    money: check_rows.Cents,
) -> tuple[int, list[str]]:
    """Each record's summary and installments against what the domain derives from its
    allocations. Values are compared as read (cents, text) and put into words only when
    they differ: most of the time, nothing does."""
    problems: list[str] = []
    cancelled = BundleStatus.CANCELLED.value
    for row in records:
        (payment_id, payment_writer, p_total, p_deposit, deposit_paid, amount_paid, balance, refunded_stored,
         client_status, paid_installments, total_installments, writer_paid, writer_scheduled, compensation,
         bundle_id, total, deposit, bundle_status, bundle_writer) = row  # fmt: skip
        slots: list[Slot] = []
        if deposit > 0:
            slots.append(Slot(SlotKind.DEPOSIT, money[deposit], money[others.get((payment_id, "deposit"))]))
        record_links = links.get(payment_id, ())
        for _, number, amount, link_paid_stored, link_status, allocated in record_links:
            link_paid = allocated or 0
            slots.append(Slot(SlotKind.INSTALLMENT, money[amount], money[link_paid], number))
            expected = _expected_status(link_paid, amount)
            if link_paid != link_paid_stored or link_status != expected:
                where = f"bundle {bundle_id} installment {number}"
                if link_paid != link_paid_stored:
                    problems.append(_said(where, "paid amount", money[link_paid_stored], money[link_paid]))
                if link_status != expected:
                    problems.append(_said(where, "status", link_status, expected))
        if not record_links and total > deposit:
            slots.append(Slot(SlotKind.BALANCE, money[total - deposit], money[others.get((payment_id, "balance"))]))
        for slot in slots:
            if slot.allocated < ZERO or slot.allocated > slot.amount:
                problems.append(
                    f"bundle {bundle_id}: {slot.describe()} holds {slot.allocated:.2f} of {slot.amount:.2f}"
                )
        refunded = refunds.get(bundle_id, 0)
        summary = client_summary(
            BundleDebt(bundle_id, tuple(slots)), refunded=money[refunded], cancelled=bundle_status == cancelled
        )
        paid_out = payouts.get((payment_id, payment_writer, PAID), 0)
        scheduled = payouts.get((payment_id, payment_writer, SCHEDULED), 0)
        stored = (
            p_total, p_deposit, money[deposit_paid], money[amount_paid], money[balance], refunded_stored,
            client_status, paid_installments, total_installments, payment_writer, writer_paid, writer_scheduled,
        )  # fmt: skip
        derived = (
            total, deposit, summary.deposit_paid, summary.amount_paid, summary.balance_remaining, refunded,
            summary.client_payment_status.value, summary.paid_installments, summary.total_installments,
            bundle_writer, paid_out, scheduled,
        )  # fmt: skip
        if stored != derived:
            for (label, in_cents), before, after in zip(_COMPARED, stored, derived, strict=True):
                if before != after:
                    if in_cents:
                        before, after = money[before], money[after]
                    problems.append(_said(f"bundle {bundle_id}", label, before, after))
        if scheduled + paid_out > compensation:
            problems.append(
                f"bundle {bundle_id}: {money[paid_out + scheduled]:.2f} paid or scheduled to the writer, "
                f"more than the compensation {money[compensation]:.2f}"
            )
    return len(records), problems
