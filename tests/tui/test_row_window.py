"""The window's arithmetic on its own: which page a table's painted rows need, and how a
fetched page joins the rows held."""

from __future__ import annotations

from classpay_tui.services.writer_page_schemas import PageFrom
from classpay_tui.tui.row_window import KEEP, PAGE, RowWindow

TOTAL = 1000


def window(start: int, end: int) -> RowWindow[int]:
    """Holding positions ``start`` to ``end`` of a list whose row at position n has key n."""
    return RowWindow(key_of=lambda row: row, total=TOTAL, start=start, rows=list(range(start, end)))


def test_nothing_to_fetch_when_the_rows_are_held():
    assert window(0, 100).wanted(10, 40) is None
    assert window(100, 200).wanted(100, 200) is None
    assert window(0, 0).wanted(0, 0) is None


def test_next_and_previous_pages_come_from_the_keys_held():
    after = window(0, 100).wanted(80, 120)
    assert (after.start, after.key, after.limit) == (PageFrom.AFTER, 99, PAGE)
    before = window(300, 400).wanted(290, 320)
    assert (before.start, before.key, before.limit) == (PageFrom.BEFORE, 300, PAGE)


def test_far_jumps_go_to_either_end_or_to_a_position():
    assert window(0, 0).wanted(0, 20).start is PageFrom.FIRST
    last = window(0, 100).wanted(990, 1000)
    assert (last.start, last.limit) == (PageFrom.LAST, PAGE)
    jump = window(0, 100).wanted(500, 520)
    assert (jump.start, jump.offset) == (PageFrom.OFFSET, 500)


def test_a_page_joins_the_rows_held_and_wins_where_it_overlaps():
    held = window(100, 200)
    held.merge(TOTAL, 200, list(range(200, 300)), keep_near=250)
    assert (held.start, held.rows) == (100, list(range(100, 300)))
    held.merge(TOTAL, 50, [-n for n in range(50, 150)], keep_near=100)
    assert (
        held.start == 50
        and held.rows[:100] == [-n for n in range(50, 150)]
        and held.rows[100:] == list(range(150, 300))
    )
    held.merge(TOTAL, 700, list(range(700, 720)), keep_near=710)  # far away: replaces
    assert (held.start, held.rows) == (700, list(range(700, 720)))


def test_at_most_keep_rows_are_held_around_the_cursor():
    held = window(0, KEEP)
    held.merge(TOTAL, KEEP, list(range(KEEP, KEEP + PAGE)), keep_near=KEEP + 50)
    assert len(held.rows) == KEEP and held.start <= KEEP + 50 < held.end
    assert held.rows == list(range(held.start, held.end))


def test_a_list_that_got_shorter():
    held = window(0, 100)
    held.merge(60, 40, list(range(40, 60)), keep_near=50)
    assert (held.total, held.end) == (60, 60)
    assert held.reload().start is PageFrom.OFFSET and held.reload().offset == 0
