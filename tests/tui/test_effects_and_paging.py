"""The pure parts: what a payment would do, and which window of bundles the list holds."""

from __future__ import annotations

from decimal import Decimal

import pytest

from classpay_tui.domain.errors import ClasspayError
from classpay_tui.services.list_schemas import BundleListPage, BundleListRow, ListKey, PageFrom, PageRequest
from classpay_tui.tui import choices, effects, paging
from classpay_tui.tui.paging import ListWindow
from classpay_tui.tui.widgets.bundle_grid import BundleGrid
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


def rows(first: int, count: int) -> list[BundleListRow]:
    """Stand-in rows of a newest-first list: row ``i`` is bundle ``1000 - i``."""
    return [
        BundleListRow.model_construct(bundle_id=1000 - i, key=ListKey(value=1000 - i, bundle_id=1000 - i))
        for i in range(first, first + count)
    ]


def page(first: int, count: int, total: int | None = None) -> BundleListPage:
    return BundleListPage(rows=rows(first, count), total=total)


def test_the_window_asks_for_the_rows_next_to_what_it_holds():
    window = ListWindow(total=1000)
    first = window.wanted(0, 20)
    assert first.start is PageFrom.FIRST
    window.merge(first, page(0, first.limit), keep_near=0)
    assert window.wanted(0, 20) is None  # held, with the margin
    after = window.wanted(70, 90)  # the cursor went down: the rows after the last held key
    assert after.start is PageFrom.AFTER and after.key == window.rows[-1].key
    window.merge(after, page(window.end, after.limit), keep_near=80)
    assert window.row(150).bundle_id == 850
    end = window.wanted(980, 1000)  # the end key: the last page, counted again
    assert end.start is PageFrom.LAST and end.count
    window.merge(end, page(1000 - end.limit, end.limit, total=1000), keep_near=999)
    assert window.row(999).bundle_id == 1 and window.row(0) is None
    before = window.wanted(1000 - end.limit - 10, 1000 - end.limit + 10)
    assert before.start is PageFrom.BEFORE and before.key == window.rows[0].key
    middle = window.wanted(500, 520)  # a jump with the scroll bar
    assert middle.start is PageFrom.OFFSET and middle.offset == 500 - paging.MARGIN


def test_the_window_holds_a_bounded_block_around_the_cursor():
    window = ListWindow(total=10_000)
    request = window.wanted(0, 20)
    window.merge(request, page(0, request.limit), keep_near=0)
    for _ in range(10):
        request = PageRequest(start=PageFrom.AFTER, key=window.rows[-1].key, limit=paging.PAGE)
        window.merge(request, page(window.end, paging.PAGE), keep_near=window.end)
    assert len(window.rows) <= paging.KEEP
    assert window.row(window.end - 1).bundle_id == 1000 - (window.end - 1)  # positions stay right


def test_a_short_page_means_the_list_is_shorter_than_counted():
    window = ListWindow(total=300)
    window.merge(PageRequest(limit=100), page(0, 100), keep_near=0)
    request = PageRequest(start=PageFrom.AFTER, key=window.rows[-1].key, limit=100)
    window.merge(request, page(100, 30), keep_near=120)  # bundles went while the list was open
    assert window.total == 130


def test_sort_and_status_cycles():
    assert choices.next_sort("-id") == "-balance"
    assert choices.next_sort(choices.SORTS[-1][0]) == "-id"
    assert choices.sort_label("balance") == "smallest balance first"
    assert choices.next_status(None) == "overdue"
    assert choices.next_status("cancelled") is None


