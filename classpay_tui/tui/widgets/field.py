"""A one-line input and the sentence shown under it when what was typed is refused."""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input, Static

from classpay_tui.tui.safe import safe_text


class Field(Input):
    """A compact ``Input``; the app can turn the cursor blink off (snapshot tests do)."""

    # An Input sets its virtual size (its text's width) at every keystroke, and Textual's
    # own descriptor then lays out the whole screen again, every widget rendered anew. A
    # field's size never follows its text (none is sized ``auto``, and an auto-sized Input
    # asks for a layout itself), so its text's width only needs a repaint.
    virtual_size = Reactive(Size(0, 0), repaint=True)

    def __init__(self, value: str = "", *, placeholder: str = "", id: str | None = None, **kwargs: object) -> None:
        super().__init__(value, placeholder=placeholder, id=id, compact=True, **kwargs)  # type: ignore[arg-type]

    def on_mount(self) -> None:
        self.cursor_blink = bool(getattr(self.app, "cursor_blink_enabled", True))


class FieldError(Static):
    """Hidden while there is nothing to say."""

    DEFAULT_CSS = """
    FieldError { color: $text-error; display: none; }
    FieldError.-shown { display: block; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.message = ""

    def show(self, message: str | None) -> None:
        self.message = message or ""
        self.update(safe_text(f"✗ {self.message}") if self.message else "")
        self.set_class(bool(self.message), "-shown")
