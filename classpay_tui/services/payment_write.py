"""Recording a client payment (to the deposit, one installment or the bundle) in a few
statements compiled once, without the ORM session.

It does what ``PaymentOperations._record_entry`` does for such a payment — lock the
bundle, write the ledger row and its allocations, recompute every installment and the
summary from the whole ledger, schedule the writer payout that is due, append the audit
event — with one read of the record, one of its installments, one of its ledger and
(when it has any) one of its payouts, then writes of only the rows that changed; the
result is built from those rows as the write left them, not read back. What it does not
take (no payment record yet, a reference already recorded, an unknown bundle or
installment) it hands back untouched (None) to the ORM path, which creates the record,
replays the payment, refuses the conflict or says what is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import Connection

from classpay_tui.domain.allocation import Allocation, BundleDebt, SlotKind
from classpay_tui.domain.compensation import next_payout_day
from classpay_tui.domain.money import ZERO
from classpay_tui.domain.statuses import (
    BundleStatus,
    InstallmentStatus,
    PaymentKind,
    PaymentMethod,
    PayoutMode,
    WriterPayoutStatus,
)
from classpay_tui.domain.summary import ClientSummary, client_summary
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
_ENTRY_WIDTH = len(EntryRow._fields)

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


@dataclass(frozen=True)
class Recorded:
    """A new entry, written: the bundle's details as it left them, and what went where."""

    entry: LedgerEntryOut
    details: PaymentDetails
    allocations: list[Allocation]
    balance_before: Decimal


class _Link(NamedTuple):
    """One installment of the record as read: its link's id and the view's row."""

    id: int
    row: InstallmentRow


class _LedgerRow(NamedTuple):
    """One ledger entry (``EntryRow``'s fields) with one of its allocations (none: slot None)."""

    id: int
    bundle_id: int
    kind: PaymentKind
    amount: Decimal
    method: PaymentMethod
    reference: str
    received_at: datetime
    recorded_at: datetime
    recorded_by: str
    note: str | None
    reverses: int | None
    slot: SlotKind | None
    link_id: int | None
    allocated: Decimal | None


@dataclass(frozen=True)
class _Locked:
    """The bundle as read under its lock: everything the payment and the result need."""

    record: SummaryRow
    total: Decimal  # the bundle's own total and deposit (the record follows them)
    deposit: Decimal
    payout_mode: PayoutMode
    payout_weekday: int
    number: int | None  # of the installment named by id
    head: str | None  # the audit chain's head, when read with the record
    links: list[_Link]
    ledger: list[_LedgerRow]
    payouts: list[PayoutRow]

    def debt(self) -> BundleDebt:
        return bundle_debt(
            self.record.bundle_id,
            self.total,
            self.deposit,
            [(link.id, link.row.number, link.row.amount, link.row.due_date) for link in self.links],
            allocated_by_slot((row.slot, row.link_id, row.allocated) for row in self.ledger if row.slot is not None),
        )


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
    locked = _read_locked(connection, by, key, request.reference)
    if locked is None:
        return None
    if by == payment_sql.BY_INSTALLMENT:
        request = replace(request, target_installment=locked.number)
    debt = locked.debt()
    allocations = allocate(debt, locked.number)  # refusals raise here, before anything is written
    if any(allocation.amount < ZERO for allocation in allocations):
        return None  # money going back takes payouts back too: the ORM path
    entry = _write_entry(connection, ctx, request, locked.record, allocations, now)
    debt = debt_with(debt, allocations)
    installments = _settle_installments(connection, locked, debt, allocations, entry.received_at)
    record, payouts = _settle_summary(connection, locked, debt, now, today)
    number_of = {link.id: link.row.number for link in locked.links}
    allocation_rows = [
        AllocationRow(row.id, row.slot, number_of.get(row.link_id), row.allocated)  # type: ignore[arg-type]
        for row in locked.ledger
        if row.slot is not None
    ]
    allocation_rows += [
        AllocationRow(
            entry.id,
            allocation.slot.kind,
            allocation.slot.number if allocation.slot.kind is SlotKind.INSTALLMENT else None,
            allocation.amount,
        )
        for allocation in allocations
    ]
    entries = {row.id: EntryRow._make(row[:_ENTRY_WIDTH]) for row in locked.ledger} | {entry.id: entry}
    details = views.details_from_rows(
        record, installments, sorted(entries.values()), allocation_rows, payouts, currency, today
    )
    payment = next(item for item in details.ledger if item.id == entry.id)
    append_event(
        connection,
        event_values(
            chain_head(connection) if locked.head is None else locked.head,
            ctx,
            now,
            f"payment.{request.kind.value}",
            "bundle",
            record.bundle_id,
            before={"balance_remaining": str(locked.record.balance_remaining)},
            after={"payment": payment.model_dump(mode="json"), **audit_summary(details)},
        ),
    )
    return Recorded(payment, details, allocations, locked.record.balance_remaining)


