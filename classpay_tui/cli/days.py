"""Dates typed on the command line, refused in one sentence like every other bad input."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import click

from classpay_tui.domain.errors import InvalidInput

_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def parse_day(_ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    """A click callback: ``YYYY-MM-DD`` (2024-02-29 is a day, 2023-02-29 is not)."""
    if value is None:
        return None
    text = value.strip()
    try:
        if not _DAY.match(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        name = param.opts[0] if param.opts else param.name
        raise InvalidInput(f"{name} {value!r} is not a date; write it as YYYY-MM-DD, e.g. 2024-02-29.") from None


def day_option(name: str, help_text: str, dest: str | None = None) -> Callable[[Any], Any]:
    names = [name, dest] if dest else [name]
    return click.option(*names, callback=parse_day, metavar="YYYY-MM-DD", help=help_text)
