"""Recording a client payment (to the deposit, one installment or the bundle) in a few Core
statements instead of through the ORM session.

It does what ``PaymentOperations._record_entry`` does for such a payment — lock the
bundle, write the ledger row and its allocations, recompute every installment and the
summary from the whole ledger, schedule the writer payout that is due, append the audit
event — with one read of the record, one of its installments, one of its ledger and one
of its payouts, then only the rows that changed; the result is built from those rows as
the write left them, not read back. A case it does not take (no payment record yet, a
reference already recorded, an unknown bundle or installment) is handed back untouched
(None) for the ORM path, which creates the record, replays, refuses or says what is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from classpay_tui.domain.allocation import Allocation, BundleDebt, SlotKind
from classpay_tui.domain.compensation import next_payout_day
from classpay_tui.domain.money import ZERO
from classpay_tui.domain.statuses import (
    BundleStatus,
    InstallmentStatus,
    PaymentKind,
    WriterPayoutStatus,
)
from classpay_tui.domain.summary import client_summary
from classpay_tui.services import payment_sql, views
from classpay_tui.services.audit import GENESIS_HASH, append_event, chain_head, event_values
from classpay_tui.services.context import OperatorContext
from classpay_tui.services.core import audit_summary
from classpay_tui.services.ledger import (
    allocated_by_slot,
    bundle_debt,
    debt_with,
    link_status,
    net_refunded,
    next_due_date,
    paid_at_by_link,
    writer_summary,
)
from classpay_tui.services.payouts import due_payout
from classpay_tui.services.schemas import LedgerEntryOut, PaymentDetails
from classpay_tui.services.view_rows import AllocationRow, EntryRow, InstallmentRow, PayoutRow, SummaryRow

if TYPE_CHECKING:
    from classpay_tui.services.payment_ops import EntryRequest

# The allocation for the bundle's debt; the installment number is the one named by id.
AllocateDebt = Callable[[BundleDebt, int | None], list[Allocation]]
_SUMMARY_WIDTH = len(SummaryRow._fields)
_EXTRAS = 6  # after the summary: bundle total, deposit, payout mode, weekday, has payouts, number


@dataclass(frozen=True)
class Recorded:
    """A new entry, written: the bundle's details as it left them, and what went where."""

    entry: LedgerEntryOut
    details: PaymentDetails
    allocations: list[Allocation]
    balance_before: Decimal


@dataclass(frozen=True)
class _Link:
    """One installment of the record as read: its link id and the view's row."""

    id: int
    row: InstallmentRow


