"""The bundle list as a line-rendered widget: it paints only the rows on screen.

A ``DataTable`` measures and stores every row it is given, so a new page of 100 rows costs
tens of milliseconds before anything shows. This widget instead knows how many bundles
the list has (``ListWindow.total``, which sizes the scroll bar), renders each visible line
from the rows the window holds, and asks its screen for the page it lacks
(:class:`BundleGrid.RowsWanted`), showing a placeholder line until the page lands. A key
repaints two lines (the cursor's old and new row) or, when the view scrolls, one screen.
"""

from __future__ import annotations

from collections.abc import Callable
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

from classpay_tui.services.list_schemas import BundleListPage, BundleListRow, PageFrom, PageRequest
from classpay_tui.tui import choices, paging
from classpay_tui.tui.paging import ListWindow
from classpay_tui.tui.widgets import bundle_columns as columns

HEADER = 1  # the header line above the rows
JUMP_WAIT = 0.05  # seconds a far move waits for its rows before showing placeholders
LAST_ROW = -1  # for ``jump_to``: the last row, wherever the list turns out to end
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

    def __init__(self, *, on_move: Callable[[], None] | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        # Called at once when the cursor moves or the rows change, so the screen's position
        # line repaints in the same frame as the rows (a message would cost a frame more).
        self.on_move = on_move
        self.window = ListWindow()
        self.cursor = 0
        self.asked: PageRequest | None = None
        self.jump_after: int | None = None  # where the cursor goes when the page asked for lands
        self._lines: dict[tuple[int, bool, int], tuple[BundleListRow, Strip]] = {}
        self._row_pieces: dict[tuple[int, int], tuple[BundleListRow, list[columns.Piece]]] = {}
        self._styles: dict[tuple[int, bool, bool], Style] = {}
        self._region: Region | None = None
        self._region_for: tuple[Size, bool] = (Size(0, 0), False)

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
        return self.render_line(y) if HEADER <= y < self._content().height else None

    @property
    def page_height(self) -> int:
        """How many rows fit under the header."""
        return max(1, self._content().height - HEADER)

    @property
    def top(self) -> int:
        return round(self.scroll_y)

    def show(self, window: ListWindow, cursor: int = 0) -> None:
        """Show a new list (or the same list read again) with the cursor on row ``cursor``."""
        self.window, self.asked, self.jump_after = window, None, None
        self._changed()
        self.move_to(cursor, keep_screen_row=True)

    def add_page(self, request: PageRequest, page: BundleListPage) -> None:
        """A page asked for with :class:`RowsWanted` has landed."""
        if request != self.asked:
            return
        self.asked = None
        under = self.current.bundle_id if self.current else None
        painted = self._on_screen()
        self.window.merge(request, page, keep_near=self.top + self.page_height // 2)
        self._changed(repaint=self._on_screen() != painted)  # a page fetched ahead repaints nothing
        if self.jump_after is not None:
            index, self.jump_after = self.jump_after, None
            self.move_to(self._row_index(index))
            return
        self.cursor = min(self.cursor, max(0, self.window.total - 1))
        if self.on_move is not None and (self.current.bundle_id if self.current else None) != under:
            self.on_move()
        self._ask()

    def _content(self) -> Region:
        """Where the rows go (the widget less its scroll bar), worked out once per size."""
        shape = (self.size, self.show_vertical_scrollbar)
        if self._region is None or self._region_for != shape:
            self._region, self._region_for = self.scrollable_content_region, shape
        return self._region

    def page_failed(self, request: PageRequest) -> None:
        """A page asked for could not be read (the screen has said why): ask again later."""
        if request == self.asked:
            self.asked = None
            self._jump_anyway()

    def _on_screen(self) -> list[int]:
        return [id(self.window.row(index)) for index in range(self.top, self.top + self.page_height)]

    def _changed(self, *, repaint: bool = True) -> None:
        size = Size(self._content().width, self.window.total + HEADER)
        if size != self.virtual_size:
            self.virtual_size = size
            repaint = True
        if repaint:
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
        if self.on_move is not None:
            self.on_move()
        # Asked for where the view is going: a scroll just after the list grew lands a refresh later.
        self._ask(top)

    def _refresh_row(self, index: int) -> None:
        y = index - self.top + HEADER
        if HEADER <= y < self._content().height:
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
        self.jump_to(0)

    def action_last(self) -> None:
        self.jump_to(LAST_ROW)

    def _row_index(self, index: int) -> int:
        return max(0, self.window.total - 1) if index == LAST_ROW else index

    def jump_to(self, index: int) -> None:
        """Move far (home, end, or :data:`LAST_ROW`): when the rows there are not held, fetch
        them first and move as they land, so the screen changes once (not placeholders, then
        rows); after :data:`JUMP_WAIT` the cursor moves anyway and the placeholders show."""
        target = min(max(0, self._row_index(index)), max(0, self.window.total - 1))
        top = min(max(0, target - self.page_height + 1 if target > self.cursor else target), self.window.total)
        if index == LAST_ROW and self.window.more:  # the list goes on past its count: ask for its end
            request: PageRequest | None = PageRequest(start=PageFrom.LAST, limit=paging.PAGE, count=True)
        else:
            request = self.window.wanted(top, top + self.page_height)
        if request is None or self.asked is not None:
            self.move_to(target)
            return
        self.asked, self.jump_after = request, index
        self.post_message(self.RowsWanted(self, request))
        self.set_timer(JUMP_WAIT, self._jump_anyway)

    def _jump_anyway(self) -> None:
        if self.jump_after is not None:
            index = self.jump_after
            if index != LAST_ROW:  # the last row may be further than counted: moved to again when it lands
                self.jump_after = None
            self.move_to(self._row_index(index))

    def action_select(self) -> None:
        if self.current is not None:
            self.post_message(self.Selected(self, self.current))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._ask()  # the mouse wheel and the scroll bar scroll without moving the cursor

    def _ask(self, top: int | None = None) -> None:
        if self.asked is not None:
            return
        top = self.top if top is None else top
        bottom = top + self.page_height
        request = self.window.wanted(top, bottom)
        if request is None:
            return
        self.asked = request
        if self.window.holds(top, bottom):
            # Only the margin is missing: fetch it once this frame is painted, or its thread
            # holds the interpreter lock while the frame with the rows waits to be painted.
            self.call_after_refresh(self._ask_ahead, request)
        else:
            self.post_message(self.RowsWanted(self, request))

    def _ask_ahead(self, request: PageRequest) -> None:
        if request is self.asked:  # not a list shown since, nor a page that landed
            self.post_message(self.RowsWanted(self, request))

    def on_resize(self, event: events.Resize) -> None:
        self._region = None
        self._changed()
        self._ask()

    def on_focus(self) -> None:
        self._forget_styles()
        self.refresh()

    def on_blur(self) -> None:
        self._forget_styles()
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y < HEADER:
            column = columns.column_at(self._content().width, offset.x)
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
        width = self._content().width
        if y < HEADER:
            return self._header(width)
        index = self.top + y - HEADER
        if index >= self.window.total:
            return Strip.blank(width, self._base_style(index, False))
        row = self.window.row(index)
        is_cursor = index == self.cursor
        if row is None:  # its page is on the way
            return self._strip(Text("  …", end=""), width, self._base_style(index, is_cursor, waiting=True))
        key = (index, is_cursor, width)
        cached = self._lines.get(key)
        if cached is not None and cached[0] is row:
            return cached[1]
        base = self._base_style(index, is_cursor)
        strip = Strip(
            [Segment(text, base + style if style else base) for text, style in self._pieces(row, width)], width
        )
        if len(self._lines) > 400:  # a few screens' worth; the rest is painted again if needed
            self._lines.clear()
        self._lines[key] = (row, strip)
        return strip

    def _pieces(self, row: BundleListRow, width: int) -> list[columns.Piece]:
        """A row's text and styles, built once while the row is held (many frames paint it)."""
        key = (id(row), width)
        cached = self._row_pieces.get(key)
        if cached is not None and cached[0] is row:
            return cached[1]
        if len(self._row_pieces) > 2000:
            self._row_pieces.clear()
        built = columns.pieces(row, width)
        self._row_pieces[key] = (row, built)
        return built

    def _base_style(self, index: int, is_cursor: bool, *, waiting: bool = False) -> Style:
        """The line's background: zebra stripes, the cursor, the waiting placeholder."""
        key = (index % 2, is_cursor, waiting)
        style = self._styles.get(key)
        if style is None:
            style = self.rich_style
            if index % 2:
                style += self.get_component_rich_style("bundle-grid--even-row")
            if is_cursor:
                style += self.get_component_rich_style("bundle-grid--cursor")
            if waiting:
                style += self.get_component_rich_style("bundle-grid--waiting")
            self._styles[key] = style
        return style

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._forget_styles()

    def _forget_styles(self) -> None:
        self._styles.clear()
        self._lines.clear()

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
