"""Where a client's money goes, on hand-built snapshots of what a bundle owes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

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


def D(text: str) -> Decimal:
    return Decimal(text)


def deposit(amount: str, allocated: str = "0.00") -> Slot:
    return Slot(SlotKind.DEPOSIT, D(amount), D(allocated))


def installment(number: int, amount: str, due: date, allocated: str = "0.00") -> Slot:
    return Slot(SlotKind.INSTALLMENT, D(amount), D(allocated), number=number, due_date=due, key=100 + number)


def balance(amount: str, allocated: str = "0.00") -> Slot:
    return Slot(SlotKind.BALANCE, D(amount), D(allocated))


def seed_debt(deposit_paid: str = "0.00", *paid: str) -> BundleDebt:
    """The seed's bundle: 1000.00 total, deposit 200.00, four monthly installments of 200.00."""
    amounts = list(paid) + ["0.00"] * (4 - len(paid))
    return BundleDebt(
        7,
        (
            deposit("200.00", deposit_paid),
            *(installment(n, "200.00", date(2024, n, 15), amounts[n - 1]) for n in range(1, 5)),
        ),
    )


def shape(allocations: list[Allocation]) -> list[tuple[str, str]]:
    return [(allocation.slot.describe(), str(allocation.amount)) for allocation in allocations]


# ---- the snapshot itself -----------------------------------------------------------------


def test_debt_totals() -> None:
    debt = seed_debt("200.00", "200.00", "50.00")
    assert debt.total == D("1000.00")
    assert debt.paid == D("450.00")
    assert debt.owed == D("550.00")
    assert debt.deposit is not None and debt.deposit.owed == D("0.00")
    assert debt.installment(2).owed == D("150.00")


def test_unknown_installment_number_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="installments 1 to 4, not 5"):
        seed_debt().installment(5)


# ---- a payment to the bundle -------------------------------------------------------------


def test_bundle_payment_fills_the_deposit_first_then_installments_in_order() -> None:
    allocations = allocate_to_bundle(seed_debt(), D("450.00"))
    assert shape(allocations) == [
        ("the deposit", "200.00"),
        ("installment 1", "200.00"),
        ("installment 2", "50.00"),
    ]
    assert allocations[1].slot.key == 101


def test_bundle_payment_smaller_than_the_deposit_goes_to_the_deposit_only() -> None:
    assert shape(allocate_to_bundle(seed_debt(), D("50.00"))) == [("the deposit", "50.00")]


def test_bundle_payment_tops_up_a_partly_paid_deposit_then_a_partly_paid_installment() -> None:
    debt = seed_debt("150.00", "120.00")
    assert shape(allocate_to_bundle(debt, D("200.00"))) == [
        ("the deposit", "50.00"),
        ("installment 1", "80.00"),
        ("installment 2", "70.00"),
    ]


def test_bundle_payment_goes_to_the_oldest_due_date_not_the_lowest_number() -> None:
    # Installment 3 is due first, then 1, then 2 (a re-planned schedule).
    debt = BundleDebt(
        9,
        (
            installment(1, "100.00", date(2024, 3, 1)),
            installment(2, "100.00", date(2024, 4, 1)),
            installment(3, "100.00", date(2024, 2, 1)),
            deposit("50.00"),
        ),
    )
    assert shape(allocate_to_bundle(debt, D("260.00"))) == [
        ("the deposit", "50.00"),
        ("installment 3", "100.00"),
        ("installment 1", "100.00"),
        ("installment 2", "10.00"),
    ]


def test_bundle_payment_with_equal_due_dates_goes_by_number() -> None:
    same_day = date(2024, 5, 1)
    debt = BundleDebt(3, (installment(2, "10.00", same_day), installment(1, "10.00", same_day)))
    assert shape(allocate_to_bundle(debt, D("15.00"))) == [("installment 1", "10.00"), ("installment 2", "5.00")]


def test_bundle_payment_skips_paid_slots() -> None:
    debt = seed_debt("200.00", "200.00", "200.00")
    assert shape(allocate_to_bundle(debt, D("300.00"))) == [("installment 3", "200.00"), ("installment 4", "100.00")]


def test_bundle_payment_of_exactly_what_is_owed_is_accepted() -> None:
    allocations = allocate_to_bundle(seed_debt("200.00", "200.00"), D("600.00"))
    assert sum((a.amount for a in allocations), D("0")) == D("600.00")
    assert [a.slot.number for a in allocations] == [2, 3, 4]


def test_bundle_overpayment_is_refused_naming_the_excess() -> None:
    with pytest.raises(Refused) as caught:
        allocate_to_bundle(seed_debt("200.00", "200.00"), D("650.00"))
    message = str(caught.value)
    assert "650.00 is 50.00 more than the 600.00 still owed on bundle 7" in message


def test_bundle_overpayment_by_one_cent_is_refused() -> None:
    with pytest.raises(Refused, match=r"0\.01 more than the 1,000\.00 still owed"):
        allocate_to_bundle(seed_debt(), D("1000.01"))


def test_fully_paid_bundle_refuses_further_payment() -> None:
    debt = seed_debt("200.00", "200.00", "200.00", "200.00", "200.00")
    assert debt.owed == D("0.00")
    with pytest.raises(Refused, match="Bundle 7 is already paid in full"):
        allocate_to_bundle(debt, D("0.01"))


# ---- a payment to the deposit ------------------------------------------------------------


def test_deposit_payment() -> None:
    assert shape(allocate_to_deposit(seed_debt("50.00"), D("150.00"))) == [("the deposit", "150.00")]