def record_client_payment(
    connection: Connection,
    ctx: OperatorContext,
    request: EntryRequest,
    *,
    by: str,
    key: int,
    allocate: AllocateDebt,
    now: datetime,
    today: date,
    currency: str,
) -> Recorded | None:
    """Record ``request`` (a deposit, installment or bundle payment) on the bundle ``key``
    (``by`` bundle) or on the bundle of installment ``key`` (``by`` installment), in the
    connection's write transaction; None when the ORM path must take it (nothing was
    written then)."""
    inline = connection.dialect.name == "sqlite"
    params: dict[str, Any] = {"bundle_id": key} if by == payment_sql.BY_BUNDLE else {"installment_id": key}
    if not inline:
        payment_sql.lock_bundle(by).rows(connection, params)
    found = payment_sql.record(by, inline).first(
        connection, {**params, "reference": request.reference} if inline else params
    )
    if found is None:
        return None
    record = SummaryRow._make(found[:_SUMMARY_WIDTH])
    total, deposit, office_mode, payout_weekday, has_payouts, number = found[_SUMMARY_WIDTH : _SUMMARY_WIDTH + _EXTRAS]
    if inline:
        existing, head = found[_SUMMARY_WIDTH + _EXTRAS :]
    else:
        existing, head = payment_sql.entry_by_reference().first(connection, {"reference": request.reference}), None
    if existing is not None or record.writer_id != record.payment_writer_id:
        return None  # a retry or a conflict; or a record whose writer lags the bundle's: the ORM path
    if by == payment_sql.BY_INSTALLMENT:
        request = replace(request, target_installment=number)

    links = [
        _Link(row[0], InstallmentRow._make(row[1:]))
        for row in payment_sql.installments().rows(connection, {"payment_id": record.payment_id})
    ]
    ledger = payment_sql.ledger().rows(connection, {"bundle_id": record.bundle_id})
    payouts = (
        [PayoutRow._make(row) for row in payment_sql.payouts().rows(connection, {"payment_id": record.payment_id})]
        if has_payouts
        else []
    )
    debt = bundle_debt(
        record.bundle_id,
        total,
        deposit,
        [(link.id, link.row.number, link.row.amount, link.row.due_date) for link in links],
        allocated_by_slot((row[11], row[12], row[13]) for row in ledger if row[11] is not None),
    )
    allocations = allocate(debt, number)  # refusals raise here, before anything is written
    if any(allocation.amount < ZERO for allocation in allocations):
        return None  # money going back takes payouts back too: the ORM path
    received_at, recorded_at = request.received_at.astimezone(UTC), now.astimezone(UTC)

    entry_id = payment_sql.insert_entry().insert(
        connection,
        {
            "bundle_id": record.bundle_id,
            "kind": request.kind,
            "amount": request.amount,
            "method": request.method,
            "reference": request.reference,
            "target_installment": request.target_installment,
            "received_at": received_at,
            "recorded_at": recorded_at,
            "recorded_by": ctx.login,
            "note": request.note,
            "reverses_id": None,
        },
    )
    payment_sql.insert_allocation().run(
        connection,
        [
            {
                "order_payment_id": entry_id,
                "class_payment_id": record.payment_id,
                "slot": allocation.slot.kind,
                "payment_installment_id": allocation.slot.key if allocation.slot.kind is SlotKind.INSTALLMENT else None,
                "amount": allocation.amount,
            }
            for allocation in allocations
        ],
    )

    debt = debt_with(debt, allocations)
    installment_rows = _settle_installments(connection, links, ledger, debt, allocations, received_at)
    cancelled = record.bundle_status is BundleStatus.CANCELLED
    entries = {row[0]: EntryRow._make(row[:11]) for row in ledger}
    refunded = net_refunded(
        ((entry.id, entry.amount) for entry in entries.values() if entry.kind is PaymentKind.REFUND),
        {entry.reverses for entry in entries.values() if entry.kind is PaymentKind.REVERSAL and entry.reverses},
    )
    client = client_summary(debt, refunded=refunded, cancelled=cancelled)
    payouts += _schedule_payout(
        connection,
        record,
        payouts,
        mode=record.payout_mode or office_mode,
        client=client,
        total=total,
        scheduled_for=next_payout_day(today, payout_weekday),
        now=now,
    )
    writer = writer_summary(
        record.writer_compensation_amount,
        client.amount_paid,
        total,
        _sums(payouts, record.payment_writer_id),
        bundle_cancelled=cancelled,
    )
    updated = record._replace(
        total_amount=total,
        deposit_amount=deposit,
        deposit_paid=client.deposit_paid,
        amount_paid=client.amount_paid,
        refunded_amount=refunded,
        balance_remaining=client.balance_remaining,
        client_payment_status=client.client_payment_status,
        writer_paid_amount=writer.paid,
        writer_scheduled_amount=writer.scheduled,
        writer_owed_back=writer.owed_back,
        writer_payment_status=writer.status,
        uses_installments=bool(links),
        total_installments=client.total_installments,
        paid_installments=client.paid_installments,
        next_due_date=next_due_date(debt),
    )
    _update_record(connection, record, updated, now)

    number_of = {link.id: link.row.number for link in links}
    allocation_rows = [
        AllocationRow(row[0], row[11], number_of.get(row[12]), row[13]) for row in ledger if row[11] is not None
    ]
    allocation_rows += [
        AllocationRow(
            entry_id,
            allocation.slot.kind,
            allocation.slot.number if allocation.slot.kind is SlotKind.INSTALLMENT else None,
            allocation.amount,
        )
        for allocation in allocations
    ]
    entries[entry_id] = EntryRow(
        entry_id,
        record.bundle_id,
        request.kind,
        request.amount,
        request.method,
        request.reference,
        received_at,
        recorded_at,
        ctx.login,
        request.note,
        None,
    )
    details = views.details_from_rows(
        updated,
        installment_rows,
        sorted(entries.values()),
        allocation_rows,
        payouts,
        currency,
        today,
    )
    entry = next(item for item in details.ledger if item.id == entry_id)
    append_event(
        connection,
        event_values(
            (head or GENESIS_HASH) if inline else chain_head(connection),
            ctx,
            now,
            f"payment.{request.kind.value}",
            "bundle",
            record.bundle_id,
            before={"balance_remaining": str(record.balance_remaining)},
            after={"payment": entry.model_dump(mode="json"), **audit_summary(details)},
        ),
    )
    return Recorded(entry, details, allocations, record.balance_remaining)


