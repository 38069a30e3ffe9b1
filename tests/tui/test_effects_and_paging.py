"""The pure parts: what a payment would do, and which window of bundles the list holds."""

from __future__ import annotations

from decimal import Decimal

import pytest

from classpay_tui.domain.errors import ClasspayError
from classpay_tui.tui import choices, effects, paging
from classpay_tui.tui.paging import Query, Window
from classpay_tui.tui.widgets.bundle_table import BundleTable
from tests.tui.conftest import bundle, keys, make_app, settle


@pytest.fixture
def dana(sqlite_service, office, admin):
    return sqlite_service.get_payment_details(admin, office["dana"])


def test_default_targets(sqlite_service, office, admin, dana):
    gus = sqlite_service.get_payment_details(admin, office["gus"])
    assert effects.default_target(gus).key == "deposit"  # the deposit comes before everything
    assert effects.default_target(gus, "installment:2").key == "deposit"
    assert effects.default_target(dana).key == "installment:2"
    assert effects.default_target(dana, "installment:1").key == "installment:2"  # paid: the next unpaid one
    assert effects.default_target(dana, "installment:3").key == "installment:3"
    assert effects.default_target(dana, "bundle").key == "bundle"
    fay = sqlite_service.get_payment_details(admin, office["fay"])
    assert effects.default_target(fay) is None


def test_preview_matches_the_service_wording(dana):
    second = effects.default_target(dana)
    assert effects.preview(dana, second, Decimal("200.00")) == "installment 2 of 4 paid; balance 600.00 → 400.00"
    assert (
        effects.preview(dana, second, Decimal("50.00"))
        == "50.00 to installment 2 of 4 (150.00 still owed); balance 600.00 → 550.00"
    )
    whole = effects.default_target(dana, "bundle")
    assert effects.preview(dana, whole, Decimal("300.00")) == (
        "installment 2 of 4 paid; 100.00 to installment 3 of 4 (100.00 still owed); balance 600.00 → 300.00"
    )
    with pytest.raises(ClasspayError, match="more than the 200.00 still owed"):
        effects.preview(dana, second, Decimal("250.00"))


def test_the_service_says_the_same(sqlite_service, admin, dana):
    from tests.builders import pay

    result = pay(sqlite_service, admin, dana.bundle_id, "200.00", installment_number=2)
    assert result.effect == effects.preview(dana, effects.default_target(dana), Decimal("200.00"))


def test_window_shifts_near_its_edges():
    window = Window(Query(), offset=0, rows=[object()] * paging.SIZE, has_more=True)  # type: ignore[list-item]
    assert window.shift_for(0) is None
    assert window.shift_for(paging.SIZE - paging.EDGE) == paging.STEP
    later = Window(Query(), offset=paging.STEP, rows=[object()] * paging.SIZE, has_more=False)  # type: ignore[list-item]
    assert later.shift_for(paging.SIZE - 1) is None  # the end of the list
    assert later.shift_for(2) == 0


def test_sort_and_status_cycles():
    assert choices.next_sort("-id") == "-balance"
    assert choices.next_sort(choices.SORTS[-1][0]) == "-id"
    assert choices.sort_label("balance") == "smallest balance first"
    assert choices.next_status(None) == "overdue"
    assert choices.next_status("cancelled") is None


async def test_the_list_pages_through_the_service_and_keeps_the_cursor(sqlite_service, admin, monkeypatch):
    monkeypatch.setattr(paging, "SIZE", 10)
    monkeypatch.setattr(paging, "STEP", 5)
    monkeypatch.setattr(paging, "EDGE", 2)
    ids = [bundle(sqlite_service, admin, f"Client {n:02}", "Course", "100.00") for n in range(1, 31)]
    newest_first = ids[::-1]
    calls: list[int] = []
    original = sqlite_service.list_payments

    def spy(ctx, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs["offset"])
        assert kwargs["limit"] <= 11  # never the whole list
        return original(ctx, **kwargs)

    monkeypatch.setattr(sqlite_service, "list_payments", spy)
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(BundleTable)
        for step in range(1, 25):
            await keys(pilot, "down")
            assert table.current.bundle_id == newest_first[step]
            assert table.row_count <= 10
        assert max(calls) >= 15
        for step in range(23, -1, -1):
            await keys(pilot, "k")
            assert table.current.bundle_id == newest_first[step]
        assert calls[-1] == 0
