"""The client half of settling one bundle, in memory: allocate its new ledger entries in the
order they were received, by the same rules as a single payment (in cents,
:mod:`.allocate`; the domain functions decide every refusal), then work out the installment
states and the summary — what ``link_existing_payments`` and ``ledger.recompute_client``
do with queries, done here on loaded rows."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from classpay_tui.domain.allocation import (
    Allocation,
    SlotKind,
    allocate_refund,
    allocate_to_bundle,
    allocate_to_deposit,
    allocate_to_installment,
)
from classpay_tui.domain.errors import ClasspayError
from classpay_tui.domain.statuses import BundleStatus, ClientPaymentStatus, InstallmentStatus, PaymentKind
from classpay_tui.services.bulk.allocate import CentsDebt, Money, Part
from classpay_tui.services.bulk.load import AllocationRow
from classpay_tui.services.bulk.state import BundleWork, Entry
from classpay_tui.services.corrections import reverse_allocations
from classpay_tui.services.records import UnallocatablePayment

# A new allocation: (entry id, slot, index into ``BundleWork.links`` for an installment, amount).
NewAllocation = tuple[int, SlotKind, int | None, Decimal]
# What a reversed entry allocated: (slot kind, slot key, cents).
ReversedRows = list[tuple[SlotKind, int | None, int]]


class Summary(NamedTuple):
    """The stored client half of the summary (``domain.summary.client_summary``)."""

    deposit_paid: Decimal
    amount_paid: Decimal
    balance_remaining: Decimal
    client_payment_status: ClientPaymentStatus
    total_installments: int
    paid_installments: int


# An installment's state after the settle: paid amount, status, paid at, and whether that
# differs from what is stored (a plain tuple: there is one per installment).
LinkOutcome = tuple[Decimal, InstallmentStatus, datetime | None, bool]


class ClientOutcome(NamedTuple):
    summary: Summary
    refunded: Decimal
    next_due: date | None
    links: list[LinkOutcome]
    allocations: list[NewAllocation]


def initial_debt(work: BundleWork, money: Money) -> CentsDebt:
    """The bundle's slots with what is already allocated (as ``ledger.load_state``).
    An installment slot's key is its index in ``work.links``."""
    bundle, allocated, links, cents = work.bundle, work.allocated, work.links, money.cents_of
    return CentsDebt(
        bundle.id,
        cents[bundle.total_amount],
        cents[bundle.deposit_amount],
        allocated.get(SlotKind.DEPOSIT, 0) if allocated else 0,
        (
            [link.number for link in links],
            [link.amount_cents for link in links],
            [link.due_date for link in links],
            [link.allocated_cents for link in links],
        ),
        allocated.get(SlotKind.BALANCE, 0) if allocated else 0,
    )


def _by_the_domain(debt: CentsDebt, entry: Entry, reversed_rows: ReversedRows | None, money: Money) -> list[Part]:
    """The domain function's own answer for ``entry``: its allocations, or its refusal
    (raised as :class:`UnallocatablePayment`)."""
    state = debt.to_domain(money)
    try:
        if entry.kind is PaymentKind.REVERSAL and entry.reverses_id is not None:
            rows = [(kind, key, money.decimal(cents)) for kind, key, cents in reversed_rows or []]
            allocations: list[Allocation] = reverse_allocations(state, entry.reverses_id, rows)
        elif entry.kind is PaymentKind.REFUND:
            allocations = allocate_refund(state, entry.amount)
        elif entry.kind is PaymentKind.INSTALLMENT and entry.target_installment:
            allocations = allocate_to_installment(state, entry.target_installment, entry.amount)
        elif entry.kind is PaymentKind.DEPOSIT:
            allocations = allocate_to_deposit(state, entry.amount)
        else:
            allocations = allocate_to_bundle(state, entry.amount)
    except ClasspayError as error:
        raise UnallocatablePayment(entry.reference, str(error).rstrip(".")) from None
    position = {id(slot): index for index, slot in enumerate(state.slots)}
    return [(position[id(allocation.slot)], money.cents(allocation.amount)) for allocation in allocations]


def _reversed_rows(
    entry: Entry,
    work: BundleWork,
    reversed_allocations: dict[int, list[AllocationRow]],
    done: dict[int, ReversedRows],
) -> ReversedRows | None:
    """What the entry a reversal undoes had allocated: (slot kind, slot key, cents)."""
    if entry.kind is not PaymentKind.REVERSAL or entry.reverses_id is None:
        return None
    if entry.reverses_id in done:  # the original was allocated in this same run
        return done[entry.reverses_id]
    index_of = {link.id: index for index, link in enumerate(work.links)}
    return [
        (kind, index_of.get(link_id) if link_id is not None else None, cents)
        for kind, link_id, cents in reversed_allocations.get(entry.reverses_id, [])
    ]