def _read_locked(connection: Connection, by: str, key: int, reference: str) -> _Locked | None:
    """Lock the bundle and read it: None for a case of the ORM path (no such bundle or
    installment, no payment record yet, the reference already recorded)."""
    inline = connection.dialect.name == "sqlite"  # BEGIN IMMEDIATE holds the database already
    params: dict[str, Any] = {"bundle_id": key} if by == payment_sql.BY_BUNDLE else {"installment_id": key}
    if not inline:
        payment_sql.lock_bundle(by).rows(connection, params)
    found = payment_sql.record(by, inline).first(connection, {**params, "reference": reference} if inline else params)
    if found is None:
        return None
    record = SummaryRow._make(found[:_SUMMARY_WIDTH])
    total, deposit, office_mode, weekday, has_payouts, number, *more = found[_SUMMARY_WIDTH:]
    if inline:
        existing, head = more
        head = head or GENESIS_HASH
    else:
        existing, head = payment_sql.entry_by_reference().first(connection, {"reference": reference}), None
    if existing is not None or record.writer_id != record.payment_writer_id:
        return None  # a retry or a conflict; or a record whose writer lags the bundle's
    payment_id = {"payment_id": record.payment_id}
    return _Locked(
        record=record,
        total=total,
        deposit=deposit,
        payout_mode=record.payout_mode or office_mode,
        payout_weekday=weekday,
        number=number,
        head=head,
        links=[
            _Link(row[0], InstallmentRow._make(row[1:]))
            for row in payment_sql.installments().rows(connection, payment_id)
        ],
        ledger=[
            _LedgerRow._make(row) for row in payment_sql.ledger().rows(connection, {"bundle_id": record.bundle_id})
        ],
        payouts=[PayoutRow._make(row) for row in payment_sql.payouts().rows(connection, payment_id)]
        if has_payouts
        else [],
    )


def _write_entry(
    connection: Connection,
    ctx: OperatorContext,
    request: EntryRequest,
    record: SummaryRow,
    allocations: list[Allocation],
    now: datetime,
) -> EntryRow:
    """The ledger row and its allocations; returns the row as the ledger view reads it."""
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
    return EntryRow(
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


def _settle_summary(
    connection: Connection, locked: _Locked, debt: BundleDebt, now: datetime, today: date
) -> tuple[SummaryRow, list[PayoutRow]]:
    """The summary from the ledger (as ``ledger.recompute_client``) and the writer's
    payouts (as ``ledger.recompute_writer``), after scheduling the payout now due; the
    changed columns written. Returns the record's row and its payouts as they now are."""
    record = locked.record
    cancelled = record.bundle_status is BundleStatus.CANCELLED
    entries = {row.id: row for row in locked.ledger}.values()
    refunded = net_refunded(
        ((entry.id, entry.amount) for entry in entries if entry.kind is PaymentKind.REFUND),
        {entry.reverses for entry in entries if entry.kind is PaymentKind.REVERSAL and entry.reverses},
    )
    client = client_summary(debt, refunded=refunded, cancelled=cancelled)
    payouts = locked.payouts + _schedule_payout(connection, locked, client, now, today)
    writer = writer_summary(
        record.writer_compensation_amount,
        client.amount_paid,
        locked.total,
        _sums(payouts, record.payment_writer_id),
        bundle_cancelled=cancelled,
    )
    updated = record._replace(
        total_amount=locked.total,
        deposit_amount=locked.deposit,
        deposit_paid=client.deposit_paid,
        amount_paid=client.amount_paid,
        refunded_amount=refunded,
        balance_remaining=client.balance_remaining,
        client_payment_status=client.client_payment_status,
        writer_paid_amount=writer.paid,
        writer_scheduled_amount=writer.scheduled,
        writer_owed_back=writer.owed_back,
        writer_payment_status=writer.status,
        uses_installments=bool(locked.links),
        total_installments=client.total_installments,
        paid_installments=client.paid_installments,
        next_due_date=next_due_date(debt),
    )
    changed = tuple(name for name in _RECORD_COLUMNS if getattr(updated, name) != getattr(record, name))
    payment_sql.update_record((*changed, "updated_at")).run(
        connection,
        {
            "record_id": record.payment_id,
            **{f"new_{name}": getattr(updated, name) for name in changed},
            "new_updated_at": now,
        },
    )
    return updated, payouts


def _settle_installments(
    connection: Connection, locked: _Locked, debt: BundleDebt, added: list[Allocation], received_at: datetime
) -> list[InstallmentRow]:
    """Each installment's state from the ledger (as ``ledger.recompute_client``), the
    changed ones written; returns the view's rows as they now are."""
    if not locked.links:
        return []
    history = [(row.link_id, row.allocated, row.received_at) for row in locked.ledger if row.link_id is not None]
    history += [(a.slot.key, a.amount, received_at) for a in added if a.slot.kind is SlotKind.INSTALLMENT]
    paid_at = paid_at_by_link(history, {link.id: link.row.amount for link in locked.links})  # type: ignore[arg-type]
    slots = {slot.key: slot for slot in debt.slots if slot.kind is SlotKind.INSTALLMENT}
    rows, changed = [], []
    for link in locked.links:
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
    connection: Connection, locked: _Locked, client: ClientSummary, now: datetime, today: date
) -> list[PayoutRow]:
    """The writer payout the payout mode says is now due (as ``payouts.schedule_due_payouts``),
    with its bonus record; returns its row, or none."""
    record = locked.record
    writer_id = record.payment_writer_id
    if writer_id is None:
        return []
    before = writer_summary(
        record.writer_compensation_amount,
        client.amount_paid,
        locked.total,
        _sums(locked.payouts, writer_id),
        bundle_cancelled=record.bundle_status is BundleStatus.CANCELLED,
    )
    due = due_payout(
        locked.payout_mode,
        client.client_payment_status,
        record.writer_compensation_amount,
        client.amount_paid,
        locked.total,
        before.paid,
        before.scheduled,
    )
    if due is None:
        return []
    scheduled_for = next_payout_day(today, locked.payout_weekday)
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
