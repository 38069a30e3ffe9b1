"""Cleaning what people type before it is stored: trimmed, length-checked, no control characters."""

from __future__ import annotations

import unicodedata

from classpay_tui.domain.errors import InvalidInput


def strip_control(text: str) -> str:
    """Drop C0/C1 control characters (ESC sequences included); keep ordinary spaces."""
    if text.isprintable():  # nothing of category C in it (the usual case, and much faster)
        return text
    return "".join(ch for ch in text if ch == " " or unicodedata.category(ch)[0] != "C")


def clean_text(value: str | None, what: str, *, max_length: int, required: bool = True) -> str | None:
    cleaned = strip_control(value or "").strip()
    if not cleaned:
        if required:
            raise InvalidInput(f"{what} is empty.")
        return None
    if len(cleaned) > max_length:
        raise InvalidInput(f"{what} is {len(cleaned)} characters long; the limit is {max_length}.")
    return cleaned
