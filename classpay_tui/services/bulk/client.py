"""The client half of settling one bundle, in memory: allocate its new ledger entries in the
order they were received, with the same domain functions as a single payment, then work
out the installment states and the summary — what ``link_existing_payments`` and
``ledger.recompute_client`` do with queries, done here on loaded rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from classpay_tui.domain.allocation import (
    Allocation,
    BundleDebt,
    Slot,
    SlotKind,
    allocate_refund,
    allocate_to_bundle,
    allocate_to_deposit,
    allocate_to_installment,
)
from classpay_tui.domain.errors import ClasspayError
from classpay_tui.domain.money import ZERO
from classpay_tui.domain.statuses import BundleStatus, InstallmentStatus, PaymentKind
from classpay_tui.domain.summary import ClientSummary, client_summary
from classpay_tui.services.bulk.load import AllocationRow
from classpay_tui.services.bulk.state import BundleWork, Entry
from classpay_tui.services.corrections import reverse_allocations
from classpay_tui.services.ledger import link_status, next_due_date
from classpay_tui.services.records import UnallocatablePayment


@dataclass(frozen=True)
class NewAllocation:
    entry_id: int
    slot: SlotKind
    link_index: int | None  # index into ``BundleWork.links`` for an installment
    amount: Decimal


@dataclass
class LinkOutcome:
    paid_amount: Decimal
    status: InstallmentStatus
    paid_at: datetime | None
    changed: bool


@dataclass
class ClientOutcome:
    summary: ClientSummary
    refunded: Decimal
    next_due: date | None
    links: list[LinkOutcome]
    allocations: list[NewAllocation] = field(default_factory=list)


def initial_debt(work: BundleWork) -> BundleDebt:
    """The bundle's slots with what is already allocated (as ``ledger.load_state``).
    An installment slot's ``key`` is its index in ``work.links``."""
    bundle = work.bundle
    slots: list[Slot] = []
    if bundle.deposit_amount > ZERO:
        slots.append(Slot(SlotKind.DEPOSIT, bundle.deposit_amount, work.allocated.get(SlotKind.DEPOSIT, ZERO)))
    if work.links:
        slots.extend(
            Slot(SlotKind.INSTALLMENT, link.amount, link.allocated, link.number, link.due_date, index)
            for index, link in enumerate(work.links)
        )
    elif bundle.total_amount > bundle.deposit_amount:
        balance = bundle.total_amount - bundle.deposit_amount
        slots.append(Slot(SlotKind.BALANCE, balance, work.allocated.get(SlotKind.BALANCE, ZERO)))
    return BundleDebt(bundle.id, tuple(slots))


def _allocate(
    debt: BundleDebt,
    entry: Entry,
    work: BundleWork,
    reversed_allocations: dict[int, list[AllocationRow]],
    done: dict[int, list[Allocation]],
) -> list[Allocation]:
    """The same choice of domain function as ``records._allocate_existing``."""
    if entry.kind is PaymentKind.REVERSAL and entry.reverses_id is not None:
        if entry.reverses_id in done:  # the original was allocated in this same run
            rows = [(a.slot.kind, a.slot.key, a.amount) for a in done[entry.reverses_id]]
        else:
            index_of = {link.id: index for index, link in enumerate(work.links)}
            rows = [
                (kind, index_of.get(link_id) if link_id is not None else None, amount)
                for kind, link_id, amount in reversed_allocations.get(entry.reverses_id, [])
            ]
        return reverse_allocations(debt, entry.reverses_id, rows)
    if entry.kind is PaymentKind.REFUND:
        return allocate_refund(debt, entry.amount)
    if entry.kind is PaymentKind.INSTALLMENT and entry.target_installment:
        return allocate_to_installment(debt, entry.target_installment, entry.amount)
    if entry.kind is PaymentKind.DEPOSIT:
        return allocate_to_deposit(debt, entry.amount)
    return allocate_to_bundle(debt, entry.amount)


def _apply(debt: BundleDebt, allocations: list[Allocation]) -> BundleDebt:
    slots = list(debt.slots)
    for allocation in allocations:
        position = next(i for i, slot in enumerate(debt.slots) if slot is allocation.slot)
        old = slots[position]
        slots[position] = Slot(
            old.kind, old.amount, old.allocated + allocation.amount, old.number, old.due_date, old.key
        )
    return BundleDebt(debt.bundle_id, tuple(slots))


def settle_client(work: BundleWork, reversed_allocations: dict[int, list[AllocationRow]]) -> ClientOutcome:
    """Allocate the bundle's new entries and summarise it; raises :class:`UnallocatablePayment`
    for the first entry the bundle cannot take (nothing of the bundle is then written)."""
    debt = initial_debt(work)
    new: list[NewAllocation] = []
    done: dict[int, list[Allocation]] = {}
    last_entry: dict[int, Entry] = {}  # link index → the newest entry (by id) that allocated to it
    for entry in work.entries:
        try:
            allocations = _allocate(debt, entry, work, reversed_allocations, done)
        except ClasspayError as error:
            raise UnallocatablePayment(entry.reference, str(error).rstrip(".")) from None
        done[entry.id] = allocations
        debt = _apply(debt, allocations)
        for allocation in allocations:
            key = allocation.slot.key if allocation.slot.kind is SlotKind.INSTALLMENT else None
            new.append(NewAllocation(entry.id, allocation.slot.kind, key, allocation.amount))
            if key is not None and (key not in last_entry or last_entry[key].id < entry.id):
                last_entry[key] = entry
    return ClientOutcome(
        summary=client_summary(debt, refunded=work.refunded, cancelled=work.bundle.status is BundleStatus.CANCELLED),
        refunded=work.refunded,
        next_due=next_due_date(debt),
        links=_links(work, debt, last_entry),
        allocations=new,
    )


def _links(work: BundleWork, debt: BundleDebt, last_entry: dict[int, Entry]) -> list[LinkOutcome]:
    """Each installment's state. ``paid_at`` is when the entry that completed it was received:
    the newest entry that allocated to it (``ledger._paid_at_by_link`` replays in id order)."""
    outcomes = []
    slots = {slot.key: slot for slot in debt.slots if slot.kind is SlotKind.INSTALLMENT}
    for index, link in enumerate(work.links):
        slot = slots[index]
        status = link_status(slot)
        paid_at = None
        if status is InstallmentStatus.PAID:
            paid_at = last_entry[index].received_at if index in last_entry else link.paid_at
        changed = link.id is None or (link.paid_amount, link.status, link.paid_at) != (slot.allocated, status, paid_at)
        outcomes.append(LinkOutcome(slot.allocated, status, paid_at, changed))
    return outcomes
