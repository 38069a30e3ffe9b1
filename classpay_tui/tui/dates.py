"""A day typed as YYYY-MM-DD, refused with a sentence that says how to type it."""

from __future__ import annotations

from datetime import date

from classpay_tui.domain.errors import InvalidInput
from classpay_tui.tui.safe import clean


def parse_date(text: str, what: str = "The date") -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{what} {clean(text).strip()!r} is not a date; type it as YYYY-MM-DD.") from None
