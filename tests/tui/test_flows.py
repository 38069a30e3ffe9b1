"""The desk's everyday flows, driven by keys alone, on a real SQLite file."""

from __future__ import annotations

from decimal import Decimal

from rich.style import Style

from classpay_tui.tui.formatting import ALERT
from classpay_tui.tui.modals.confirm import ConfirmModal
from classpay_tui.tui.modals.record_payment import RecordPaymentModal
from classpay_tui.tui.screens.bundles import BundlesScreen
from classpay_tui.tui.screens.details import DetailsScreen
from classpay_tui.tui.widgets.bundle_grid import BundleGrid
from classpay_tui.tui.widgets.field import FieldError
from tests.tui.conftest import keys, make_app, settle

# From the bundle list to a recorded payment for a client found by name.
FIND_AND_PAY = ("slash", "d", "a", "n", "enter", "p", "enter", "enter")


def plain(widget) -> str:  # type: ignore[no-untyped-def]
    return str(widget.render())


async def test_open_a_bundle(sqlite_service, office, admin):
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(BundleGrid)
        assert [row.client_name for row in table.rows_on_screen] == [
            "Gus New",
            "Fay Paid",
            "Eli Overdue",
            "Dana Client",
        ]
        await keys(pilot, "j", "j", "j", "enter")
        assert isinstance(app.screen, DetailsScreen)
        summary = plain(app.screen.query_one("#summary"))
        assert "Dana Client" in summary and "Balance 600.00" in summary
        # The cursor starts on the next unpaid installment.
        assert app.screen.query_one("#installments").current_key == "installment:2"
        await keys(pilot, "escape")
        assert isinstance(app.screen, BundlesScreen)
        assert app.screen.query_one(BundleGrid).current.client_name == "Dana Client"


async def test_find_by_client_and_record_a_payment_by_keys_alone(sqlite_service, office, admin):
    assert len(FIND_AND_PAY) <= 8
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, *FIND_AND_PAY)
        assert isinstance(app.screen, BundlesScreen)
        row = app.screen.query_one(BundleGrid).current
        assert row.client_name == "Dana Client"
        assert row.balance_remaining == Decimal("400.00")
    details = sqlite_service.get_payment_details(admin, office["dana"])
    assert details.balance_remaining == Decimal("400.00")
    assert details.paid_installments == 2
    assert [entry.amount for entry in details.ledger] == [Decimal("200.00")] * 3


async def test_record_from_details_updates_the_numbers(sqlite_service, office, admin):
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "slash", "d", "a", "n", "enter", "enter", "p")
        modal = app.screen
        assert isinstance(modal, RecordPaymentModal)
        assert modal.query_one("#amount").value == "200.00"
        assert "installment 2 of 4 paid; balance 600.00 → 400.00" in plain(modal.query_one("#effect"))
        await keys(pilot, "enter")
        assert isinstance(app.screen, ConfirmModal)
        await keys(pilot, "enter")
        assert isinstance(app.screen, DetailsScreen)
        assert "Balance 400.00" in plain(app.screen.query_one("#summary"))
        assert app.screen.query_one("#installments").current_key == "installment:3"
    assert sqlite_service.get_payment_details(admin, office["dana"]).balance_remaining == Decimal("400.00")


async def test_escape_cancels_and_writes_nothing(sqlite_service, office, admin):
    before = sqlite_service.get_payment_details(admin, office["dana"])
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "slash", "d", "a", "n", "enter", "p", "escape")
        assert isinstance(app.screen, BundlesScreen)
        # Esc at the confirmation goes back to the form; a second Esc cancels.
        await keys(pilot, "p", "enter", "escape")
        assert isinstance(app.screen, RecordPaymentModal)
        await keys(pilot, "escape")
        assert isinstance(app.screen, BundlesScreen)
    assert sqlite_service.get_payment_details(admin, office["dana"]) == before


async def test_a_bad_amount_shows_the_message_in_place(sqlite_service, office, admin):
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "slash", "d", "a", "n", "enter", "p")
        error = app.screen.query_one("#amount-error", FieldError)
        assert not error.display
        await keys(pilot, "1", "2", ".", "3", "4", "5")
        assert error.display
        assert error.message == "Amount 12.345 has more than two decimal places."
        await keys(pilot, "enter")  # refused in place: no confirmation
        assert isinstance(app.screen, RecordPaymentModal)
        await keys(pilot, "backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "9", "0", "0")
        assert error.message == "900.00 is 700.00 more than the 200.00 still owed on installment 2 of bundle 1."
        await keys(pilot, "backspace", "backspace")
        assert not error.display
        assert "9.00 to installment 2 of 4 (191.00 still owed)" in plain(app.screen.query_one("#effect"))
        await keys(pilot, "escape")
    assert sqlite_service.get_payment_details(admin, office["dana"]).balance_remaining == Decimal("600.00")


async def test_pressing_enter_again_never_records_twice(sqlite_service, office, admin):
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "slash", "d", "a", "n", "enter")
        await pilot.press("p", "enter", "enter", "enter", "enter")
        await settle(pilot)
    details = sqlite_service.get_payment_details(admin, office["dana"])
    assert len(details.ledger) == 3
    assert details.balance_remaining == Decimal("400.00")