def test_deposit_overpayment_names_the_excess() -> None:
    with pytest.raises(Refused, match=r"200\.00 is 50\.00 more than the 150\.00 still owed on the deposit"):
        allocate_to_deposit(seed_debt("50.00"), D("200.00"))


def test_paid_deposit_is_refused() -> None:
    with pytest.raises(Refused, match="deposit of bundle 7 is already paid"):
        allocate_to_deposit(seed_debt("200.00"), D("10.00"))


def test_deposit_payment_without_a_deposit_is_refused() -> None:
    debt = BundleDebt(4, (installment(1, "100.00", date(2024, 1, 1)),))
    with pytest.raises(Refused, match="Bundle 4 has no deposit"):
        allocate_to_deposit(debt, D("10.00"))


# ---- a payment to one installment --------------------------------------------------------


def test_installment_payment_goes_to_that_installment_only() -> None:
    allocations = allocate_to_installment(seed_debt("200.00"), 3, D("120.00"))
    assert shape(allocations) == [("installment 3", "120.00")]
    assert allocations[0].slot.key == 103


def test_installment_payment_may_not_exceed_what_it_still_owes() -> None:
    debt = seed_debt("200.00", "0.00", "50.00")
    with pytest.raises(Refused) as caught:
        allocate_to_installment(debt, 2, D("200.00"))
    message = str(caught.value)
    assert "50.00 more than" in message
    assert "the 150.00 still owed on installment 2 of bundle 7" in message


def test_installment_payment_of_exactly_what_it_owes_is_accepted() -> None:
    debt = seed_debt("200.00", "0.00", "50.00")
    assert shape(allocate_to_installment(debt, 2, D("150.00"))) == [("installment 2", "150.00")]


def test_already_paid_installment_is_refused() -> None:
    with pytest.raises(Refused, match="Installment 1 of bundle 7 is already paid"):
        allocate_to_installment(seed_debt("200.00", "200.00"), 1, D("10.00"))


def test_installment_payment_while_the_deposit_is_unpaid_is_refused() -> None:
    with pytest.raises(Refused) as caught:
        allocate_to_installment(seed_debt("150.00"), 1, D("100.00"))
    message = str(caught.value)
    assert "deposit of bundle 7" in message
    assert "50.00 still owed" in message
    assert "before any installment" in message


def test_installment_payment_with_a_zero_deposit_is_accepted() -> None:
    debt = BundleDebt(5, (deposit("0.00"), installment(1, "100.00", date(2024, 1, 1))))
    assert shape(allocate_to_installment(debt, 1, D("100.00"))) == [("installment 1", "100.00")]


# ---- bundles without installments --------------------------------------------------------


def test_bundle_without_installments_uses_the_balance_slot() -> None:
    debt = BundleDebt(11, (deposit("300.00"), balance("700.00")))
    assert shape(allocate_to_bundle(debt, D("500.00"))) == [("the deposit", "300.00"), ("the balance", "200.00")]


def test_bundle_without_installments_refuses_an_installment_payment() -> None:
    debt = BundleDebt(11, (deposit("300.00", "300.00"), balance("700.00")))
    with pytest.raises(InvalidInput, match="Bundle 11 has no installments"):
        allocate_to_installment(debt, 1, D("10.00"))


def test_balance_slot_overpayment_is_refused() -> None:
    debt = BundleDebt(11, (deposit("300.00", "300.00"), balance("700.00", "650.00")))
    with pytest.raises(Refused, match=r"20\.00 more than the 50\.00 still owed on bundle 11"):
        allocate_to_bundle(debt, D("70.00"))


# ---- refunds -----------------------------------------------------------------------------


def test_refund_unpays_the_latest_installment_first_and_the_deposit_last() -> None:
    debt = seed_debt("200.00", "200.00", "200.00", "50.00")
    assert shape(allocate_refund(debt, D("400.00"))) == [
        ("installment 3", "-50.00"),
        ("installment 2", "-200.00"),
        ("installment 1", "-150.00"),
    ]
    assert shape(allocate_refund(debt, D("650.00"))) == [
        ("installment 3", "-50.00"),
        ("installment 2", "-200.00"),
        ("installment 1", "-200.00"),
        ("the deposit", "-200.00"),
    ]


def test_refund_follows_due_dates_not_numbers() -> None:
    debt = BundleDebt(
        9,
        (
            deposit("50.00", "50.00"),
            installment(1, "100.00", date(2024, 3, 1), "100.00"),
            installment(2, "100.00", date(2024, 2, 1), "100.00"),
        ),
    )
    # Installment 1 is due last, so it is un-paid first.
    assert shape(allocate_refund(debt, D("150.00"))) == [("installment 1", "-100.00"), ("installment 2", "-50.00")]


def test_refund_of_a_bundle_without_installments_unpays_the_balance_then_the_deposit() -> None:
    debt = BundleDebt(11, (deposit("300.00", "300.00"), balance("700.00", "100.00")))
    assert shape(allocate_refund(debt, D("150.00"))) == [("the balance", "-100.00"), ("the deposit", "-50.00")]


def test_refund_of_everything_paid_is_accepted() -> None:
    debt = seed_debt("200.00", "200.00")
    allocations = allocate_refund(debt, D("400.00"))
    assert sum((a.amount for a in allocations), D("0")) == D("-400.00")


def test_refund_of_more_than_was_paid_is_refused() -> None:
    with pytest.raises(Refused) as caught:
        allocate_refund(seed_debt("200.00", "200.00"), D("400.01"))
    assert "refund of 400.01 is more than the 400.00 paid on bundle 7" in str(caught.value)


def test_refund_when_nothing_was_paid_is_refused() -> None:
    with pytest.raises(Refused, match=r"more than the 0\.00 paid"):
        allocate_refund(seed_debt(), D("1.00"))