def _settle_installments(
    connection: Connection,
    links: list[_Link],
    ledger: list[Any],
    debt: BundleDebt,
    added: list[Allocation],
    received_at: datetime,
) -> list[InstallmentRow]:
    """Each installment's state from the ledger (as ``ledger.recompute_client``), the
    changed ones written; returns the view's rows as they now are."""
    if not links:
        return []
    history = [(row[12], row[13], row[6]) for row in ledger if row[12] is not None]
    history += [(a.slot.key, a.amount, received_at) for a in added if a.slot.kind is SlotKind.INSTALLMENT]
    paid_at = paid_at_by_link(history, {link.id: link.row.amount for link in links})
    slots = {slot.key: slot for slot in debt.slots if slot.kind is SlotKind.INSTALLMENT}
    rows, changed = [], []
    for link in links:
        slot = slots[link.id]
        status = link_status(slot)
        row = link.row._replace(
            status=status,
            paid_amount=slot.allocated,
            paid_at=paid_at.get(link.id) if status is InstallmentStatus.PAID else None,
        )
        rows.append(row)
        if row != link.row:
            changed.append(
                {
                    "link_id": link.id,
                    "new_paid_amount": row.paid_amount,
                    "new_status": status,
                    "new_paid_at": row.paid_at,
                }
            )
    if changed:
        payment_sql.update_installment().run(connection, changed)
    return rows


def _sums(payouts: list[PayoutRow], writer_id: int | None) -> dict[WriterPayoutStatus, Decimal]:
    """The current writer's payouts on the record, summed by status (as ``ledger.payout_sums``)."""
    sums: dict[WriterPayoutStatus, Decimal] = {}
    if writer_id is None:
        return sums
    for payout in payouts:
        if payout.writer_id == writer_id:
            sums[payout.status] = sums.get(payout.status, ZERO) + payout.amount
    return sums


def _schedule_payout(
    connection: Connection,
    record: SummaryRow,
    payouts: list[PayoutRow],
    *,
    mode: Any,
    client: Any,
    total: Decimal,
    scheduled_for: date,
    now: datetime,
) -> list[PayoutRow]:
    """The writer payout the mode says is now due (as ``payouts.schedule_due_payouts``),
    with its bonus record; returns its row, or none."""
    writer_id = record.payment_writer_id
    if writer_id is None:
        return []
    before = writer_summary(
        record.writer_compensation_amount,
        client.amount_paid,
        total,
        _sums(payouts, writer_id),
        bundle_cancelled=record.bundle_status is BundleStatus.CANCELLED,
    )
    due = due_payout(
        mode,
        client.client_payment_status,
        record.writer_compensation_amount,
        client.amount_paid,
        total,
        before.paid,
        before.scheduled,
    )
    if due is None:
        return []
    amount, payment_type = due
    bonus_id = payment_sql.insert_bonus().insert(
        connection,
        {
            "writer_id": writer_id,
            "bundle_id": record.bundle_id,
            "category": "class_payment",
            "amount": amount,
            "granted_at": now,
            "is_paid": False,
        },
    )
    payout_id = payment_sql.insert_payout().insert(
        connection,
        {
            "class_payment_id": record.payment_id,
            "writer_id": writer_id,
            "amount": amount,
            "payment_type": payment_type,
            "status": WriterPayoutStatus.SCHEDULED,
            "scheduled_for": scheduled_for,
            "bonus_id": bonus_id,
            "created_at": now,
        },
    )
    return [
        PayoutRow(
            id=payout_id,
            payment_record_id=record.payment_id,
            writer_id=writer_id,
            amount=amount,
            payment_type=payment_type,
            status=WriterPayoutStatus.SCHEDULED,
            scheduled_for=scheduled_for,
            paid_at=None,
            reference=None,
            bonus_id=bonus_id,
            method=None,
            cancel_reason=None,
            writer_username=record.writer_username or "",
            bundle_id=record.bundle_id,
        )
    ]


# The summary columns a payment can change, by their name in ``SummaryRow``.
_RECORD_COLUMNS = (
    "total_amount",
    "deposit_amount",
    "deposit_paid",
    "amount_paid",
    "refunded_amount",
    "balance_remaining",
    "client_payment_status",
    "writer_paid_amount",
    "writer_scheduled_amount",
    "writer_owed_back",
    "writer_payment_status",
    "uses_installments",
    "total_installments",
    "paid_installments",
    "next_due_date",
)


def _update_record(connection: Connection, before: SummaryRow, after: SummaryRow, now: datetime) -> None:
    changed = tuple(name for name in _RECORD_COLUMNS if getattr(after, name) != getattr(before, name))
    values = {f"new_{name}": getattr(after, name) for name in changed}
    payment_sql.update_record((*changed, "updated_at")).run(
        connection, {"record_id": before.payment_id, **values, "new_updated_at": now}
    )