async def test_p_on_a_paid_installment_pays_the_next_one(sqlite_service, office, admin):
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "slash", "d", "a", "n", "enter", "enter", "k")
        assert app.screen.query_one("#installments").current_key == "installment:1"
        await keys(pilot, "p")
        assert app.screen.target.key == "installment:2"


async def test_deposit_first_from_the_list(sqlite_service, office, admin):
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "p")  # Gus: the deposit is unpaid
        assert app.screen.target.key == "deposit"
        assert app.screen.query_one("#amount").value == "300.00"
        await keys(pilot, "enter", "enter")
    details = sqlite_service.get_payment_details(admin, office["gus"])
    assert details.deposit_paid == Decimal("300.00")


async def test_admin_key_does_nothing_for_staff(sqlite_service, office, staff):
    app = make_app(sqlite_service, staff)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "slash", "d", "a", "n", "enter", "enter")
        assert isinstance(app.screen, DetailsScreen)
        for key in ("R", "S", "F", "X"):
            assert app.screen.active_bindings[key].enabled is False  # dimmed in the footer
            await keys(pilot, key)
            assert isinstance(app.screen, DetailsScreen)
        await keys(pilot, "p")  # staff do record payments
        assert isinstance(app.screen, RecordPaymentModal)


async def test_admin_refresh_asks_first(sqlite_service, office, admin):
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "slash", "d", "a", "n", "enter", "enter", "R")
        assert isinstance(app.screen, ConfirmModal)
        await keys(pilot, "escape")
        assert isinstance(app.screen, DetailsScreen)
        await keys(pilot, "R", "enter")
        assert isinstance(app.screen, DetailsScreen)
        assert "Balance 600.00" in plain(app.screen.query_one("#summary"))


async def test_filter_finds_a_bundle_by_client_name(sqlite_service, office, admin):
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "slash", "E", "L", "i")
        table = app.screen.query_one(BundleGrid)
        assert [row.client_name for row in table.rows_on_screen] == ["Eli Overdue"]
        await keys(pilot, "escape")
        assert len(table.rows_on_screen) == 4


async def test_status_filter_and_sort_go_to_the_service(sqlite_service, office, admin):
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(BundleGrid)
        await keys(pilot, "f")
        assert [row.client_name for row in table.rows_on_screen] == ["Eli Overdue"]
        assert "overdue" in plain(app.screen.query_one("#list-status"))
        await keys(pilot, "escape", "s")
        assert [row.client_name for row in table.rows_on_screen] == [
            "Gus New",
            "Eli Overdue",
            "Dana Client",
            "Fay Paid",
        ]
        assert "largest balance first" in plain(app.screen.query_one("#list-status"))


async def test_overdue_rows_have_a_mark_and_a_colour(sqlite_service, office, admin):
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(BundleGrid)
        lines = {row.client_name: table.screen_line(index) for index, row in enumerate(table.rows_on_screen)}
        late = lines["Eli Overdue"]
        assert late.text.startswith("!")
        mark = next(segment for segment in late if segment.text.startswith("!"))
        alert = Style.parse(ALERT)
        assert mark.style.color == alert.color and mark.style.bold  # a light red, bold
        assert not lines["Dana Client"].text.startswith("!")


async def test_cursor_stays_on_the_bundle_when_data_refreshes(sqlite_service, office, admin):
    from tests.tui.conftest import bundle

    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "j", "j")
        table = app.screen.query_one(BundleGrid)
        assert table.current.client_name == "Eli Overdue"
        bundle(sqlite_service, admin, "Hal Newer", "Editing", "100.00")  # another desk adds one on top
        await keys(pilot, "r")
        assert table.current.client_name == "Eli Overdue"
        assert table.cursor == 3


async def test_new_bundle_with_a_live_plan_preview(sqlite_service, office, admin):
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await keys(pilot, "n", *"Ida", "tab", *"Grammar", "tab", "tab", *"800", "tab", "tab", "backspace", "3")
        preview = plain(app.screen.query_one("#plan"))
        assert "3 installments: 266.67 on 2024-02-15 · 266.67 on 2024-03-15 · 266.66 on 2024-04-15" in preview
        await keys(pilot, "enter")
        assert isinstance(app.screen, ConfirmModal)
        await keys(pilot, "enter")
        assert isinstance(app.screen, BundlesScreen)
        assert app.screen.query_one(BundleGrid).current.client_name == "Ida"
    [created] = sqlite_service.list_payments(admin, search="Ida")
    assert created.total_installments == 3 and created.total_amount == Decimal("800.00")


