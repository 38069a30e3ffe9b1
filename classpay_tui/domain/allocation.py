"""Where a client's money goes: deposit first, then installments, oldest due date first.

The functions here take a snapshot of what a bundle owes and return allocations; they
never touch the database, so every rule can be tested (and property-tested) on its own.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from classpay_tui.domain.errors import InvalidInput, Refused
from classpay_tui.domain.money import ZERO, format_money


class SlotKind(enum.StrEnum):
    DEPOSIT = "deposit"
    INSTALLMENT = "installment"
    BALANCE = "balance"  # the part after the deposit of a bundle without installments


@dataclass(frozen=True)
class Slot:
    """One thing a client owes: the deposit, one installment, or the whole balance."""

    kind: SlotKind
    amount: Decimal
    allocated: Decimal
    number: int = 0  # installment number, 0 for deposit and balance
    due_date: date | None = None
    key: int | None = None  # the storage id of the installment, if any

    @property
    def owed(self) -> Decimal:
        return self.amount - self.allocated

    def describe(self) -> str:
        if self.kind is SlotKind.DEPOSIT:
            return "the deposit"
        if self.kind is SlotKind.BALANCE:
            return "the balance"
        return f"installment {self.number}"


@dataclass(frozen=True)
class Allocation:
    slot: Slot
    amount: Decimal  # positive pays, negative un-pays


@dataclass(frozen=True)
class BundleDebt:
    """What a bundle's plan asks for and what has been allocated so far."""

    bundle_id: int
    slots: Sequence[Slot] = field(default_factory=tuple)

    @property
    def deposit(self) -> Slot | None:
        return next((slot for slot in self.slots if slot.kind is SlotKind.DEPOSIT), None)

    @property
    def total(self) -> Decimal:
        return sum((slot.amount for slot in self.slots), ZERO)

    @property
    def paid(self) -> Decimal:
        return sum((slot.allocated for slot in self.slots), ZERO)

    @property
    def owed(self) -> Decimal:
        return self.total - self.paid

    def installment(self, number: int) -> Slot:
        for slot in self.slots:
            if slot.kind is SlotKind.INSTALLMENT and slot.number == number:
                return slot
        count = sum(1 for slot in self.slots if slot.kind is SlotKind.INSTALLMENT)
        if count == 0:
            raise InvalidInput(f"Bundle {self.bundle_id} has no installments; pay the bundle or its deposit.")
        raise InvalidInput(f"Bundle {self.bundle_id} has installments 1 to {count}, not {number}.")

    def payment_order(self) -> list[Slot]:
        """Deposit, then the balance slot or installments by due date, then number."""
        rank = {SlotKind.DEPOSIT: 0, SlotKind.BALANCE: 1, SlotKind.INSTALLMENT: 1}
        return sorted(self.slots, key=lambda s: (rank[s.kind], s.due_date or date.min, s.number))


def _refuse_excess(amount: Decimal, owed: Decimal, what: str) -> None:
    if amount > owed:
        raise Refused(
            f"{format_money(amount)} is {format_money(amount - owed)} more than the "
            f"{format_money(owed)} still owed on {what}."
        )


def allocate_to_bundle(debt: BundleDebt, amount: Decimal) -> list[Allocation]:
    """A payment with no target: unpaid deposit first, then installments oldest first."""
    if debt.owed == ZERO:
        raise Refused(f"Bundle {debt.bundle_id} is already paid in full.")
    _refuse_excess(amount, debt.owed, f"bundle {debt.bundle_id}")
    allocations, left = [], amount
    for slot in debt.payment_order():
        if left == ZERO:
            break
        part = min(left, slot.owed)
        if part > ZERO:
            allocations.append(Allocation(slot, part))
            left -= part
    return allocations


def allocate_to_deposit(debt: BundleDebt, amount: Decimal) -> list[Allocation]:
    deposit = debt.deposit
    if deposit is None:
        raise Refused(f"Bundle {debt.bundle_id} has no deposit.")
    if deposit.owed == ZERO:
        raise Refused(f"The deposit of bundle {debt.bundle_id} is already paid.")
    _refuse_excess(amount, deposit.owed, f"the deposit of bundle {debt.bundle_id}")
    return [Allocation(deposit, amount)]


def allocate_to_installment(debt: BundleDebt, number: int, amount: Decimal) -> list[Allocation]:
    slot = debt.installment(number)
    if slot.owed == ZERO:
        raise Refused(f"Installment {number} of bundle {debt.bundle_id} is already paid.")
    deposit = debt.deposit
    if deposit is not None and deposit.owed > ZERO:
        raise Refused(
            f"The deposit of bundle {debt.bundle_id} ({format_money(deposit.owed)} still owed) "
            "must be paid before any installment."
        )
    _refuse_excess(amount, slot.owed, f"installment {number} of bundle {debt.bundle_id}")
    return [Allocation(slot, amount)]


def allocate_refund(debt: BundleDebt, amount: Decimal) -> list[Allocation]:
    """A refund un-pays installments latest first and the deposit last."""
    if amount > debt.paid:
        raise Refused(
            f"A refund of {format_money(amount)} is more than the {format_money(debt.paid)} "
            f"paid on bundle {debt.bundle_id}."
        )
    allocations, left = [], amount
    for slot in reversed(debt.payment_order()):
        if left == ZERO:
            break
        part = min(left, slot.allocated)
        if part > ZERO:
            allocations.append(Allocation(slot, -part))
            left -= part
    return allocations