async def test_the_list_pages_through_the_service_and_keeps_the_cursor(sqlite_service, admin, monkeypatch):
    monkeypatch.setattr(paging, "PAGE", 10)
    monkeypatch.setattr(paging, "MARGIN", 3)
    monkeypatch.setattr(paging, "KEEP", 30)  # a screen of 18 rows and the margins
    ids = [bundle(sqlite_service, admin, f"Client {n:02}", "Course", "100.00") for n in range(1, 41)]
    newest_first = ids[::-1]
    requests: list[PageRequest] = []
    original = sqlite_service.bundle_list_page

    def spy(ctx, query, request):  # type: ignore[no-untyped-def]
        requests.append(request)
        assert request.limit <= 25  # never the whole list (40)
        return original(ctx, query, request)

    monkeypatch.setattr(sqlite_service, "bundle_list_page", spy)
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(BundleGrid)
        for step in range(1, 40):
            await keys(pilot, "down")
            assert table.current.bundle_id == newest_first[step]
            assert len(table.window.rows) <= 30
        assert any(request.start is PageFrom.AFTER for request in requests)
        for step in range(38, -1, -1):
            await keys(pilot, "k")
            assert table.current.bundle_id == newest_first[step]
        assert any(request.start is PageFrom.BEFORE for request in requests)
        await keys(pilot, "end")
        assert table.current.bundle_id == ids[0] and table.cursor == 39
        await keys(pilot, "home")
        assert table.current.bundle_id == ids[-1]


@pytest.mark.parametrize("width", [60, 77, 78, 79, 117, 118, 119, 160])
def test_columns_fit_the_width_and_drop_by_priority(width):
    from classpay_tui.tui.widgets import bundle_columns

    placed = bundle_columns.layout(width)
    assert placed[-1].x + placed[-1].width <= width
    keys = [place.column.key for place in placed]
    assert keys[:3] == ["id", "client", "course"]
    if width >= 78:  # 80 columns: what the desk needs to take a payment
        assert {"balance", "progress", "status", "due"} <= set(keys)
    if width >= 118:  # 120 columns (less the scroll bar): everything
        assert len(keys) == len(bundle_columns.COLUMNS)


async def test_every_column_is_whole_at_80_columns(sqlite_service, office, admin):
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        grid = app.screen.query_one(BundleGrid)
        for index, row in enumerate(grid.rows_on_screen):
            text = grid.screen_line(index).text.rstrip()
            due = row.next_due_date.isoformat() if row.next_due_date else "—"
            assert text.endswith(due), text
            assert grid.screen_line(index).cell_length == grid.scrollable_content_region.width


async def test_a_page_that_could_not_be_read_is_asked_for_again(sqlite_service, admin, monkeypatch):
    monkeypatch.setattr(paging, "PAGE", 10)
    monkeypatch.setattr(paging, "MARGIN", 3)
    ids = [bundle(sqlite_service, admin, f"Client {n:02}", "Course", "100.00") for n in range(1, 41)]
    original, failures = sqlite_service.bundle_list_page, []

    def flaky(ctx, query, request):  # type: ignore[no-untyped-def]
        if request.start is PageFrom.AFTER and not failures:
            failures.append(request)
            raise ClasspayError("The database is busy; try again.")
        return original(ctx, query, request)

    monkeypatch.setattr(sqlite_service, "bundle_list_page", flaky)
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        grid = app.screen.query_one(BundleGrid)
        for _ in range(30):
            await keys(pilot, "down")
        assert failures  # one page was refused once ...
        assert grid.current.bundle_id == ids[::-1][30]  # ... and read again as the cursor went on


def test_a_count_that_stopped_at_its_limit_is_a_lower_bound_until_the_end_is_read():
    rows = [BundleListRow.model_construct(bundle_id=n, key=ListKey(value=n, bundle_id=n)) for n in range(20, 0, -1)]
    window = ListWindow()
    first = PageRequest(start=PageFrom.FIRST, limit=5, count=True, count_limit=10)
    window.merge(first, BundleListPage(rows=rows[:5], total=10, more=True), keep_near=0)
    assert (window.total, window.more) == (10, True)
    after = PageRequest(start=PageFrom.AFTER, key=rows[4].key, limit=10)
    window.merge(after, BundleListPage(rows=rows[5:15]), keep_near=0)
    assert (window.total, window.more) == (15, True)  # past the count: still not the end
    last = PageRequest(start=PageFrom.AFTER, key=rows[14].key, limit=10)
    window.merge(last, BundleListPage(rows=rows[15:]), keep_near=0)
    assert (window.total, window.more) == (20, False)  # a short page: the end


