"""Showing what people typed: as plain text, never markup, with control characters gone.

Rich and Textual parse ``[...]`` in plain strings (a client named ``[/]`` crashes a
table) and pass escape sequences through to the terminal. Every user value goes
through :func:`safe_text` (or :func:`clean` for a plain string) on its way to the screen.
"""

from __future__ import annotations

import re

from rich.text import Text

# ESC sequences first (CSI, OSC, other two-character ones, and the 8-bit CSI), so that
# their parameters go with them; then any C0 or C1 control and the bidirectional
# overrides that can make text read differently from how it is stored.
_SEQUENCES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: titles, hyperlinks
    r"|\x1b[@-_]"  # other Fe escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"[\t\n\r\v\f]+")


def clean(value: object) -> str:
    """``value`` as one line of plain text without control characters."""
    text = "" if value is None else str(value)
    text = _SEQUENCES.sub("", text)
    text = _SPACES.sub(" ", text)
    return _CONTROLS.sub("", text)


def truncate(text: str, width: int | None) -> str:
    if width is None or len(text) <= width:
        return text
    return text[: max(width - 1, 0)] + "…"


def safe_text(value: object, style: str = "", *, width: int | None = None) -> Text:
    """A user's string as a ``Text`` that no markup or escape sequence can change."""
    return Text(truncate(clean(value), width), style=style, end="")
