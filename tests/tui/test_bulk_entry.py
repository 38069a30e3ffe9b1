"""Bulk entry: many payments typed line after line, one confirmation, all or nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from classpay_tui.domain.errors import InvalidInput
from classpay_tui.domain.statuses import PaymentMethod
from classpay_tui.tui import batch
from classpay_tui.tui.modals.confirm import ConfirmModal
from classpay_tui.tui.screens.bulk_entry import BulkEntryScreen
from classpay_tui.tui.screens.bundles import BundlesScreen
from tests.builders import pay
from tests.tui.conftest import keys, make_app, settle

# Dana (bundle 1) 200.00 cash, Eli (2) 100.00 by card, Gus (4) 300.00 cash: each line is
# bundle, Enter, amount, Enter, Enter (keep the suggested reference), method, Enter.
THREE_LINES = (
    "1", "enter", "2", "0", "0", "enter", "enter", "enter",
    "2", "enter", "1", "0", "0", "enter", "enter", "c", "a", "r", "d", "enter",
    "4", "enter", "3", "0", "0", "enter", "enter", "enter",
)  # fmt: skip


def info(screen: BulkEntryScreen, number: int) -> str:
    line = screen.lines[number - 1]
    return str(line.query_one(".batch-info").render())


def ledgers(service, ctx, office):  # type: ignore[no-untyped-def]
    return {name: service.get_payment_details(ctx, bundle_id).ledger for name, bundle_id in office.items()}


async def test_three_payments_by_keys_alone(sqlite_service, office, staff):
    app = make_app(sqlite_service, staff)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "b", *THREE_LINES)
        screen = app.screen
        assert isinstance(screen, BulkEntryScreen)
        assert "Dana Client · owes 600.00 → installment 2 of 4 paid; balance 600.00 → 400.00" in info(screen, 1)
        assert "Eli Overdue · owes 800.00 → 100.00 to installment 1 of 4 (100.00 still owed)" in info(screen, 2)
        assert "Gus New · owes 1,200.00 → deposit paid; balance 1,200.00 → 900.00" in info(screen, 3)
        assert screen.lines[0].field("reference").value.startswith("B1-20240115-")
        await keys(pilot, "enter")  # Enter on the empty fourth line reviews the batch
        confirm = app.screen
        assert isinstance(confirm, ConfirmModal)
        assert confirm.heading == "Record these 3 payments?"
        assert str(confirm.lines[0]) == "3 payments, 600.00 USD in all, received on 2024-01-15"
        await keys(pilot, "enter")
        assert isinstance(app.screen, BundlesScreen)
    dana = sqlite_service.get_payment_details(staff, office["dana"])
    assert dana.balance_remaining == Decimal("400.00") and dana.paid_installments == 2
    eli = sqlite_service.get_payment_details(staff, office["eli"])
    [entry] = eli.ledger
    assert entry.amount == Decimal("100.00") and entry.method is PaymentMethod.CARD
    assert entry.reference.startswith("B2-20240115-") and entry.recorded_by == staff.login
    gus = sqlite_service.get_payment_details(staff, office["gus"])
    assert gus.deposit_paid == Decimal("300.00")


async def test_a_line_the_service_refuses_is_named_and_nothing_is_written(sqlite_service, office, admin):
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "b", *THREE_LINES)
        # Meanwhile another desk takes 750.00 from Eli: the screen still thinks 800.00 is owed.
        pay(sqlite_service, admin, office["eli"], "750.00", reference="OTHER-DESK")
        before = ledgers(sqlite_service, admin, office)
        await keys(pilot, "ctrl+s", "enter")
        screen = app.screen
        assert isinstance(screen, BulkEntryScreen)
        refused = screen.lines[1]
        assert refused.has_class("-refused")
        assert "100.00 is 50.00 more than the 50.00 still owed on bundle 2." in info(screen, 2)
        error = screen.query_one("#bulk-error")
        assert error.message.startswith("Nothing was recorded. Line 2: 100.00 is 50.00 more")
        assert screen.focused is refused.field("amount")
        assert ledgers(sqlite_service, admin, office) == before
        # Fixing the line and recording again works, all three at once.
        await keys(pilot, "backspace", "backspace", "backspace", "5", "0")
        assert not refused.has_class("-refused") and error.message == ""
        assert "owes 50.00 → installment 4 of 4 paid" in info(screen, 2)  # looked up again
        await keys(pilot, "ctrl+s", "enter")
        assert isinstance(app.screen, BundlesScreen)
    assert sqlite_service.get_payment_details(admin, office["eli"]).balance_remaining == Decimal("0.00")
    assert sqlite_service.get_payment_details(admin, office["dana"]).balance_remaining == Decimal("400.00")


async def test_wrong_values_are_shown_in_place_and_block_the_review(sqlite_service, office, admin):
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "b", "9", "9", "enter")
        screen = app.screen
        assert "There is no bundle 99." in info(screen, 1)
        await keys(pilot, "shift+tab", "backspace", "backspace", "1", "tab", *"12.345")
        assert "Amount 12.345 has more than two decimal places." in info(screen, 1)
        assert screen.lines[0].field("amount").has_class("-wrong")
        await keys(pilot, "ctrl+s")
        assert isinstance(app.screen, BulkEntryScreen)  # no confirmation
        assert screen.query_one("#bulk-error").message == "Line 1: Amount 12.345 has more than two decimal places."
        await keys(pilot, "backspace", "backspace", "tab", "tab", "c")
        assert "Method 'c' could be cash or card; type another letter." in info(screen, 1)
        await keys(pilot, "a", "s")
        assert "owes 600.00 → 12.30 to installment 2 of 4 (187.70 still owed)" in info(screen, 1)
        await keys(pilot, "escape", "enter")
    assert len(sqlite_service.get_payment_details(admin, office["dana"]).ledger) == 2


async def test_the_same_bundle_twice_owes_less_on_the_second_line(sqlite_service, office, admin):
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "b", "1", "enter", *"200", "enter", "enter", "enter", "1", "enter", *"500")
        screen = app.screen
        assert "owes 600.00 → installment 2 of 4 paid" in info(screen, 1)
        assert "500.00 is 100.00 more than the 400.00 still owed on bundle 1." in info(screen, 2)
        await keys(pilot, "backspace", "backspace", "backspace", *"200")
        assert "owes 400.00 → installment 3 of 4 paid; balance 400.00 → 200.00" in info(screen, 2)
        await keys(pilot, "ctrl+s", "enter")
    details = sqlite_service.get_payment_details(admin, office["dana"])
    assert details.balance_remaining == Decimal("200.00") and details.paid_installments == 3


async def test_escape_writes_nothing(sqlite_service, office, staff):
    before = ledgers(sqlite_service, staff, office)
    app = make_app(sqlite_service, staff)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "b", *THREE_LINES, "ctrl+s")
        assert isinstance(app.screen, ConfirmModal)
        await keys(pilot, "escape")  # back from the confirmation to the lines
        assert isinstance(app.screen, BulkEntryScreen)
        await keys(pilot, "escape")  # leaving asks first: three lines would be lost
        assert isinstance(app.screen, ConfirmModal) and app.screen.heading == "Leave bulk entry?"
        await keys(pilot, "escape")
        assert isinstance(app.screen, BulkEntryScreen)
        await keys(pilot, "escape", "enter")
        assert isinstance(app.screen, BundlesScreen)
        await keys(pilot, "b", "escape")  # nothing typed: leaves at once
        assert isinstance(app.screen, BundlesScreen)
    assert ledgers(sqlite_service, staff, office) == before


async def test_lines_can_be_removed_and_walked_with_arrows(sqlite_service, office, admin):
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "b", *THREE_LINES)
        screen = app.screen
        assert len(screen.lines) == 4
        await keys(pilot, "up", "up", "tab")  # line 2, amount
        assert screen.focused is screen.lines[1].field("amount")
        await keys(pilot, "ctrl+r")
        assert [line.typed.bundle for line in screen.lines] == ["1", "4", ""]
        assert [line.number for line in screen.lines] == [1, 2, 3]
        assert screen.focused is screen.lines[1].field("amount")
        assert "2 payments · 500.00 in all" in str(screen.query_one("#bulk-status").render())


async def test_writer_cannot_reach_bulk_entry_and_staff_can(sqlite_service, office, writer_ann, staff):
    app = make_app(sqlite_service, writer_ann)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "1", "b")
        assert not isinstance(app.screen, BulkEntryScreen)
    app = make_app(sqlite_service, staff)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.screen.active_bindings["b"].enabled
        await keys(pilot, "b")
        assert isinstance(app.screen, BulkEntryScreen)


# ---- the pure checks ----------------------------------------------------------------------


def test_methods_by_their_first_letters():
    assert batch.parse_method("") is PaymentMethod.CASH
    assert batch.parse_method("b") is PaymentMethod.BANK_TRANSFER
    assert batch.parse_method("Bank Transfer") is PaymentMethod.BANK_TRANSFER
    assert batch.parse_method("bank_transfer") is PaymentMethod.BANK_TRANSFER
    assert batch.parse_method("PAY") is PaymentMethod.PAYPAL
    with pytest.raises(InvalidInput, match="could be cash or card"):
        batch.parse_method("ca")
    with pytest.raises(InvalidInput, match="is not one of cash, card, bank transfer, paypal, other"):
        batch.parse_method("cheque")


def test_bundle_numbers():
    assert batch.parse_bundle(" #12 ") == 12
    for wrong in ("x", "0", "-1", "1.5", "[/]"):
        with pytest.raises(InvalidInput, match="is not a bundle number"):
            batch.parse_bundle(wrong)


def test_refused_line_is_read_from_the_service_sentence():
    assert batch.refused_line("Line 3: 250.00 is 50.00 more than …") == (3, "250.00 is 50.00 more than …")
    assert batch.refused_line("The database is locked.") == (None, "The database is locked.")


def test_a_reference_once_per_batch_and_blank_lines_left_out(sqlite_service, office, admin):
    dana = sqlite_service.get_payment_details(admin, office["dana"])
    lines = [
        batch.Typed("1", "10", "R-1"),
        batch.Typed(),
        batch.Typed("1", "10", "R-1"),
        batch.Typed("", "5", "R-2"),
        batch.Typed("7", "5", "R-3"),
    ]
    first, blank, second, no_bundle, waiting = batch.check_lines(lines, {1: dana})
    assert first.ready and blank is None
    assert (second.field, second.problem) == ("reference", "Line 1 has the same reference; use another.")
    assert no_bundle.field == "bundle"
    assert waiting.waiting and not waiting.ready
