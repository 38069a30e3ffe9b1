"""The payment details screen kept for the app and refilled for each bundle
(``open_details``): each bundle shows as it would on a screen just made."""

from __future__ import annotations

import threading
from datetime import date

from classpay_tui.tui.modals.help import HelpModal
from classpay_tui.tui.screens.bundles import BundlesScreen
from classpay_tui.tui.screens.details import DetailsScreen, open_details
from classpay_tui.tui.widgets.key_rows import KeyRows
from tests.builders import pay
from tests.tui.conftest import bundle, keys, make_app, settle

TABLES = ("#installments", "#ledger", "#payouts")


def looks(screen: DetailsScreen) -> dict[str, object]:
    """What the screen shows: the summary, and each table's rows, title, column widths,
    cursor, scroll and focus."""
    shown: dict[str, object] = {"summary": str(screen.query_one("#summary").render())}
    for name in TABLES:
        table = screen.query_one(name, KeyRows)
        shown[name] = (
            table.keys,
            table.title.plain,
            table.widths,
            table.current_key,
            table.scroll_offset,
            table.has_focus,
        )
    return shown


async def open_from(pilot, caller, bundle_id: int) -> DetailsScreen:  # type: ignore[no-untyped-def]
    open_details(caller, pilot.app.desk, bundle_id)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, DetailsScreen) and screen.bundle_id == bundle_id
    return screen


async def test_the_next_bundle_refills_the_same_screen_as_a_new_one_shows_it(sqlite_service, office, admin):
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        bundles = app.screen
        assert isinstance(bundles, BundlesScreen)
        kept = await open_from(pilot, bundles, office["dana"])
        assert kept.query_one("#installments", KeyRows).current_key == "installment:2"
        await keys(pilot, "k", "tab", "k")  # move both cursors, the ledger focused
        assert kept.query_one("#ledger", KeyRows).has_focus
        await keys(pilot, "escape")
        assert app.screen is bundles

        # Gus: deposit unpaid, nothing received, a shorter plan; Dana's wider columns gone.
        assert await open_from(pilot, bundles, office["gus"]) is kept
        refilled = looks(kept)
        assert "Gus New" in str(refilled["summary"])
        assert kept.query_one("#installments", KeyRows).current_key == "deposit"
        assert kept.query_one("#ledger", KeyRows).title.plain == "Client ledger — nothing received yet"
        await keys(pilot, "escape")

        app.push_screen(DetailsScreen(app.desk, office["gus"]))  # a screen just made
        await settle(pilot)
        assert app.screen is not kept
        assert looks(app.screen) == refilled


async def test_a_long_plan_is_scrolled_to_its_cursor_as_on_a_new_screen(sqlite_service, office, admin):
    # 20 installments, 16 paid: the cursor starts below what the table shows at first.
    long = bundle(sqlite_service, admin, "Ida Long", "Grammar", "2000.00", count=20, first_due=date(2023, 1, 10))
    for number in range(1, 17):
        pay(sqlite_service, admin, long, "100.00", installment_number=number)
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        bundles = app.screen
        kept = await open_from(pilot, bundles, office["gus"])  # four rows: a short table
        await keys(pilot, "escape")
        assert await open_from(pilot, bundles, long) is kept
        refilled = looks(kept)
        assert kept.query_one("#installments", KeyRows).current_key == "installment:17"
        await keys(pilot, "escape")
        app.push_screen(DetailsScreen(app.desk, long))
        await settle(pilot)
        assert looks(app.screen) == refilled


async def test_a_late_answer_for_the_bundle_shown_before_changes_nothing(sqlite_service, office, admin):
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bundles = app.screen
        dana = sqlite_service.get_payment_details(admin, office["dana"])
        await open_from(pilot, bundles, office["dana"])
        await keys(pilot, "escape")
        kept = await open_from(pilot, bundles, office["eli"])
        before = looks(kept)
        kept.show(dana)  # say, Dana's reload (r) read just before Esc
        await settle(pilot)
        assert looks(kept) == before and kept.details.bundle_id == office["eli"]


async def test_nothing_opens_when_the_list_is_no_longer_in_front(sqlite_service, office, admin, monkeypatch):
    read = sqlite_service.get_payment_details
    answered = threading.Event()

    def slow_read(ctx, bundle_id):  # type: ignore[no-untyped-def]
        answered.wait(10)
        return read(ctx, bundle_id)

    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        monkeypatch.setattr(sqlite_service, "get_payment_details", slow_read)
        open_details(app.screen, app.desk, office["dana"])
        await pilot.press("question_mark")  # the help opens while the bundle is read
        answered.set()
        await settle(pilot)
        assert isinstance(app.screen, HelpModal)
        await keys(pilot, "escape")
        assert isinstance(app.screen, BundlesScreen)


async def test_a_new_screen_is_made_while_the_kept_one_is_open(sqlite_service, office, admin):
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        kept = await open_from(pilot, app.screen, office["dana"])
        other = await open_from(pilot, kept, office["fay"])  # the kept one is under it
        assert other is not kept
        assert "Fay Paid" in str(other.query_one("#summary").render())
        await keys(pilot, "escape")
        assert app.screen is kept and "Dana Client" in str(kept.query_one("#summary").render())
