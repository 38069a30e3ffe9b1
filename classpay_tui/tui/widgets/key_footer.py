"""The keys of the screen in one line at the bottom, as Textual's compact ``Footer`` shows
them, painted by one widget.

Textual's ``Footer`` is a widget per key, styled one by one, and it composes them anew
each time the screen's bindings may have changed (a focus change, a screen pushed on top
of it): ~50 ms a time here, which alone is the whole budget for opening a screen. This
one paints the same line from ``screen.active_bindings`` and only repaints when they
change. A click on a key presses it.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget


class KeyFooter(Widget):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-footer--key", "key-footer--description", "key-footer--separator"}
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
        & > .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-footer--separator {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._spans: list[tuple[int, int, str]] = []  # (first cell, end, key) of each key shown
        self._shown: object = None  # what the line was painted from
        self._strip: Strip | None = None  # the line, kept until the keys, width or styles change

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        # Told often (every focus change) and mostly nothing changed: repaint only when the
        # line would change, so no frame is spent on it.
        if self._keys() != self._shown:
            self._strip = None
            self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strip = None

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if self._strip is None or self._strip.cell_length != width:
            line, base = self._line(), self.rich_style
            self._strip = Strip(Segment.apply_style(line.render(self.app.console), base), line.cell_len).crop_extend(
                0, width, base
            )
        return self._strip

    def _keys(self) -> tuple[list[tuple[str, str, str, bool]], tuple[str, str, str, bool] | None]:
        """(key, shown as, description, enabled) of each key to show; and the palette's."""
        app = self.app
        shown, seen = [], set()
        palette = None
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if binding.key == app.COMMAND_PALETTE_BINDING and app.ENABLE_COMMAND_PALETTE:
                palette = (binding.key, app.get_key_display(binding), binding.description, active.enabled)
            elif binding.show and binding.action not in seen:
                seen.add(binding.action)
                shown.append((binding.key, app.get_key_display(binding), binding.description, active.enabled))
        return shown, palette

    def _line(self) -> Text:
        key_style = self.get_component_rich_style("key-footer--key", partial=True)
        description_style = self.get_component_rich_style("key-footer--description", partial=True)
        self._shown = keys = self._keys()
        shown, palette = keys
        line = Text(no_wrap=True, overflow="crop", end="")
        self._spans = []
        for key, display, description, enabled in shown:
            begin = line.cell_len
            line.append(display, key_style)
            if description:
                line.append(" " + description, description_style)
            if not enabled:
                line.stylize("dim", begin)
            self._spans.append((begin, line.cell_len, key))
            line.append(" ")
        if palette is not None:
            key, display, description, enabled = palette
            right = Text(end="")
            right.append("▏", self.get_component_rich_style("key-footer--separator", partial=True))
            right.append(display, key_style)
            right.append(" " + description, description_style)
            begin = max(line.cell_len, self.size.width - right.cell_len)
            line.pad_right(begin - line.cell_len)
            line.append_text(right)
            self._spans.append((begin + 1, line.cell_len, key))
        return line

    def on_click(self, event: events.Click) -> None:
        for begin, end, key in self._spans:
            if begin <= event.x < end:
                self.app.simulate_key(key)
                return
