"""Screenshots of the screens and the record-payment dialog at 80x24 and 120x40.

The data is fixed (tests/tui/conftest.py ``office``, clock at 2024-01-15), the database
is named ``office.db`` and the suggested reference is fixed, so the pictures only change
when the screens do. Update on purpose with ``pytest tests/tui --snapshot-update``.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import make_app, settle

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
FIND_DANA = ("slash", "d", "a", "n", "enter")


@pytest.fixture
def steady(sqlite_service, office, monkeypatch):
    monkeypatch.setattr(sqlite_service.db, "describe", lambda: "office.db")
    monkeypatch.setattr(sqlite_service, "suggest_reference", lambda bundle_id: f"B{bundle_id}-20240115-7F3A")
    return sqlite_service


def after(*pressed: str):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        for key in pressed:
            await pilot.press(key)
            await settle(pilot)

    return run_before


@SIZES
def test_bundles(snap_compare, steady, admin, size):
    assert snap_compare(make_app(steady, admin), terminal_size=size, run_before=after())


@SIZES
def test_payment_details(snap_compare, steady, admin, size):
    assert snap_compare(make_app(steady, admin), terminal_size=size, run_before=after(*FIND_DANA, "enter"))


@SIZES
def test_writer_payouts(snap_compare, steady, admin, size):
    assert snap_compare(make_app(steady, admin), terminal_size=size, run_before=after("2"))


@SIZES
def test_record_payment_modal(snap_compare, steady, admin, size):
    assert snap_compare(make_app(steady, admin), terminal_size=size, run_before=after(*FIND_DANA, "p"))


def test_new_bundle_form(snap_compare, steady, admin):
    keys = ("n", *"Ida Lane", "tab", *"Grammar", "tab", "tab", *"800", "tab", "tab", "backspace", "3")
    assert snap_compare(make_app(steady, admin), terminal_size=(80, 24), run_before=after(*keys))


def test_staff_sees_admin_keys_dimmed(snap_compare, steady, staff):
    assert snap_compare(make_app(steady, staff), terminal_size=(120, 40), run_before=after(*FIND_DANA, "enter"))


# ---- overdue, reports, bulk entry ----------------------------------------------------------

# Three lines of bulk entry, the second asking 900.00 of the 800.00 Eli owes: shown in place.
BULK_LINES = (
    "b", "1", "enter", "2", "0", "0", "enter", "enter", "enter",
    "2", "enter", "9", "0", "0", "enter", "enter", "c", "a", "r", "d", "enter",
    "4", "enter", "3", "0", "0",
)  # fmt: skip


@pytest.fixture
def steady_late(steady, late_office):
    return steady


@SIZES
def test_overdue(snap_compare, steady_late, admin, size):
    assert snap_compare(make_app(steady_late, admin), terminal_size=size, run_before=after("3", "space"))


@SIZES
def test_reports(snap_compare, steady_late, admin, size):
    assert snap_compare(make_app(steady_late, admin), terminal_size=size, run_before=after("4"))


@SIZES
def test_bulk_entry(snap_compare, steady, admin, size):
    assert snap_compare(make_app(steady, admin), terminal_size=size, run_before=after(*BULK_LINES))
