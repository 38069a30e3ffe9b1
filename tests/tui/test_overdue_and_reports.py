"""The overdue screen (picking rows, making reminders) and the reports screen, by keys alone."""

from __future__ import annotations

from datetime import date

from classpay_tui.tui.modals.confirm import ConfirmModal
from classpay_tui.tui.modals.help import HelpModal
from classpay_tui.tui.modals.make_reminders import MakeRemindersModal
from classpay_tui.tui.screens.details import DetailsScreen
from classpay_tui.tui.screens.overdue import OverdueScreen
from classpay_tui.tui.screens.reports import ReportsScreen
from classpay_tui.tui.screens.writers import WritersScreen
from classpay_tui.tui.widgets.bar_chart import BarChart
from tests.tui.conftest import keys, make_app, settle


def plain(widget) -> str:  # type: ignore[no-untyped-def]
    return str(widget.render())


def levels(service, ctx):  # type: ignore[no-untyped-def]
    return {(row.bundle_id, row.installment_number): row.reminder_level for row in service.overdue(ctx)}


async def test_overdue_rows_on_the_fixed_day(sqlite_service, office, staff):
    app = make_app(sqlite_service, staff)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "3")
        screen = app.screen
        assert isinstance(screen, OverdueScreen)
        table = screen.table
        assert [item.installment_number for item in screen.items] == [1, 2, 3]  # Eli's, oldest first
        assert {item.bundle_id for item in screen.items} == {office["eli"]}
        late = [table.get_row_at(index)[4].plain for index in range(table.row_count)]
        assert late == ["75 d", "45 d", "14 d"]
        mark = table.get_row_at(0)[1]
        assert mark.plain.startswith("!")  # a symbol as well as a colour
        assert "3 installments (1 bundle) · 600.00 owed" in plain(screen.query_one("#overdue-status"))
        await keys(pilot, "enter")
        assert isinstance(app.screen, DetailsScreen) and app.screen.bundle_id == office["eli"]
        await keys(pilot, "escape", "escape")
        assert app.screen.query_one("#bundles")  # back on the bundle list


async def test_making_reminders_records_the_level(sqlite_service, late_office, staff, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = levels(sqlite_service, staff)
    assert before[(late_office["eli"], 1)] == 1 and before[(late_office["hana"], 3)] == 0
    app = make_app(sqlite_service, staff)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "3", "space", "space")  # Eli's oldest, then Hana's
        screen = app.screen
        assert "2 picked" in plain(screen.query_one("#overdue-status"))
        assert [screen.table.get_row_at(index)[0].plain for index in range(4)] == ["✓", "✓", " ", " "]
        await keys(pilot, "m")
        modal = app.screen
        assert isinstance(modal, MakeRemindersModal)
        assert modal.query_one("#target").value == str(tmp_path / "reminders-20240115.txt")
        await keys(pilot, "enter")
        confirm = app.screen
        assert isinstance(confirm, ConfirmModal) and confirm.heading == "Make 2 reminders?"
        assert str(confirm.lines[0]) == "2 reminders to 2 clients: level 1 × 1, level 2 × 1"
        assert "No email address: Eli Overdue" in str(confirm.lines[1])
        await keys(pilot, "enter")
        assert isinstance(app.screen, OverdueScreen)
        assert not screen.picked
        assert screen.table.get_row_at(0)[6].plain.startswith("2")  # Eli's oldest: level 2 now
    after = levels(sqlite_service, staff)
    assert after[(late_office["eli"], 1)] == 2 and after[(late_office["hana"], 3)] == 1
    assert after[(late_office["eli"], 2)] == 0  # not picked: not reminded
    text = (tmp_path / "reminders-20240115.txt").read_text()
    assert "To: Hana Late <hana@example.com>" in text and "Eli Overdue" in text


async def test_a_bad_file_or_escape_records_nothing(sqlite_service, late_office, staff, tmp_path, monkeypatch):
    tmp_path = tmp_path / "out"  # the database lives in tmp_path itself
    tmp_path.mkdir()
    monkeypatch.chdir(tmp_path)
    before = levels(sqlite_service, staff)
    app = make_app(sqlite_service, staff)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "3", "m")
        assert isinstance(app.screen, OverdueScreen)  # nothing picked: nothing to ask
        await keys(pilot, "a", "m", "ctrl+u", *"notes.doc", "enter")
        modal = app.screen
        assert isinstance(modal, MakeRemindersModal)
        assert "must end in .txt, .csv or .eml" in modal.query_one("#target-error").message
        await keys(pilot, "ctrl+u", *str(tmp_path / "batch.eml"), "enter")
        assert isinstance(app.screen, ConfirmModal)
        await keys(pilot, "escape", "escape")
        assert isinstance(app.screen, OverdueScreen)
    assert levels(sqlite_service, staff) == before
    assert list(tmp_path.iterdir()) == []


