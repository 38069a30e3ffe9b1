"""The app opening before it knows who is signed in (``classpay`` reads that and the first
page in a second process): the bundle list is built meanwhile, painted from the page that
was read, and the app's own service is built only once those rows are up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import Future
from contextlib import asynccontextmanager

import pytest
from textual.pilot import Pilot

from classpay_tui.domain.errors import ClasspayError
from classpay_tui.tui.app import ClasspayApp
from classpay_tui.tui.opening import FIRST_QUERY, Opening, SignedIn, first_request
from classpay_tui.tui.screens.bundles import BundlesScreen
from classpay_tui.tui.screens.details import DetailsScreen
from classpay_tui.tui.screens.writers import WritersScreen
from classpay_tui.tui.widgets.bundle_grid import BundleGrid
from tests.tui.conftest import keys, settle, until


class Pending:
    """An opening whose parts arrive when the test says so; counts the asks for the service."""

    def __init__(self, clock) -> None:  # type: ignore[no-untyped-def]
        self.asked = 0
        self.signed_in: Future[SignedIn] = Future()
        self.service: Future[object] = Future()
        self.first_page: Future[object] = Future()
        self.opening = Opening(
            signed_in=self.signed_in,
            service=self.service,  # type: ignore[arg-type]
            start_service=self.ask,
            first_page=self.first_page,  # type: ignore[arg-type]
            clock=clock,
        )

    def ask(self) -> None:
        self.asked += 1

    def close(self) -> None:
        """Whatever never came fails, so no worker waits for it after the test."""
        for future in (self.signed_in, self.service, self.first_page):
            if not future.done():
                future.set_exception(LookupError("never came"))


@pytest.fixture
def pending(sqlite_service) -> Pending:  # type: ignore[no-untyped-def]
    return Pending(sqlite_service.clock)


@asynccontextmanager
async def running(pending: Pending) -> AsyncIterator[tuple[ClasspayApp, Pilot[None]]]:
    app = ClasspayApp(opening=pending.opening, cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        try:
            yield app, pilot
        finally:  # before the app closes: it waits for its workers
            pending.close()


async def test_the_first_rows_are_painted_from_the_page_read_at_start_up(pending, sqlite_service, office, admin):
    page = sqlite_service.bundle_list_page(admin, FIRST_QUERY, first_request())
    async with running(pending) as (app, pilot):
        await pilot.pause()
        assert isinstance(app.screen, BundlesScreen)  # built while who is signed in is read
        pending.signed_in.set_result(SignedIn(admin, "office.db"))
        pending.first_page.set_result(page)
        await settle(pilot)
        grid = app.screen.query_one(BundleGrid)
        assert [row.bundle_id for row in grid.window.rows] == [row.bundle_id for row in page.rows]
        assert grid.screen_line(0).text.lstrip().startswith(str(office["gus"]))
        assert admin.login in app.sub_title and "office.db" in app.sub_title
        await until(pilot, lambda: pending.asked >= 1, "the service asked for once the rows were up")
        assert not pending.service.done()
        await keys(pilot, "down")  # within the rows already there: no service needed
        assert grid.current.bundle_id == page.rows[1].bundle_id
        pending.service.set_result(sqlite_service)
        await keys(pilot, "enter")
        assert isinstance(app.screen, DetailsScreen)


async def test_a_page_that_did_not_come_is_read_by_the_service(pending, sqlite_service, office, admin):
    pending.service.set_result(sqlite_service)
    async with running(pending) as (app, pilot):
        pending.signed_in.set_result(SignedIn(admin, "office.db"))
        pending.first_page.set_exception(LookupError("no page"))
        await settle(pilot)
        assert app.screen.query_one(BundleGrid).window.total == 4


async def test_a_writer_gets_their_payouts_not_the_list_built_meanwhile(pending, sqlite_service, writer_ann):
    async with running(pending) as (app, pilot):
        await pilot.pause()
        pending.service.set_result(sqlite_service)
        pending.signed_in.set_result(SignedIn(writer_ann, "office.db"))
        pending.first_page.set_exception(LookupError("no page for a writer"))
        await settle(pilot)
        assert isinstance(app.screen, WritersScreen)
        assert pending.asked >= 1
        assert app.check_action("show_bundles", ()) is False
        assert not list(app._notifications)  # no refusal from the list built meanwhile


async def test_an_app_that_cannot_open_closes_with_one_sentence(pending, sqlite_service):
    async with running(pending) as (app, pilot):
        await pilot.pause()
        pending.signed_in.set_exception(ClasspayError("root is not an operator of this database."))
        await pilot.pause()
        await pilot.pause()
    assert app.failure == "root is not an operator of this database."
    assert app.return_code == 1
