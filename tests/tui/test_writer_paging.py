"""The writer payouts screen holds a window of one writer's bundles and payouts, read a
page at a time from the service as the cursor moves, never the whole list."""

from __future__ import annotations

from decimal import Decimal

import pytest

from classpay_tui.services.schemas import WriterIn
from classpay_tui.services.writer_page_schemas import PageFrom
from classpay_tui.tui import row_window
from classpay_tui.tui.screens.writers import WritersScreen
from classpay_tui.tui.widgets import key_rows
from tests.builders import seed_bundle
from tests.tui.conftest import keys, make_app, settle

BUNDLES, PAYOUTS = 30, 14


@pytest.fixture
def prolific(sqlite_service, admin, monkeypatch):
    """Writer "ann" with 30 bundles, 14 of them with a payout; pages of 8 rows, at most 20
    held, so moving through the list needs many pages and drops rows behind it."""
    sqlite_service.add_writer(admin, WriterIn(username="ann", display_name="Ann Writer"))
    made = [seed_bundle(sqlite_service, admin, writer_name="ann", deposit="0", installments=0) for _ in range(BUNDLES)]
    for bundle in made[:PAYOUTS]:
        sqlite_service.schedule_writer_payment(admin, bundle.id, Decimal("10.00"))
    monkeypatch.setattr(row_window, "PAGE", 8)
    monkeypatch.setattr(row_window, "KEEP", 20)
    monkeypatch.setattr(key_rows, "MARGIN", 2)
    requests: list[tuple[str, PageFrom]] = []
    for name in ("writer_bundle_page", "writer_payout_page"):
        real = getattr(sqlite_service, name)

        def spy(ctx, writer, request=None, real=real, name=name):  # type: ignore[no-untyped-def]
            requests.append((name, request.start if request else PageFrom.FIRST))
            return real(ctx, writer, request)

        monkeypatch.setattr(sqlite_service, name, spy)
    return requests


def held_in_order(table, order: list[str]) -> None:  # type: ignore[no-untyped-def]
    """The rows held are one run of the list, at their places, and never all of a long list."""
    assert table.keys == order[table.start : table.start + len(table.keys)]
    assert len(table.keys) <= row_window.KEEP < len(order)


async def test_moving_down_reads_the_next_pages_in_order(sqlite_service, admin, prolific):
    requests = prolific
    order = [str(entry.bundle_id) for entry in sqlite_service.get_writer_class_payments(admin, "ann")]
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await keys(pilot, "2", "tab")
        assert isinstance(app.screen, WritersScreen)
        table = app.screen.query_one("#writer-bundles")
        assert table.has_focus and table.total == BUNDLES
        assert ("writer_bundle_page", PageFrom.FIRST) in requests
        held_in_order(table, order)  # the first pages: what the table paints, and a little more
        seen = [table.current_key]
        for _ in range(BUNDLES - 1):
            await keys(pilot, "down")
            seen.append(table.current_key)
            held_in_order(table, order)
        assert seen == order
        assert requests.count(("writer_bundle_page", PageFrom.AFTER)) >= 2
        assert table.start > 0  # the first rows were let go
        await keys(pilot, "home")
        assert table.current_key == order[0]
        held_in_order(table, order)
        assert ("writer_bundle_page", PageFrom.BEFORE) in requests or table.start == 0
        await keys(pilot, "end")
        assert table.current_key == order[-1]
        held_in_order(table, order)


async def test_moving_up_from_the_end_reads_the_pages_before(sqlite_service, admin, prolific):
    requests = prolific
    order = [str(entry.bundle_id) for entry in sqlite_service.get_writer_class_payments(admin, "ann")]
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await keys(pilot, "2", "tab", "end")
        table = app.screen.query_one("#writer-bundles")
        assert requests[-1] == ("writer_bundle_page", PageFrom.LAST)  # a jump past the rows held
        seen = [table.current_key]
        for _ in range(BUNDLES - 1):
            await keys(pilot, "up")
            seen.append(table.current_key)
            held_in_order(table, order)
        assert seen == order[::-1]
        assert requests.count(("writer_bundle_page", PageFrom.BEFORE)) >= 2


async def test_the_payouts_page_too_and_open_their_bundle(sqlite_service, admin, prolific):
    from classpay_tui.tui.screens.details import DetailsScreen

    payouts = sqlite_service.list_payouts(admin, writer="ann")
    order = [str(payout.id) for payout in payouts]
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await keys(pilot, "2", "tab", "tab")
        table = app.screen.query_one("#writer-payouts")
        assert table.has_focus and table.total == PAYOUTS
        seen = [table.current_key]
        for _ in range(PAYOUTS - 1):
            await keys(pilot, "j")
            seen.append(table.current_key)
            assert table.keys == order[table.start : table.start + len(table.keys)]
        assert seen == order
        assert ("writer_payout_page", PageFrom.AFTER) in prolific
        await keys(pilot, "enter")
        assert isinstance(app.screen, DetailsScreen)
        assert app.screen.bundle_id == payouts[-1].bundle_id
        await keys(pilot, "escape")  # back: the window is read again where it was
        assert isinstance(app.screen, WritersScreen)
        assert table.current_key == order[-1]
