"""The second Enter: what is about to happen, said plainly, before anything is written."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from classpay_tui.tui.safe import safe_text


class ConfirmModal(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "confirm", "Confirm", priority=True, id="confirm.yes"),
        Binding("escape", "back", "Back", id="confirm.back"),
    ]

    def __init__(self, title: str, lines: list[object], *, confirm: str = "Enter confirms") -> None:
        super().__init__()
        self.heading = title
        self.lines = lines
        self.confirm_hint = confirm
        self.answered = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog confirm"):
            yield Static(safe_text(self.heading), classes="title")
            for line in self.lines:
                yield Static(line if not isinstance(line, str) else safe_text(line), classes="line")
            yield Static(f"{self.confirm_hint} · Esc goes back", classes="hint")

    def action_confirm(self) -> None:
        self._answer(True)

    def action_back(self) -> None:
        self._answer(False)

    def _answer(self, value: bool) -> None:
        if not self.answered:  # a second key press before the screen closes changes nothing
            self.answered = True
            self.dismiss(value)
