"""Properties of the money rules that must hold for every input, not just the examples."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

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
from classpay_tui.domain.errors import InvalidInput, Refused
from classpay_tui.domain.money import from_cents
from classpay_tui.domain.plans import split_evenly

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MAX_CENTS = 100_000_000_000  # 1,000,000,000.00


# ---- split_evenly ------------------------------------------------------------------------


@st.composite
def balances_and_counts(draw: st.DrawFn) -> tuple[int, int]:
    count = draw(st.integers(min_value=1, max_value=60))
    cents = draw(
        st.one_of(
            st.integers(min_value=count, max_value=count * 3),  # tiny balances: parts of a cent or two
            st.integers(min_value=count, max_value=MAX_CENTS),
            st.just(MAX_CENTS),
        )
    )
    return cents, count


@settings(max_examples=200, deadline=None)
@given(balances_and_counts())
def test_split_evenly_is_exact_even_and_front_loaded(case: tuple[int, int]) -> None:
    cents, count = case
    balance = Decimal(cents) / 100
    parts = split_evenly(balance, count)

    assert len(parts) == count
    assert sum(parts, ZERO) == balance
    assert all(part.as_tuple().exponent == -2 for part in parts)
    assert all(part >= CENT for part in parts)
    assert max(parts) - min(parts) <= CENT
    assert parts == sorted(parts, reverse=True)
    # The remainder cents are exactly the parts that carry one more cent.
    assert sum(1 for part in parts if part > min(parts)) == cents % count


# ---- allocation under random payments and refunds ----------------------------------------


@st.composite
def debts(draw: st.DrawFn) -> BundleDebt:
    slots: list[Slot] = []
    deposit_cents = draw(st.one_of(st.just(0), st.integers(min_value=1, max_value=30_000)))
    if deposit_cents:
        slots.append(Slot(SlotKind.DEPOSIT, from_cents(deposit_cents), ZERO))
    count = draw(st.integers(min_value=0, max_value=6))
    if count:
        start = date(2024, 1, 1)
        for number in range(1, count + 1):
            # Few distinct days: due dates repeat and run against the numbering.
            due = start + timedelta(days=draw(st.integers(min_value=0, max_value=5)) * 7)
            amount = from_cents(draw(st.integers(min_value=1, max_value=30_000)))
            slots.append(Slot(SlotKind.INSTALLMENT, amount, ZERO, number=number, due_date=due, key=1000 + number))
    else:
        balance_cents = draw(st.integers(min_value=0 if deposit_cents else 1, max_value=60_000))
        if balance_cents:
            slots.append(Slot(SlotKind.BALANCE, from_cents(balance_cents), ZERO))
    return BundleDebt(42, tuple(slots))


OPERATIONS = st.tuples(
    st.sampled_from(["bundle", "deposit", "installment", "refund"]),
    # None: exactly what the target still owes (or, for a refund, everything paid), the boundary case.
    st.one_of(st.none(), st.integers(min_value=1, max_value=500), st.integers(min_value=1, max_value=80_000)),
    st.integers(min_value=1, max_value=7),  # installment number (7 never exists)
)


def _slot_id(slot: Slot) -> tuple[SlotKind, int]:
    return (slot.kind, slot.number)


def _exact_amount(debt: BundleDebt, kind: str, number: int) -> Decimal:
    if kind == "refund":
        return debt.paid
    if kind == "deposit":
        return debt.deposit.owed if debt.deposit is not None else CENT
    if kind == "installment":
        slot = next((s for s in debt.slots if s.kind is SlotKind.INSTALLMENT and s.number == number), None)
        return slot.owed if slot is not None else CENT
    return debt.owed


def _apply(debt: BundleDebt, allocations: list[Allocation]) -> BundleDebt:
    moved: dict[tuple[SlotKind, int], Decimal] = {}
    for allocation in allocations:
        moved[_slot_id(allocation.slot)] = moved.get(_slot_id(allocation.slot), ZERO) + allocation.amount
    slots = tuple(
        Slot(s.kind, s.amount, s.allocated + moved.pop(_slot_id(s), ZERO), s.number, s.due_date, s.key)
        for s in debt.slots
    )
    assert not moved, f"allocations to slots the bundle does not have: {moved}"
    return BundleDebt(debt.bundle_id, slots)


@settings(max_examples=200, deadline=None)
@given(debts(), st.lists(OPERATIONS, min_size=1, max_size=25))
def test_payments_and_refunds_keep_every_slot_within_bounds(
    debt: BundleDebt, operations: list[tuple[str, int | None, int]]
) -> None:
    net_accepted = ZERO
    count = sum(1 for slot in debt.slots if slot.kind is SlotKind.INSTALLMENT)
    for kind, cents, drawn in operations:
        # Mostly an installment the bundle has; 7 stays a number no bundle here has.
        number = drawn if drawn == 7 or count == 0 else (drawn - 1) % count + 1
        amount = _exact_amount(debt, kind, number) if cents is None else from_cents(cents)
        if amount <= ZERO:
            continue  # nothing left to pay or refund there; zero amounts are refused by the service layer
        before = debt
        order = debt.payment_order()
        try:
            if kind == "bundle":
                allocations = allocate_to_bundle(debt, amount)
            elif kind == "deposit":
                allocations = allocate_to_deposit(debt, amount)
            elif kind == "installment":
                allocations = allocate_to_installment(debt, number, amount)
            else:
                allocations = allocate_refund(debt, amount)
        except (Refused, InvalidInput):
            # A refusal changes nothing.
            assert debt == before
            continue

        assert debt == before  # allocation never mutates the snapshot
        assert allocations, "an accepted operation must move money"
        assert len({_slot_id(a.slot) for a in allocations}) == len(allocations)
        signed = -amount if kind == "refund" else amount
        assert sum((a.amount for a in allocations), ZERO) == signed
        if kind == "refund":
            assert all(a.amount < ZERO for a in allocations)
        else:
            assert all(a.amount > ZERO for a in allocations)
        if kind == "deposit":
            assert [a.slot.kind for a in allocations] == [SlotKind.DEPOSIT]
        if kind == "installment":
            assert [(a.slot.kind, a.slot.number) for a in allocations] == [(SlotKind.INSTALLMENT, number)]
            # The deposit was already paid in full.
            assert debt.deposit is None or debt.deposit.owed == ZERO

        debt = _apply(debt, allocations)
        net_accepted += signed

        for slot in debt.slots:
            assert ZERO <= slot.allocated <= slot.amount, slot
        assert debt.paid == net_accepted
        assert debt.paid == sum((s.allocated for s in debt.slots), ZERO)

        # Oldest first / latest first: money moves through a prefix of the payment order.
        touched = [i for i, slot in enumerate(order) if _slot_id(slot) in {_slot_id(a.slot) for a in allocations}]
        after = {_slot_id(s): s for s in debt.slots}
        if kind == "bundle":
            for slot in order[: max(touched)]:
                assert after[_slot_id(slot)].owed == ZERO, "an earlier slot was left unpaid"
        if kind == "refund":
            for slot in order[min(touched) + 1 :]:
                assert after[_slot_id(slot)].allocated == ZERO, "a later slot kept money while an earlier was refunded"

    assert ZERO <= debt.paid <= debt.total