async def test_a_search_is_counted_with_its_rows_up_to_a_limit_and_end_finds_the_real_end(
    sqlite_service, admin, monkeypatch
):
    monkeypatch.setattr(paging, "COUNT_LIMIT", 5)
    monkeypatch.setattr(paging, "PAGE", 8)
    monkeypatch.setattr(paging, "MARGIN", 3)
    ids = [bundle(sqlite_service, admin, f"Client {n:02}", "Essay", "100.00") for n in range(1, 41)]
    bundle(sqlite_service, admin, "Someone Else", "Poetry", "100.00")
    requests: list[PageRequest] = []
    original = sqlite_service.bundle_list_page

    def spy(ctx, query, request):  # type: ignore[no-untyped-def]
        requests.append(request)
        return original(ctx, query, request)

    monkeypatch.setattr(sqlite_service, "bundle_list_page", spy)
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        requests.clear()
        await keys(pilot, "slash", *"essay")
        grid = app.screen.query_one(BundleGrid)
        status = str(app.screen.query_one("#list-status").render())
        # Counted with the first rows, up to the limit, then as far as the rows read go.
        assert grid.window.more and 5 <= grid.window.total < 40
        assert f"row 1 of {grid.window.total}+" in status, status
        assert not any(request.count and request.count_limit is None for request in requests)  # no full count
        await keys(pilot, "enter", "end")
        assert grid.current.bundle_id == ids[0] and grid.cursor == 39  # the oldest match, row 40
        assert not grid.window.more and "row 40 of 40" in str(app.screen.query_one("#list-status").render())
        await keys(pilot, "home")
        assert grid.current.bundle_id == ids[-1]


def test_the_window_says_whether_it_holds_the_rows_on_screen():
    window = ListWindow(total=1000)
    window.merge(PageRequest(start=PageFrom.FIRST, limit=30), page(0, 30), keep_near=0)
    assert window.holds(0, 20) and window.holds(10, 30)
    assert not window.holds(20, 40)  # the screen reaches past the block
    assert window.wanted(0, 20) is not None  # held, but not its margin
    short = ListWindow(total=12)
    short.merge(PageRequest(start=PageFrom.FIRST, limit=30), page(0, 12), keep_near=0)
    assert short.holds(0, 20)  # the list ends on screen: all it has is held


async def test_the_rows_after_a_screen_are_asked_for_once_that_screen_is_painted(sqlite_service, admin, monkeypatch):
    for n in range(1, 81):
        bundle(sqlite_service, admin, f"Client {n:02}", "Essay", "100.00")
    seen: list[str] = []  # the service's reads (from the workers) and the frames, in order
    original = sqlite_service.bundle_list_page

    def spy(ctx, query, request):  # type: ignore[no-untyped-def]
        seen.append(f"read {request.start.value} {query.search}")
        return original(ctx, query, request)

    monkeypatch.setattr(sqlite_service, "bundle_list_page", spy)
    app = make_app(sqlite_service, admin)
    display = app._display

    def painted(screen, renderable) -> None:  # type: ignore[no-untyped-def]
        display(screen, renderable)
        grid = app.screen.query_one(BundleGrid) if renderable is not None else None
        if grid is not None and grid.rows_on_screen:
            seen.append(f"painted {grid.window.query.search}")

    app._display = painted  # the headless driver paints every frame through it
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "slash", "C")
        searched = seen[seen.index("read first C") :]
        # A search reads a screen's worth first (so its rows paint sooner), then the margin.
        assert searched.index("painted C") < searched.index("read after C"), searched
