"""Names that look like markup or carry escape sequences are shown as text, on every screen."""

from __future__ import annotations

from rich.text import Text

from classpay_tui.services.list_schemas import ListQuery, PageRequest
from classpay_tui.tui.modals.record_payment import RecordPaymentModal
from classpay_tui.tui.safe import clean, safe_text, truncate
from classpay_tui.tui.screens.details import DetailsScreen
from classpay_tui.tui.widgets import bundle_columns
from classpay_tui.tui.widgets.bundle_grid import BundleGrid
from tests.tui.conftest import bundle, keys, make_app, settle

HOSTILE = ["[/]", "\x1b[31mRed\x1b[0m Rita", "[bold]Bo[/bold]", "Zoë \x9b2J\u202eevil", "tab\there\nnewline"]


def test_clean_strips_escape_sequences_and_controls():
    assert clean("\x1b[31mRed\x1b[0m") == "Red"
    assert clean("a\x1b]0;title\x07b") == "ab"
    assert clean("x\x9b2Jy\x85z\u202e") == "xyz"
    assert clean("tab\there\nline") == "tab here line"
    assert clean(None) == ""


def test_safe_text_is_never_markup():
    text = safe_text("[bold]x[/bold] [/]")
    assert isinstance(text, Text)
    assert text.plain == "[bold]x[/bold] [/]"
    assert text.spans == []
    assert safe_text("abcdefghij", width=5).plain == "abcd…"


async def test_hostile_names_render_everywhere(sqlite_service, admin):
    ids = [bundle(sqlite_service, admin, name, name, "100.00") for name in HOSTILE]
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(BundleGrid)
        width = table.scrollable_content_region.width
        client = next(place for place in bundle_columns.layout(width) if place.column.key == "client")
        lines = [table.screen_line(index).text for index in range(len(ids))]
        shown = [line[client.x : client.x + client.width].rstrip() for line in lines]
        assert shown == [truncate(clean(row.client_name), client.width) for row in table.rows_on_screen]
        assert "[/]" in shown
        assert not any("\x1b" in name or "\x9b" in name for name in shown)
        svg = app.export_screenshot()
        assert "\x1b" not in svg
        for _ in ids:
            await keys(pilot, "enter")
            assert isinstance(app.screen, DetailsScreen)
            await keys(pilot, "p")
            assert isinstance(app.screen, RecordPaymentModal)
            app.export_screenshot()
            await keys(pilot, "escape", "escape", "j")
        await keys(pilot, "slash", "[", "/", "]")
        assert [row.client_name for row in table.rows_on_screen] == ["[/]"]


def test_table_cells_strip_what_the_service_might_let_through(sqlite_service, admin):
    """Even a value that reached the screen raw (an import, an old row) shows as plain text."""
    bundle(sqlite_service, admin, "Plain", "Plain", "100.00")
    [row] = sqlite_service.bundle_list_page(admin, ListQuery(), PageRequest()).rows
    raw = row.model_copy(update={"client_name": "\x1b[31mRed\x1b[0m [/]", "title": "\x1b]0;owned\x07[b]"})
    line = bundle_columns.line(raw, 120)
    assert "Red [/]" in line.plain and "[b]" in line.plain
    assert "\x1b" not in line.plain and "\x07" not in line.plain
    [(client, style)] = bundle_columns.CELLS["client"](raw, 20)
    assert client.rstrip() == "Red [/]" and style is None  # a segment's text: never parsed as markup
    [(course, _)] = bundle_columns.CELLS["course"](raw, 20)
    assert course.rstrip() == "[b]"


async def test_hostile_names_on_the_overdue_reports_and_bulk_screens(sqlite_service, admin, tmp_path, monkeypatch):
    from datetime import date

    from classpay_tui.services.schemas import BundleIn, PlanIn, WriterIn
    from classpay_tui.tui.modals.confirm import ConfirmModal
    from classpay_tui.tui.screens.bulk_entry import BulkEntryScreen
    from classpay_tui.tui.screens.overdue import OverdueScreen

    monkeypatch.chdir(tmp_path)
    sqlite_service.add_writer(admin, WriterIn(username="w", display_name=HOSTILE[2]))
    for name in HOSTILE:
        sqlite_service.create_bundle(
            admin,
            BundleIn(
                client_name=name,
                title=name,
                number_of_classes=1,
                total_amount="100.00",
                plan=PlanIn(count=2, first_due=date(2023, 12, 1)),
                writer="w",
                client_email=None,
                client_phone=name[:40],
            ),
        )
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await keys(pilot, "3")
        assert isinstance(app.screen, OverdueScreen) and len(app.screen.items) == 2 * len(HOSTILE)
        assert "\x1b" not in app.export_screenshot()
        await keys(pilot, "a", "m", "enter")
        assert isinstance(app.screen, ConfirmModal)
        assert "\x1b" not in app.export_screenshot()
        await keys(pilot, "escape", "escape", "4")
        assert "\x1b" not in app.export_screenshot()
        await keys(pilot, "escape", "b", "1", "enter", "5", "0")
        assert isinstance(app.screen, BulkEntryScreen)
        assert "[/]" in str(app.screen.lines[0].query_one(".batch-info").render())
        assert "\x1b" not in app.export_screenshot()
