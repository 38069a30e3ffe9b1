"""A light keyed table: a title, a header and rows of Rich ``Text`` cells painted line by
line (Textual's line API), with a row cursor that stays on its key when rows change.

Made for the tables of the payment details and writer screens. A ``DataTable`` renders
every cell through Rich's console and restyles a dozen component classes per table;
three of them made opening a bundle's details cost ~300 ms. Here a row is laid out once
when it arrives and a painted line is a crop of it.

The table can stand for a list longer than the rows it holds: :meth:`KeyRows.show_window`
places the rows it has at their positions in the whole list (``start`` of ``total``),
the others paint as a dim ``…``, and :class:`KeyRows.Wanted` tells the screen which rows
the painted lines and the cursor need, so it can fetch them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

Row = tuple[str, Sequence[Text]]
PAD = 1  # blank cells on each side of a cell, as a DataTable has
MARGIN = 20  # rows beyond the painted ones that should be held too
# The component styles each kind of line is painted with, over the table's own.
KIND_PARTS = {
    "title": ("title",),
    "header": ("header",),
    "even": ("even-row",),
    "cursor": ("cursor",),
    "missing": ("missing",),
    "missing-cursor": ("missing", "cursor"),
}


class KeyRows(ScrollView, can_focus=True):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="table.down", tooltip="Move down (or ↓)"),
        Binding("k", "cursor_up", "Up", show=False, id="table.up", tooltip="Move up (or ↑)"),
        Binding("down", "cursor_down", show=False),
        Binding("up", "cursor_up", show=False),
        Binding("pagedown", "page_down", show=False),
        Binding("pageup", "page_up", show=False),
        Binding("home", "first", show=False),
        Binding("end", "last", show=False),
        Binding("enter", "select", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "key-rows--title",
        "key-rows--header",
        "key-rows--even-row",
        "key-rows--cursor",
        "key-rows--missing",
    }
    DEFAULT_CSS = """
    KeyRows {
        height: auto;
        max-height: 100%;
        background: $surface;
        color: $foreground;
        scrollbar-size-vertical: 1;
        &:focus {
            background-tint: $foreground 5%;
            & > .key-rows--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .key-rows--header {
                background-tint: $foreground 5%;
            }
        }
        & > .key-rows--title {
            background: $background;
            color: $text-accent;
            text-style: bold;
        }
        & > .key-rows--header {
            background: $panel;
            color: $foreground;
            text-style: bold;
        }
        & > .key-rows--even-row {
            background: $surface-lighten-1 50%;
        }
        &:dark > .key-rows--even-row {
            background: $surface-darken-1 40%;
        }
        & > .key-rows--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .key-rows--missing {
            color: $text-muted;
        }
    }
    """

    class Highlighted(Message):
        """The cursor is on another row (``key`` is None while that row is not held)."""

        def __init__(self, table: KeyRows, row: int, key: str | None) -> None:
            super().__init__()
            self.table, self.row, self.key = table, row, key

        @property
        def control(self) -> KeyRows:
            return self.table

    class Selected(Highlighted):
        """Enter on a row."""

    class Wanted(Message):
        """Rows ``top`` to ``bottom`` (exclusive) should be held: they are painted or near."""

        def __init__(self, table: KeyRows, top: int, bottom: int) -> None:
            super().__init__()
            self.table, self.top, self.bottom = table, top, bottom

        @property
        def control(self) -> KeyRows:
            return self.table

    def __init__(self, columns: Sequence[tuple[str, str]], *, title: Text | str = "", id: str | None = None) -> None:
        super().__init__(id=id)
        self.labels = [Text(label, end="") for _, label in columns]
        self.title = Text(title, end="") if isinstance(title, str) else title
        self.keys: list[str] = []  # of the rows held, in order
        self.cells: list[Sequence[Text]] = []
        self.total = 0  # rows in the whole list
        self.start = 0  # position of the first row held
        self.cursor_row = 0
        self.widths = [label.cell_len for label in self.labels]
        self._lines: dict[tuple[int, str], Strip] = {}
        self._styles: dict[str, Style] = {}
        self._highlighted: tuple[int, str | None] | None = None
        self._wanted: tuple[int, int] | None = None
        self._relayout_due = False  # reset() and not laid out since: its height is the old rows'

    # ---- what the screens call ------------------------------------------------------

    @property
    def current_key(self) -> str | None:
        return self.key_at(self.cursor_row)

    def key_at(self, row: int) -> str | None:
        index = row - self.start
        return self.keys[index] if 0 <= index < len(self.keys) else None

    def row_of(self, key: str | None) -> int | None:
        if key is None or key not in self.keys:
            return None
        return self.start + self.keys.index(key)

    def set_title(self, title: Text | str) -> None:
        self.title = Text(title, end="") if isinstance(title, str) else title
        self._lines.pop((-2, "title"), None)
        self.refresh(Region(0, 0, self.size.width, 1))

    def reset(self) -> None:
        """Hold nothing, with the cursor, scroll and column widths of a table just made: for
        a table kept on a screen that is refilled with other rows (another bundle's)."""
        self.keys, self.cells = [], []
        self.total = self.start = self.cursor_row = 0
        self.widths = [label.cell_len for label in self.labels]
        self._lines.clear()
        self._highlighted = self._wanted = None
        self._relayout_due = True
        self.scroll_to(0, 0, animate=False, immediate=True)

    def fill(self, rows: Sequence[Row], *, cursor_on: str | None = None) -> None:
        """Hold exactly ``rows``; the cursor goes to ``cursor_on`` (or stays on its key)."""
        self.show_window(len(rows), 0, rows, cursor_on=cursor_on)

    def show_window(self, total: int, start: int, rows: Sequence[Row], *, cursor_on: str | None = None) -> None:
        """Hold ``rows`` as positions ``start``… of a list of ``total``; the cursor goes to
        ``cursor_on``, or stays on the key it was on, or else on its position."""
        wanted = cursor_on if cursor_on is not None else self.current_key
        self.keys = [key for key, _ in rows]
        self.cells = [cells for _, cells in rows]
        self.total, self.start = total, start
        for cells in self.cells:
            for column, cell in enumerate(cells):
                if cell.cell_len > self.widths[column]:
                    self.widths[column] = cell.cell_len
        self._lines.clear()
        self.virtual_size = Size(sum(self.widths) + 2 * PAD * len(self.widths), self._fixed + total)
        found = self.row_of(wanted)
        self._wanted = None
        self._move(found if found is not None else self.cursor_row)
        self.refresh()

    def move_cursor(self, *, row: int) -> None:
        self._move(row)

    # ---- keys -------------------------------------------------------------------

    def action_cursor_down(self) -> None:
        self._move(self.cursor_row + 1)

    def action_cursor_up(self) -> None:
        self._move(self.cursor_row - 1)

    def action_page_down(self) -> None:
        self._move(self.cursor_row + max(1, self._body_height - 1))

    def action_page_up(self) -> None:
        self._move(self.cursor_row - max(1, self._body_height - 1))

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(self.total - 1)

    def action_select(self) -> None:
        if self.total:
            self.post_message(self.Selected(self, self.cursor_row, self.current_key))

    def _on_click(self, event: events.Click) -> None:
        row = round(self.scroll_y) + event.y - self._fixed
        if event.y >= self._fixed and 0 <= row < self.total:
            self._move(row)

    # ---- the cursor and what it needs ------------------------------------------------

    @property
    def _fixed(self) -> int:
        return 2 if self.title.plain else 1

    @property
    def _body_height(self) -> int:
        return max(1, self.scrollable_content_region.height - self._fixed)

    def _move(self, row: int) -> None:
        previous = self.cursor_row
        self.cursor_row = max(0, min(row, self.total - 1))
        if previous != self.cursor_row:
            for line in (previous, self.cursor_row):
                self._lines.pop((line, "cursor"), None)
                self._lines.pop((line, "missing-cursor"), None)
                self.refresh_line(self._fixed + line)
        self._scroll_to_cursor()
        key = self.current_key
        if self.total and self._highlighted != (self.cursor_row, key):
            self._highlighted = (self.cursor_row, key)
            self.post_message(self.Highlighted(self, self.cursor_row, key))
        self._check_held()

    def _scroll_to_cursor(self, *, again: bool = True) -> None:
        if not self.size.height or self._relayout_due:
            # Not laid out yet, or not since reset(): its height is not the one these rows
            # get. Once more after the next refresh, which lays it out.
            if again:
                self.call_after_refresh(self._scroll_once_laid_out)
            return
        top, height = round(self.scroll_y), self._body_height
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False)
        elif self.cursor_row >= top + height:
            self.scroll_to(y=self.cursor_row - height + 1, animate=False)
        parent = self.parent
        if self.has_focus and isinstance(parent, Widget) and parent.is_scrollable and parent.allow_vertical_scroll:
            # Inside a scrolling page: the cursor's line (and the header, on the first row) in view.
            line = self._fixed + self.cursor_row - round(self.scroll_y)
            near = 0 if self.cursor_row == 0 else line
            region = self.virtual_region
            parent.scroll_to_region(
                Region(region.x, region.y + near, region.width, line - near + 1), animate=False, immediate=True
            )

    def _scroll_once_laid_out(self) -> None:
        self._relayout_due = False
        self._scroll_to_cursor(again=False)

    def _check_held(self) -> None:
        """Post :class:`Wanted` when painted rows (or the cursor's) are not held."""
        top = round(self.scroll_y)
        low = max(0, min(top, self.cursor_row) - MARGIN)
        high = min(self.total, max(top + self._body_height, self.cursor_row + 1) + MARGIN)
        held = self.start <= low and high <= self.start + len(self.keys)
        if not held and self._wanted != (low, high):
            self._wanted = (low, high)
            self.post_message(self.Wanted(self, low, high))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._check_held()

    # ---- painting ------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()
        self._styles.clear()

    def _on_resize(self, event: events.Resize) -> None:
        self._check_held()

    def _row_strip(self, cells: Sequence[Text], style: Style) -> Strip:
        line = Text(end="")
        for cell, width in zip(cells, self.widths, strict=False):
            room = width - cell.cell_len
            left = room if cell.justify == "right" else room // 2 if cell.justify == "center" else 0
            line.append(" " * (PAD + left))
            line.append_text(cell)
            line.append(" " * (PAD + room - left))
        return Strip(Segment.apply_style(line.render(self.app.console), style), line.cell_len)

    def _line(self, y: int) -> Strip:
        """Line ``y`` of the whole table (title, header, then every row), before cropping."""
        fixed = self._fixed
        if y < fixed - 1:
            kind, row = "title", -2
        elif y < fixed:
            kind, row = "header", -1
        else:
            row = y - fixed
            index = row - self.start
            at_cursor = row == self.cursor_row
            if not 0 <= index < len(self.keys):
                kind = "missing-cursor" if at_cursor else "missing"
            else:
                kind = "cursor" if at_cursor else "odd" if row % 2 else "even"
        cached = self._lines.get((row, kind))
        if cached is not None:
            return cached
        if kind == "title":
            style = self._style("title")
            strip = Strip(Segment.apply_style(self.title.render(self.app.console), style), self.title.cell_len)
        elif kind == "header":
            strip = self._row_strip(self.labels, self._style("header"))
        elif kind.startswith("missing"):  # not fetched yet
            style = self._style(kind)
            strip = Strip([Segment(" " * PAD + "…", style)], PAD + 1)
        else:
            style = self._style(kind)
            strip = self._row_strip(self.cells[index], style)
            if kind == "cursor":  # the cursor's colour wins over the cells' own
                strip = Strip(Segment.apply_style(strip, post_style=Style(color=style.color)), strip.cell_length)
        self._lines[(row, kind)] = strip
        return strip

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        fixed = self._fixed
        scroll_x, scroll_y = round(self.scroll_x), round(self.scroll_y)
        line = y if y < fixed else y + scroll_y
        if line >= fixed + self.total:
            return Strip.blank(width, self._style("odd"))
        strip = self._line(line)
        if line == fixed - 2:  # the title does not scroll sideways
            return strip.crop_extend(0, width, self._style("title"))
        return strip.crop_extend(scroll_x, scroll_x + width, self._fill_style(line))

    def _fill_style(self, line: int) -> Style:
        """The style of the blank cells after a line's last column."""
        fixed = self._fixed
        if line == fixed - 1:
            return self._style("header")
        row = line - fixed
        if row == self.cursor_row:
            return self._style("cursor")
        if row % 2 == 0 and 0 <= row - self.start < len(self.keys):
            return self._style("even")
        return self._style("odd")

    def _style(self, kind: str) -> Style:
        """The style of a kind of line, over the table's own (kept until the styles change)."""
        style = self._styles.get(kind)
        if style is None:
            style = self.rich_style
            for part in KIND_PARTS.get(kind, ()):
                style += self.get_component_rich_style(f"key-rows--{part}")
            self._styles[kind] = style
        return style