async def test_overdue_on_another_day(sqlite_service, late_office, admin):
    app = make_app(sqlite_service, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "3", "d", "ctrl+u", *"2023-12-15", "enter")
        screen = app.screen
        assert screen.as_of == date(2023, 12, 15)
        assert [(item.bundle_id, item.installment_number, item.days_late) for item in screen.items] == [
            (late_office["eli"], 1, 44),
            (late_office["hana"], 3, 25),
            (late_office["eli"], 2, 14),
        ]
        await keys(pilot, "d", "ctrl+u", *"15/12/2023", "enter")
        assert "is not a date; type it as YYYY-MM-DD." in plain(screen.query_one("#overdue-error"))
        assert screen.as_of == date(2023, 12, 15)


async def test_reports_show_bars_sparkline_aging_and_writers(sqlite_service, late_office, staff):
    app = make_app(sqlite_service, staff)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await keys(pilot, "4")
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        months = screen.query_one("#collections", BarChart).bars
        assert [bar.label for bar in months][-4:] == ["2023-10", "2023-11", "2023-12", "2024-01"]
        assert [str(bar.value) for bar in months][-4:] == ["300.00", "0.00", "150.00", "900.00"]
        chart = plain(screen.query_one("#collections"))
        assert "2024-01  900.00  ████" in chart
        weeks = screen.query_one("#weeks").data
        assert len(weeks) == 12 and weeks[-1] == 90000 and all(isinstance(cents, int) for cents in weeks)
        aging = plain(screen.query_one("#aging"))
        assert "not due" in aging and "61–90 days" in aging and "no due date" in aging
        assert "as of 2024-01-15: 2,750.00 USD owed" in plain(screen.query_one("#aging-title"))
        assert screen.query_one("#liabilities").keys == [str(w.id) for w in sqlite_service.list_writers(staff)]
        await keys(pilot, "d", "ctrl+u", *"2023-12-31", "enter")
        assert "as of 2023-12-31" in plain(screen.query_one("#aging-title"))
        assert [bar.label for bar in screen.query_one("#collections", BarChart).bars][-1] == "2023-12"
        await keys(pilot, "escape")
        assert app.screen.query_one("#bundles")


async def test_writers_never_see_overdue_or_reports(sqlite_service, late_office, writer_ann, staff):
    app = make_app(sqlite_service, writer_ann)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "3", "4")
        assert isinstance(app.screen, WritersScreen)
        await keys(pilot, "question_mark")
        assert isinstance(app.screen, HelpModal)
        shown = {name for _, name, _, _ in app.screen.lines}
        assert not {"Overdue", "Reports", "Bulk"} & shown
    app = make_app(sqlite_service, staff)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "question_mark")
        shown = {key: name for key, name, _, _ in app.screen.lines}
        assert shown["3"] == "Overdue" and shown["4"] == "Reports" and shown["b"] == "Bulk"


async def test_the_palette_offers_the_new_screens(sqlite_service, office, staff):
    from classpay_tui.tui.commands import ActionsProvider

    app = make_app(sqlite_service, staff)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        names = [name for name, _, _ in ActionsProvider(app.screen)._commands()]
        assert {"Overdue (3)", "Reports (4)", "Bulk (b)"} <= set(names)
        await keys(pilot, "3")
        names = [name for name, _, _ in ActionsProvider(app.screen)._commands()]
        assert {"Pick (space)", "All (a)", "Remind (m)", "Date (d)", "Reports (4)"} <= set(names)
        await keys(pilot, "4")
        names = [name for name, _, _ in ActionsProvider(app.screen)._commands()]
        assert {"Date (d)", "Reload (r)", "Overdue (3)"} <= set(names)


def test_bars_in_eighths_and_always_with_the_amount():
    from decimal import Decimal

    from classpay_tui.tui.widgets.bar_chart import Bar, bar, chart

    assert bar(Decimal("100"), Decimal("100"), 10) == "█" * 10
    assert bar(Decimal("15"), Decimal("100"), 10) == "█▌"  # 1.5 cells
    assert bar(Decimal("0.01"), Decimal("100"), 10) == "▏"  # a little is never nothing
    assert bar(Decimal("0"), Decimal("100"), 10) == "" and bar(Decimal("-5"), Decimal("100"), 10) == ""
    lines = chart([Bar("2024-01", Decimal("900.00")), Bar("2024-02", Decimal("-50.00"))], 40).plain.split("\n")
    assert lines[0].startswith("2024-01  900.00  ████") and lines[1].startswith("2024-02  -50.00  ")


def test_later_is_louder_but_never_colour_alone():
    from classpay_tui.tui.formatting import ALERT
    from classpay_tui.tui.widgets.overdue_rows import late_style

    assert late_style(5) != late_style(45) != late_style(75) and late_style(75) == ALERT


def test_the_suggested_file_never_replaces_an_earlier_batch(tmp_path):
    from classpay_tui.tui.modals.make_reminders import default_target

    assert default_target(date(2024, 1, 15), tmp_path).name == "reminders-20240115.txt"
    (tmp_path / "reminders-20240115.txt").write_text("batch 1")
    assert default_target(date(2024, 1, 15), tmp_path).name == "reminders-20240115-2.txt"
