"""The allocation rules of :mod:`classpay_tui.domain.allocation`, in integer cents on
mutable lists, for settling many thousands of ledger entries in one pass.

The domain functions take an immutable snapshot and return new objects on every entry,
which is right for one payment and too slow for a hundred thousand. This does the same
arithmetic in place. It only ever *accepts* entries: whenever the domain would refuse one
(or anything looks unusual), it answers ``None`` and the caller asks the domain function
itself, on :meth:`CentsDebt.to_domain` — so every refusal and its message is the domain's
own. Tests check that the two give the same answer for every kind of entry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from classpay_tui.domain.allocation import BundleDebt, Slot, SlotKind

Part = tuple[int, int]  # (slot index, signed cents)


class _Converted(dict[Any, Any]):
    """Values already converted, keyed by the value: a plain dict lookup when it is there."""

    def __init__(self, convert: Callable[[Any], Any]) -> None:
        super().__init__()
        self.convert = convert

    def __missing__(self, value: Any) -> Any:
        result = self[value] = self.convert(value)
        return result


class Money:
    """Money between ``Decimal`` and integer cents for one settle, each distinct value
    converted once (a dict lookup is ten times cheaper than the arithmetic):
    ``money.decimals[cents]`` and ``money.cents_of[amount]``."""

    __slots__ = ("cents_of", "decimals")

    def __init__(self) -> None:
        # of amounts that are already whole cents (stored or validated money)
        self.cents_of: dict[Decimal, int] = _Converted(lambda amount: int(amount * 100))
        self.decimals: dict[int, Decimal] = _Converted(lambda cents: Decimal(cents).scaleb(-2))

    def cents(self, amount: Decimal) -> int:
        """Of an amount that is already whole cents (stored or validated money)."""
        return self.cents_of[amount]

    def decimal(self, cents: int) -> Decimal:
        return self.decimals[cents]


class CentsDebt:
    """One bundle's slots: the deposit, then its installments (by number) or the balance.

    ``keys[i]`` is the slot's key as the domain sees it (an installment's index in the
    bundle's links, ``None`` for the deposit and the balance)."""

    __slots__ = ("amounts", "bundle_id", "by_number", "deposit", "due", "held", "keys", "kinds", "numbers", "order")

    def __init__(
        self,
        bundle_id: int,
        total: int,
        deposit: int,
        deposit_held: int,
        installments: tuple[list[int], list[int], list[date], list[int]],  # numbers, amounts, due dates, held
        balance_held: int,
    ) -> None:
        self.bundle_id = bundle_id
        numbers, amounts, due, held = installments
        count = len(numbers)
        first = 1 if deposit > 0 else 0
        if count:
            kinds = [SlotKind.INSTALLMENT] * count
            keys: list[int | None] = list(range(count))
            if first:
                kinds.insert(0, SlotKind.DEPOSIT)
                keys.insert(0, None)
                numbers, amounts, due, held = [0, *numbers], [deposit, *amounts], [None, *due], [deposit_held, *held]  # type: ignore[list-item]
        elif total > deposit:
            kinds, keys = [SlotKind.BALANCE], [None]
            numbers, amounts, due, held = [0], [total - deposit], [None], [balance_held]
            if first:
                kinds.insert(0, SlotKind.DEPOSIT)
                keys.insert(0, None)
                numbers, amounts, due, held = (
                    [0, 0],
                    [deposit, total - deposit],
                    [None, None],
                    [deposit_held, balance_held],
                )
        elif first:
            kinds, keys = [SlotKind.DEPOSIT], [None]
            numbers, amounts, due, held = [0], [deposit], [None], [deposit_held]
        else:
            kinds, keys = [], []
        self.deposit = first - 1  # the deposit's slot: 0, or -1 without one
        self.kinds, self.amounts, self.held = kinds, amounts, held
        self.numbers, self.due, self.keys = numbers, due, keys
        self.by_number = dict(zip(numbers[first:], range(first, first + count), strict=True)) if count else {}
        # BundleDebt.payment_order: the deposit, then by due date, then number (usually the
        # order the installments come in already). Installments always have a due date.
        order = list(range(len(kinds)))
        if count > 1:
            previous = (due[first] or date.min, numbers[first])
            for index in range(first + 1, first + count):
                rank = (due[index] or date.min, numbers[index])
                if rank < previous:
                    order[first:] = sorted(order[first:], key=lambda i: (due[i] or date.min, numbers[i]))
                    break
                previous = rank
        self.order = order

    @property
    def paid(self) -> int:
        return sum(self.held)

    @property
    def total(self) -> int:
        return sum(self.amounts)

    # ---- the rules (None: the domain would refuse, or may; ask it) --------------------

    def pay_bundle(self, cents: int) -> list[Part] | None:
        """``allocate_to_bundle``: unpaid deposit first, then installments oldest first."""
        amounts, held = self.amounts, self.held
        owed = sum(amounts) - sum(held)
        if owed == 0 or cents > owed or cents <= 0:
            return None
        parts, left = [], cents
        for index in self.order:
            part = amounts[index] - held[index]
            if part > left:
                part = left
            if part > 0:
                parts.append((index, part))
                left -= part
                if left == 0:
                    break
        return parts

    def pay_deposit(self, cents: int) -> list[Part] | None:
        """``allocate_to_deposit``."""
        index = self.deposit
        if index < 0 or cents <= 0:
            return None
        owed = self.amounts[index] - self.held[index]
        if owed == 0 or cents > owed:
            return None
        return [(index, cents)]

    def pay_installment(self, number: int, cents: int) -> list[Part] | None:
        """``allocate_to_installment``: the deposit must be paid first."""
        index = self.by_number.get(number)
        if index is None or cents <= 0:
            return None
        owed = self.amounts[index] - self.held[index]
        deposit = self.deposit
        if owed == 0 or cents > owed or (deposit >= 0 and self.amounts[deposit] > self.held[deposit]):
            return None
        return [(index, cents)]

    def refund(self, cents: int) -> list[Part] | None:
        """``allocate_refund``: installments latest first, the deposit last."""
        held = self.held
        if cents > sum(held) or cents <= 0:
            return None
        parts, left = [], cents
        for index in reversed(self.order):
            part = held[index]
            if part > left:
                part = left
            if part > 0:
                parts.append((index, -part))
                left -= part
                if left == 0:
                    break
        return parts

    def reverse(self, rows: Sequence[tuple[SlotKind, int | None, int]]) -> list[Part] | None:
        """``corrections.reverse_allocations``: un-pay what the original entry put where,
        ``rows`` being (slot kind, slot key, cents) of its allocations."""
        parts = []
        for kind, key, cents in rows:
            index = next(
                (
                    i
                    for i, slot_kind in enumerate(self.kinds)
                    if slot_kind is kind and (kind is not SlotKind.INSTALLMENT or self.keys[i] == key)
                ),
                None,
            )
            if index is None:
                return None
            after = self.held[index] - cents
            if after < 0 or after > self.amounts[index]:
                return None
            parts.append((index, -cents))
        return parts

    # ---- back to the domain's terms ------------------------------------------------

    def to_domain(self, money: Money) -> BundleDebt:
        """The same state as a :class:`BundleDebt`."""
        return BundleDebt(
            self.bundle_id,
            tuple(
                Slot(
                    self.kinds[i],
                    money.decimal(self.amounts[i]),
                    money.decimal(self.held[i]),
                    self.numbers[i],
                    self.due[i],
                    self.keys[i],
                )
                for i in range(len(self.kinds))
            ),
        )
