"""The one sentence people see when a call to the service fails (no Textual here: the
start-up reader process uses it too)."""

from __future__ import annotations

from classpay_tui.domain.errors import ClasspayError


def describe_failure(error: BaseException) -> str:
    if isinstance(error, ClasspayError):
        return str(error)
    first = (str(getattr(error, "orig", None) or error).strip().splitlines() or [type(error).__name__])[0]
    return f"The database could not be used: {first.rstrip('.')}."
