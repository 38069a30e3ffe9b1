"""The bundle list as a line-rendered widget: it paints only the rows on screen.

A ``DataTable`` measures and stores every row it is given, so a new page of 100 rows costs
tens of milliseconds before anything shows. This widget instead knows how many bundles
the list has (``ListWindow.total``, which sizes the scroll bar), renders each visible line
from the rows the window holds, and asks its screen for the page it lacks
(:class:`BundleGrid.RowsWanted`), showing a placeholder line until the page lands. A key
repaints two lines (the cursor's old and new row) or, when the view scrolls, one screen.
"""

from __future__ import annotations

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

from classpay_tui.services.list_schemas import BundleListPage, BundleListRow, PageRequest
from classpay_tui.tui import choices
from classpay_tui.tui.paging import ListWindow
from classpay_tui.tui.widgets import bundle_columns as columns

HEADER = 1  # the header line above the rows
ORDER_COLUMNS = {order: column for column, order in choices.COLUMN_ORDERS.items()}


class BundleGrid(ScrollView, can_focus=True):
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "bundle-grid--header",
        "bundle-grid--cursor",
        "bundle-grid--even-row",
        "bundle-grid--waiting",
    }
    DEFAULT_CSS = """
    BundleGrid {
        background: $surface;
        color: $foreground;
        height: 1fr;
        overflow-x: hidden;
        & > .bundle-grid--header { text-style: bold; background: $panel; color: $foreground; }
        & > .bundle-grid--even-row { background: $surface-lighten-1 50%; }
        & > .bundle-grid--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .bundle-grid--waiting { color: $text-muted; }
        &:focus {
            background-tint: $foreground 5%;
            & > .bundle-grid--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
        &:dark > .bundle-grid--even-row { background: $surface-darken-1 40%; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "Down", show=False, id="bundles.down", tooltip="Move down (or j)"),
        Binding("up,k", "cursor_up", "Up", show=False, id="bundles.up", tooltip="Move up (or k)"),
        Binding("pagedown", "page_down", "Page down", show=False, id="bundles.page_down", tooltip="One screen on"),
        Binding("pageup", "page_up", "Page up", show=False, id="bundles.page_up", tooltip="One screen back"),
        Binding("home", "first", "First", show=False, id="bundles.first", tooltip="The first bundle of the list"),
        Binding("end", "last", "Last", show=False, id="bundles.last", tooltip="The last bundle of the list"),
        Binding("enter", "select", "Open", id="bundles.select", tooltip="Open the bundle's payment details"),
    ]

    class Highlighted(Message):
        """The cursor moved (or the row under it changed)."""

        def __init__(self, grid: BundleGrid, row: BundleListRow | None) -> None:
            super().__init__()
            self.grid, self.row = grid, row

    class Selected(Message):
        def __init__(self, grid: BundleGrid, row: BundleListRow) -> None:
            super().__init__()
            self.grid, self.row = grid, row

    class RowsWanted(Message):
        """The rows to paint are not all held: fetch this page and :meth:`add_page` it."""

        def __init__(self, grid: BundleGrid, request: PageRequest) -> None:
            super().__init__()
            self.grid, self.request = grid, request

    class HeaderClicked(Message):
        def __init__(self, grid: BundleGrid, column: str) -> None:
            super().__init__()
            self.grid, self.column = grid, column

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.window = ListWindow()
        self.cursor = 0
        self.asked: PageRequest | None = None
        self._lines: dict[tuple[int, bool, int], Strip] = {}

    # ---- what it shows -------------------------------------------------------------

    @property
    def current(self) -> BundleListRow | None:
        return self.window.row(self.cursor)

    @property
    def rows_on_screen(self) -> list[BundleListRow]:
        """The rows painted now, top to bottom (those whose page has landed)."""
        found = (self.window.row(index) for index in range(self.top, self.top + self.page_height))
        return [row for row in found if row is not None]

    def screen_line(self, index: int) -> Strip | None:
        """How row ``index`` is painted, if it is on screen."""
        y = index - self.top + HEADER
        return self.render_line(y) if HEADER <= y < self.scrollable_content_region.height else None

    @property
    def page_height(self) -> int:
        """How many rows fit under the header."""
        return max(1, self.scrollable_content_region.height - HEADER)

    @property
    def top(self) -> int:
        return round(self.scroll_y)

    def show(self, window: ListWindow, cursor: int = 0) -> None:
        """Show a new list (or the same list read again) with the cursor on row ``cursor``."""
        self.window, self.asked = window, None
        self._changed()
        self.move_to(cursor, keep_screen_row=True)

    def add_page(self, request: PageRequest, page: BundleListPage) -> None:
        """A page asked for with :class:`RowsWanted` has landed."""
        if request != self.asked:
            return
        self.asked = None
        under = self.current.bundle_id if self.current else None
        self.window.merge(request, page, keep_near=self.top + self.page_height // 2)
        self._changed()
        self.cursor = min(self.cursor, max(0, self.window.total - 1))
        if self.current is not None and self.current.bundle_id != under:
            self.post_message(self.Highlighted(self, self.current))
        self._ask()

    def _changed(self) -> None:
        self._lines.clear()
        self.virtual_size = Size(self.scrollable_content_region.width, self.window.total + HEADER)
        self.refresh()

    # ---- moving ----------------------------------------------------------------------

    def move_to(self, index: int, *, keep_screen_row: bool = False) -> None:
        """Put the cursor on row ``index`` (clamped), scrolling only as far as needed;
        ``keep_screen_row`` keeps it at the same height on screen (a reload does not jump)."""
        last = max(0, self.window.total - 1)
        index = min(max(0, index), last)
        old, screen_row = self.cursor, self.cursor - self.top
        self.cursor = index
        if keep_screen_row:
            top = index - min(max(screen_row, 0), self.page_height - 1)
        elif index < self.top:
            top = index
        elif index >= self.top + self.page_height:
            top = index - self.page_height + 1
        else:
            top = self.top
        top = min(max(0, top), max(0, self.window.total - self.page_height))
        if top != self.top:
            self.scroll_to(y=top, animate=False, immediate=True)
            self.refresh()
        else:
            self._refresh_row(old)
            self._refresh_row(index)
        self.post_message(self.Highlighted(self, self.current))
        self._ask()

    def _refresh_row(self, index: int) -> None:
        y = index - self.top + HEADER
        if HEADER <= y < self.scrollable_content_region.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_page_down(self) -> None:
        self.move_to(self.cursor + self.page_height, keep_screen_row=True)

    def action_page_up(self) -> None:
        self.move_to(self.cursor - self.page_height, keep_screen_row=True)

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(self.window.total - 1)

    def action_select(self) -> None:
        if self.current is not None:
            self.post_message(self.Selected(self, self.current))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._ask()  # the mouse wheel and the scroll bar scroll without moving the cursor

    def _ask(self) -> None:
        if self.asked is not None:
            return
        request = self.window.wanted(self.top, self.top + self.page_height)
        if request is not None:
            self.asked = request
            self.post_message(self.RowsWanted(self, request))

    def on_resize(self, event: events.Resize) -> None:
        self._changed()
        self._ask()

    def on_focus(self) -> None:
        self._lines.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._lines.clear()
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y < HEADER:
            column = columns.column_at(self.scrollable_content_region.width, offset.x)
            if column is not None:
                self.post_message(self.HeaderClicked(self, column))
            return
        index = self.top + offset.y - HEADER
        if index == self.cursor and self.current is not None:
            self.post_message(self.Selected(self, self.current))
        elif index < self.window.total:
            self.move_to(index)

    # ---- painting --------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y < HEADER:
            return self._header(width)
        index = self.top + y - HEADER
        if index >= self.window.total:
            return Strip.blank(width, self.rich_style)
        is_cursor = index == self.cursor
        key = (index, is_cursor, width)
        strip = self._lines.get(key)
        if strip is None:
            strip = self._lines[key] = self._row_line(index, is_cursor, width)
            if len(self._lines) > 400:  # a few screens' worth; the rest is painted again if needed
                self._lines.clear()
        return strip

    def _row_line(self, index: int, is_cursor: bool, width: int) -> Strip:
        row = self.window.row(index)
        base = self.rich_style
        if index % 2:
            base += self.get_component_rich_style("bundle-grid--even-row")
        if is_cursor:
            base += self.get_component_rich_style("bundle-grid--cursor")
        if row is None:  # its page is on the way
            text = Text("  …", style=self.get_component_rich_style("bundle-grid--waiting"), end="")
        else:
            text = columns.line(row, width)
        return self._strip(text, width, base)

    def _header(self, width: int) -> Strip:
        order = self.window.query.order
        column = ORDER_COLUMNS.get(order) or ORDER_COLUMNS.get(choices.reverse(order))
        descending = order.startswith("-")
        text = columns.header(width, column, descending)
        return self._strip(text, width, self.rich_style + self.get_component_rich_style("bundle-grid--header"))

    def _strip(self, text: Text, width: int, base: Style) -> Strip:
        segments = [
            Segment(segment.text, base + segment.style if segment.style else base)
            for segment in text.render(self.app.console)
        ]
        return Strip(segments).adjust_cell_length(width, base)
