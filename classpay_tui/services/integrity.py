"""``classpay check``: prove every stored summary equals what the ledger says.

Set-based: a handful of aggregate queries over the whole database (:mod:`.check_rows`,
plain tuples, no ORM objects), then the same domain functions the writes use, bundle by
bundle in Python, so a check of 100,000 bundles does not run 100,000 queries.
"""

from __future__ import annotations

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


def _ledger_problems(session: Session, money: check_rows.Cents) -> list[str]:
    """Each entry's allocations add up to its signed amount."""
    problems = []
    for entry_id, bundle_id, kind, amount, reversed_kind, allocated in check_rows.ledger_mismatches(session):
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


def _expected_status(paid: int, amount: int) -> str:
    if paid == amount:
        return InstallmentStatus.PAID.value
    return InstallmentStatus.PARTIAL.value if paid > 0 else InstallmentStatus.PENDING.value


def _compare(label: str, stored: object, derived: object) -> str | None:
    return None if stored == derived else f"{label}: stored {stored}, ledger says {derived}"


def run_check(session: Session) -> CheckReport:
    money = check_rows.Cents()
    problems = _ledger_problems(session, money)
    refunds = check_rows.refunds_by_bundle(session)
    others = check_rows.other_slots(session)
    links = check_rows.links_by_record(session)
    payouts = check_rows.payout_sums(session)
    bundles_checked = 0
    cancelled = BundleStatus.CANCELLED.value
    for row in check_rows.records(session):
        (payment_id, payment_writer, p_total, p_deposit, deposit_paid, amount_paid, balance, refunded_stored,
         client_status, paid_installments, total_installments, writer_paid, writer_scheduled, compensation,
         bundle_id, total, deposit, bundle_status, bundle_writer) = row  # fmt: skip
        bundles_checked += 1
        slots: list[Slot] = []
        if deposit > 0:
            slots.append(Slot(SlotKind.DEPOSIT, money[deposit], money[others.get((payment_id, "deposit"))]))
        record_links = links.get(payment_id, ())
        for _, number, amount, link_paid_stored, link_status, allocated in record_links:
            link_paid = allocated or 0
            slots.append(Slot(SlotKind.INSTALLMENT, money[amount], money[link_paid], number))
            if link_paid != link_paid_stored or link_status != _expected_status(link_paid, amount):
                where = f"bundle {bundle_id} installment {number}"
                problems += filter(
                    None,
                    [
                        _compare(f"{where} paid amount", money[link_paid_stored], money[link_paid]),
                        _compare(f"{where} status", link_status, _expected_status(link_paid, amount)),
                    ],
                )
        if not record_links and total > deposit:
            slots.append(Slot(SlotKind.BALANCE, money[total - deposit], money[others.get((payment_id, "balance"))]))
        for slot in slots:
            if slot.allocated < ZERO or slot.allocated > slot.amount:
                problems.append(
                    f"bundle {bundle_id}: {slot.describe()} holds {slot.allocated:.2f} of {slot.amount:.2f}"
                )
        summary = client_summary(
            BundleDebt(bundle_id, tuple(slots)),
            refunded=money[refunds.get(bundle_id, 0)],
            cancelled=bundle_status == cancelled,
        )
        paid_out = payouts.get((payment_id, payment_writer, PAID), 0)
        scheduled = payouts.get((payment_id, payment_writer, SCHEDULED), 0)
        where = f"bundle {bundle_id}"
        problems += filter(
            None,
            [
                _compare(f"{where} total", money[p_total], money[total]),
                _compare(f"{where} deposit", money[p_deposit], money[deposit]),
                _compare(f"{where} deposit_paid", money[deposit_paid], summary.deposit_paid),
                _compare(f"{where} amount paid", money[amount_paid], summary.amount_paid),
                _compare(f"{where} balance_remaining", money[balance], summary.balance_remaining),
                _compare(f"{where} refunded", money[refunded_stored], money[refunds.get(bundle_id, 0)]),
                _compare(f"{where} client_payment_status", client_status, summary.client_payment_status.value),
                _compare(f"{where} paid_installments", paid_installments, summary.paid_installments),
                _compare(f"{where} total_installments", total_installments, summary.total_installments),
                _compare(f"{where} writer", payment_writer, bundle_writer),
                _compare(f"{where} writer_paid_amount", money[writer_paid], money[paid_out]),
                _compare(f"{where} writer scheduled", money[writer_scheduled], money[scheduled]),
            ],
        )
        if scheduled + paid_out > compensation:
            problems.append(
                f"{where}: {money[paid_out + scheduled]:.2f} paid or scheduled to the writer, "
                f"more than the compensation {money[compensation]:.2f}"
            )
    events_checked, chain_problems = verify_chain(session)
    return CheckReport(
        bundles_checked=bundles_checked,
        payments_checked=check_rows.entry_count(session),
        audit_events_checked=events_checked,
        problems=problems + chain_problems,
    )