def settle_client(
    work: BundleWork, reversed_allocations: dict[int, list[AllocationRow]], money: Money
) -> ClientOutcome:
    """Allocate the bundle's new entries and summarise it; raises :class:`UnallocatablePayment`
    for the first entry the bundle cannot take (nothing of the bundle is then written)."""
    debt = initial_debt(work, money)
    kinds, keys, held = debt.kinds, debt.keys, debt.held
    to_decimal, to_cents = money.decimals, money.cents_of
    new: list[NewAllocation] = []
    done: dict[int, ReversedRows] = {}
    last_entry: dict[int, Entry] = {}  # link index → the newest entry (by id) that allocated to it
    reversals = work.reversals
    for entry in work.entries:
        rows = _reversed_rows(entry, work, reversed_allocations, done) if reversals else None
        kind, cents = entry.kind, to_cents[entry.amount]
        # the same choice of rule as ``records._allocate_existing``; None: ask the domain
        if kind is _INSTALLMENT and entry.target_installment:
            parts = debt.pay_installment(entry.target_installment, cents)
        elif kind is _DEPOSIT:
            parts = debt.pay_deposit(cents)
        elif kind is _REFUND:
            parts = debt.refund(cents)
        elif kind is _REVERSAL and entry.reverses_id is not None:
            parts = None if rows is None else debt.reverse(rows)
        else:
            parts = debt.pay_bundle(cents)
        if parts is None:
            parts = _by_the_domain(debt, entry, rows, money)
        entry_id = entry.id
        for index, part in parts:
            held[index] += part
            key = keys[index]  # None but for an installment
            new.append((entry_id, kinds[index], key, to_decimal[part]))
            if key is not None:
                newest = last_entry.get(key)
                if newest is None or newest.id < entry_id:
                    last_entry[key] = entry
        if reversals:
            done[entry_id] = [(kinds[index], keys[index], part) for index, part in parts]
    return _outcome(work, debt, last_entry, money, new)


_INSTALLMENT, _DEPOSIT, _REFUND, _REVERSAL = (
    PaymentKind.INSTALLMENT,
    PaymentKind.DEPOSIT,
    PaymentKind.REFUND,
    PaymentKind.REVERSAL,
)
_PAID, _PARTIAL, _PENDING = InstallmentStatus.PAID, InstallmentStatus.PARTIAL, InstallmentStatus.PENDING


def _outcome(
    work: BundleWork, debt: CentsDebt, last_entry: dict[int, Entry], money: Money, new: list[NewAllocation]
) -> ClientOutcome:
    """The final state in the domain's terms, in one pass over the slots:
    ``domain.summary.client_summary``, ``ledger.next_due_date`` and each installment's
    state (``ledger.link_status``). An installment's ``paid_at`` is when the entry that
    completed it was received: the newest entry that allocated to it
    (``ledger.paid_at_by_link`` replays in id order)."""
    held_of, amounts, due = debt.held, debt.amounts, debt.due
    decimals = money.decimals
    total, paid = sum(amounts), sum(held_of)
    first = debt.deposit + 1  # installment slots follow the deposit, in link order
    links: list[LinkOutcome] = []
    paid_installments, next_due = 0, None
    for index, link in enumerate(work.links):
        slot = first + index
        held = held_of[slot]
        if held == amounts[slot]:
            status = _PAID
            newest = last_entry.get(index)
            paid_at = newest.received_at if newest is not None else link.paid_at
            paid_installments += 1
        else:
            status = _PARTIAL if held > 0 else _PENDING
            paid_at = None
            due_date = due[slot]
            if due_date is not None and (next_due is None or due_date < next_due):
                next_due = due_date
        changed = link.id is None or link.paid_cents != held or link.status is not status or link.paid_at != paid_at
        links.append((decimals[held], status, paid_at, changed))
    if work.bundle.status is BundleStatus.CANCELLED:
        status_now = ClientPaymentStatus.CANCELLED
    elif paid == total:
        status_now = ClientPaymentStatus.PAID
    elif paid == 0:
        status_now = ClientPaymentStatus.REFUNDED if work.refunded > 0 else ClientPaymentStatus.PENDING
    else:
        status_now = ClientPaymentStatus.PARTIAL
    summary = Summary(
        decimals[held_of[0] if first else 0],
        decimals[paid],
        decimals[total - paid],
        status_now,
        len(work.links),
        paid_installments,
    )
    return ClientOutcome(summary, work.refunded, next_due, links, new)
