"""Assigning a writer, and the admin's corrections and payouts, by keys alone."""

from __future__ import annotations

from decimal import Decimal

from classpay_tui.domain.statuses import PaymentKind
from classpay_tui.tui.modals.confirm import ConfirmModal
from classpay_tui.tui.screens.details import DetailsScreen
from classpay_tui.tui.screens.writers import WritersScreen
from tests.tui.conftest import keys, make_app, settle

OPEN_GUS = ("slash", "g", "u", "s", "enter", "enter")
OPEN_DANA = ("slash", "d", "a", "n", "enter", "enter")


async def test_assign_a_writer(sqlite_service, office, staff):
    app = make_app(sqlite_service, staff)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, *OPEN_GUS, "w", "down", "enter")
        assert isinstance(app.screen, DetailsScreen)
    assert sqlite_service.get_payment_details(staff, office["gus"]).assigned_writer_username == "ben"


async def test_schedule_a_partial_payout(sqlite_service, office, admin):
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, *OPEN_DANA, "S")
        assert app.screen.query_one("#amount").value == "600.00"
        await keys(pilot, *["backspace"] * 6, "1", "0", "0", "enter")
        assert isinstance(app.screen, ConfirmModal)
        await keys(pilot, "enter")
        assert isinstance(app.screen, DetailsScreen)
    details = sqlite_service.get_payment_details(admin, office["dana"])
    assert details.writer_scheduled_amount == Decimal("100.00")


async def test_reverse_the_selected_ledger_entry(sqlite_service, office, admin):
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, *OPEN_DANA, "X", "enter")  # no reason: refused in place
        assert app.screen.query_one("#reason-error").display
        await keys(pilot, *"typo", "enter", "enter")
        assert isinstance(app.screen, DetailsScreen)
    ledger = sqlite_service.get_payment_details(admin, office["dana"]).ledger
    assert ledger[-1].kind is PaymentKind.REVERSAL and ledger[-1].reverses == ledger[1].id


async def test_mark_a_payout_paid_and_cancel_none(sqlite_service, office, admin):
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "2")
        assert isinstance(app.screen, WritersScreen)
        await keys(pilot, "tab", "tab", "M", "enter", "enter")
        assert isinstance(app.screen, WritersScreen)
        await keys(pilot, "C")  # a paid payout cannot be cancelled: nothing opens
        assert isinstance(app.screen, WritersScreen)
    [payout] = sqlite_service.list_payouts(admin)
    assert payout.status.value == "paid" and payout.reference == "PO-1-20240115"
