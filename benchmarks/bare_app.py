"""The floor for app start: a bare Textual app showing one line of text, started the
same way as ``classpay`` (its own process, in a terminal); quits on ctrl+q."""

from textual.app import App, ComposeResult
from textual.widgets import Static

SHOWN = "bare Textual app ready"


class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield Static(SHOWN)


if __name__ == "__main__":
    Bare().run()