async def test_writer_sees_only_their_own_payouts(sqlite_service, office, writer_ann):
    from classpay_tui.tui.screens.writers import WritersScreen

    app = make_app(sqlite_service, writer_ann)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WritersScreen)
        assert app.screen.query_one("#writers").keys == [str(writer_ann.writer_id)]
        bundles = app.screen.query_one("#writer-bundles").keys
        assert sorted(bundles) == sorted([str(office["dana"]), str(office["fay"])])
        await keys(pilot, "1", "escape", "enter")
        assert isinstance(app.screen, WritersScreen)


async def test_empty_database_says_how_to_start(sqlite_service, admin):
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        empty = plain(app.screen.query_one("#empty"))
        assert "classpay demo" in empty and "Press n" in empty


async def test_help_and_palette_list_the_actions(sqlite_service, office, staff):
    from classpay_tui.tui.commands import ActionsProvider
    from classpay_tui.tui.modals.help import HelpModal

    app = make_app(sqlite_service, staff)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        names = [name for name, _, _ in ActionsProvider(app.screen)._commands()]
        assert {"Pay (p)", "Filter (/)", "New (n)", "Sort: next due first"} <= set(names)
        await keys(pilot, "slash", "d", "a", "n", "enter", "enter")
        names = [name for name, _, _ in ActionsProvider(app.screen)._commands()]
        assert "Pay (p)" in names and "Refresh (R)" not in names  # staff: admin actions are left out
        await keys(pilot, "question_mark")
        assert isinstance(app.screen, HelpModal)
        assert ("R", "Refresh", "Recompute the status (admin)", False) in app.screen.lines
        await keys(pilot, "escape")
        assert isinstance(app.screen, DetailsScreen)


async def test_a_filter_longer_than_its_field_scrolls_to_keep_the_cursor_in_view(sqlite_service, office, admin):
    from classpay_tui.tui.widgets.field import Field

    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(40, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "slash")
        field = app.screen.query_one("#filter", Field)
        width = field.content_size.width
        await pilot.press(*("zq" * 25))  # 50 characters, into a field narrower than that
        await settle(pilot)
        assert len(field.value) == 50 and field.content_size.width == width < 50  # it does not grow
        assert field.scroll_x == 50 + 1 - width  # the text's end and the cursor are in view
        await keys(pilot, "home")
        assert field.scroll_x == 0 and field.cursor_position == 0


async def test_the_kept_payment_dialog_starts_afresh_for_the_next_bundle(sqlite_service, office, admin):
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "slash", "d", "a", "n", "enter", "p")
        first = app.screen
        assert isinstance(first, RecordPaymentModal) and first.summary.bundle_id == office["dana"]
        first_reference = first.query_one("#reference").value
        # Leave marks everywhere: an amount refused in place, a note, another method; cancel.
        await keys(pilot, "9", "9", "9", "9")
        first.query_one("#method").value = "card"
        first.query_one("#note").focus()
        await keys(pilot, "n", "o", "t", "e")
        assert first.query_one("#amount-error", FieldError).display and first.query_one("#note").value == "note"
        await keys(pilot, "escape", "escape", "slash", "g", "u", "s", "enter", "p")
        again = app.screen
        assert again is first  # the same dialog, refilled
        assert again.summary.bundle_id == office["gus"]
        assert f"Bundle #{office['gus']} · Gus New" in plain(again.query_one("#bundle-line"))
        assert again.query_one("#target").value == "deposit"
        assert again.query_one("#amount").value == "300.00"
        assert again.query_one("#method").value == "cash"
        reference = again.query_one("#reference").value
        assert reference.startswith(f"B{office['gus']}-") and reference != first_reference
        assert again.query_one("#note").value == ""
        assert not again.query_one("#amount-error", FieldError).display
        assert "deposit" in plain(again.query_one("#effect"))
        await keys(pilot, "1", "0", "0")  # typing replaces the amount, as in a new dialog
        assert again.query_one("#amount").value == "100"
        await keys(pilot, "enter", "enter")
        assert isinstance(app.screen, BundlesScreen)
        await keys(pilot, "p")  # the same bundle and target again: what it owes now, in the label too
        assert app.screen is first and first.query_one("#amount").value == "200.00"
        assert "Deposit — owes 200.00" in plain(first.query_one("#target #label"))
        await keys(pilot, "escape", "escape", "slash", "d", "a", "n", "enter", "p", "5")  # the amount was focused
        assert app.screen is first and first.query_one("#amount").value == "5"
        await keys(pilot, "escape")
    gus = sqlite_service.get_payment_details(admin, office["gus"])
    assert [(entry.amount, entry.reference) for entry in gus.ledger] == [(Decimal("100.00"), reference)]
    assert sqlite_service.get_payment_details(admin, office["dana"]).balance_remaining == Decimal("600.00")
