"""``?``: the keys of the screen underneath, from its live bindings, so it is never stale."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

GUIDE = (
    "Everything works from the keyboard. In a list: ↑/↓ or j/k move, PgUp/PgDn page, ←/→ scroll a wide "
    "table, Tab goes to the next table, Enter opens, Esc goes back. "
    "To take a payment: / and a few letters of the client's name, Enter, p, Enter to review, "
    "Enter to record (Esc cancels and writes nothing). Capital letters are admin actions and always ask "
    "first. ctrl+p finds any action by name."
)


def key_lines(screen: Screen[object]) -> list[tuple[str, str, str, bool]]:
    """(key, name, what it does, enabled) for each of our bindings active on ``screen``."""
    seen: set[str] = set()
    lines = []
    for active in screen.active_bindings.values():
        binding = active.binding
        if binding.id is None or not binding.description or binding.action in seen:
            continue  # only ours carry an id; Textual's cursor keys are in GUIDE
        seen.add(binding.action)
        key = screen.app.get_key_display(binding)
        lines.append((key, binding.description, binding.tooltip, active.enabled))
    return lines


class HelpModal(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="help.close"),
        Binding("question_mark", "close", "Close", show=False, id="help.close2"),
    ]

    def __init__(self, title: str, lines: list[tuple[str, str, str, bool]]) -> None:
        super().__init__()
        self.heading = title
        self.lines = lines

    def compose(self) -> ComposeResult:
        keys = Text(end="")
        for key, name, what, enabled in self.lines:
            keys.append(f"{key:>5}  ", style="bold" if enabled else "dim")
            keys.append(f"{name:<10} ", style="" if enabled else "dim")
            keys.append(what, style="dim")
            if not enabled:
                keys.append("  (not for your role)", style="dim italic")
            keys.append("\n")
        with VerticalScroll(classes="dialog help"):
            yield Static(f"Keys — {self.heading}", classes="title")
            yield Static(keys.rstrip() or keys, classes="keys")
            yield Static(GUIDE, classes="guide")
            yield Static("Esc closes", classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)
