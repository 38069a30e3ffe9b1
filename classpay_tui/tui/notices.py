"""Toasts after a change, as plain text: a message can hold a client's name."""

from __future__ import annotations

from textual.dom import DOMNode

from classpay_tui.tui.safe import clean


def toast(node: DOMNode, message: str, *, title: str = "", error: bool = False) -> None:
    node.app.notify(
        clean(message),
        title=clean(title),
        severity="error" if error else "information",
        timeout=8 if error else 5,
        markup=False,
    )
