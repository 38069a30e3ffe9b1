"""The line at the top: the screen's title and who is signed in to which database, as
Textual's ``Header`` shows them, painted by one widget.

``Header`` is four widgets (icon, title, clock space and itself), each styled when a
screen is mounted and again each time it is shown; on a screen that should open within
a frame of Enter that is a sixth of the budget. The icon still opens the command palette.
"""

from __future__ import annotations

from textual import events
from textual.content import Content
from textual.widget import Widget

ICON = "⭘"
ICON_WIDTH = 8  # as Header's icon
RIGHT_WIDTH = 10  # as Header's clock space, so the title sits where Header puts it


class TitleBar(Widget):
    DEFAULT_CSS = """
    TitleBar {
        dock: top;
        width: 100%;
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """

    def on_mount(self) -> None:
        for node in (self.app, self.screen):
            self.watch(node, "title", self._retitled, init=False)
            self.watch(node, "sub_title", self._retitled, init=False)

    def _retitled(self) -> None:
        self.refresh()

    def render(self) -> Content:
        screen, app = self.screen, self.app
        title = screen.title if screen.title is not None else app.title
        sub_title = screen.sub_title if screen.sub_title is not None else app.sub_title
        room = max(0, self.size.width - ICON_WIDTH - RIGHT_WIDTH)
        shown = app.format_title(title, sub_title).truncate(room, ellipsis=True)
        left = (room - shown.cell_length) // 2
        return Content.assemble(f" {ICON}".ljust(ICON_WIDTH), " " * left, shown)

    async def on_click(self, event: events.Click) -> None:
        if event.x < ICON_WIDTH and self.app.ENABLE_COMMAND_PALETTE:
            event.stop()
            await self.run_action("app.command_palette")
