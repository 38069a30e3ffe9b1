"""A one-line status that repaints without a layout pass (it changes on every cursor move)."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class StatusLine(Widget):
    DEFAULT_CSS = """
    StatusLine { height: 1; }
    """
    text: reactive[Text] = reactive(Text(""), layout=False)

    def render(self) -> Text:
        return self.text
