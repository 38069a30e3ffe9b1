"""``classpay`` starts with the garbage collector paused; it must be running again while a
command works, once the app has painted, and after any command, whatever happened."""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterator

import pytest

from classpay_tui.cli import main
from classpay_tui.db.engine import Database
from classpay_tui.services import ClassPaymentService, OperatorContext
from classpay_tui.services.context import os_login
from classpay_tui.tui.app import ClasspayApp


@pytest.fixture(autouse=True)
def _collector_back_on() -> Iterator[None]:
    yield
    gc.enable()  # never leave the rest of the test run without it, nor with objects frozen
    gc.unfreeze()


@pytest.fixture
def office_db(sqlite_url: str) -> str:
    service = ClassPaymentService(Database(sqlite_url))
    service.add_first_admin(os_login())
    service.db.dispose()
    return sqlite_url


def run_main(monkeypatch: pytest.MonkeyPatch, *args: str) -> None:
    monkeypatch.setattr(sys, "argv", ["classpay", *args])
    with contextlib.suppress(SystemExit):
        main()


def test_a_command_runs_with_the_collector_on(office_db, monkeypatch):
    seen: list[bool] = []
    listing = ClassPaymentService.list_payments

    def watched(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return listing(self, *args, **kwargs)

    monkeypatch.setattr(ClassPaymentService, "list_payments", watched)
    run_main(monkeypatch, "--db", office_db, "payments", "list", "--json")
    assert seen == [True]
    assert gc.isenabled()


@pytest.mark.parametrize(
    "args", [["--help"], ["--version"], ["no-such-command"], ["--db", "/nonexistent/x.db", "check"]]
)
def test_the_collector_is_on_after_main_returns(monkeypatch, args):
    run_main(monkeypatch, *args)
    assert gc.isenabled()


async def test_the_app_resumes_the_collector_once_it_has_painted(sqlite_service, admin: OperatorContext):
    gc.disable()
    app = ClasspayApp(sqlite_service, admin, cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0  # start-up's objects are out of later collections


async def test_an_app_started_with_the_collector_on_freezes_nothing(sqlite_service, admin: OperatorContext):
    app = ClasspayApp(sqlite_service, admin, cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert gc.isenabled() and gc.get_freeze_count() == 0
