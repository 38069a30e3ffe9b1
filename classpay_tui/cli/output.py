"""Printing results: JSON for scripts, short aligned text for people, errors to stderr."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import click
from pydantic import BaseModel

from classpay_tui.services.text import strip_control


def emit_json(value: BaseModel | Sequence[BaseModel] | dict | list) -> None:
    if isinstance(value, BaseModel):
        data: object = value.model_dump(mode="json")
    elif isinstance(value, list | tuple):
        data = [item.model_dump(mode="json") if isinstance(item, BaseModel) else item for item in value]
    else:
        data = value
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def emit_id(value: int) -> None:
    click.echo(str(value))


def tell(message: str) -> None:
    """A note for the person at the terminal, on stderr so stdout stays machine-readable."""
    click.echo(message, err=True)


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], right: set[int] | None = None) -> None:
    right = right or set()
    text_rows = [[strip_control(str(cell)) if cell is not None else "" for cell in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in text_rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.rjust(width) if index in right else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    click.echo(line(list(headers)))
    for row in text_rows:
        click.echo(line(row))
