"""Checking a CSV table a column at a time, with the row parsers of :mod:`.rows` as the judge.

A file of 100,000 payments holds a few hundred distinct amounts, dates, kinds and methods:
each distinct cell is checked once, by the very helper the row parser uses for that cell,
and the typed rows are then put together from the columns. A row with any cell that
helper refused (or that breaks a rule between cells) is handed to the row parser itself,
which gives the row's first problem in its own words; so the rows and the messages are
exactly those of parsing every row on its own, only found sooner.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from operator import itemgetter
from typing import Any

from classpay_tui.domain.statuses import PaymentKind, PaymentMethod
from classpay_tui.services.importing.rows import (
    PARSERS,
    BadRow,
    InstallmentRow,
    PaymentRow,
    amount_of,
    bundle_key_of,
    choice_of,
    date_of,
    text_of,
    whole_number_of,
)
from classpay_tui.services.importing.sources import CsvTable


class _Refused:
    """A cell its helper refused: the row goes to the row parser."""


REFUSED: Any = _Refused()

CellParser = Callable[[dict[str, str]], Any]


@dataclass(frozen=True)
class Field:
    """One value of a typed row: the columns it is read from and the row parser's helper for it."""

    columns: tuple[str, ...]
    parse: CellParser
    # Text where nearly every cell differs (a reference): a cell that is already clean text
    # of at most this length is its own value; any other goes to the helper.
    text_limit: int | None = None


def _refuse_reversals(values: dict[str, str]) -> PaymentKind:
    kind: PaymentKind = choice_of(values, "kind", PaymentKind, PaymentKind.PAYMENT)
    if kind is PaymentKind.REVERSAL:
        raise BadRow("reversals cannot be imported")  # the row parser words it
    return kind


def _required_text(key: str, limit: int) -> CellParser:
    return lambda values: text_of(values, key, limit, True) or ""


PAYMENT_FIELDS = (
    Field(("bundle_id", "bundle_ref"), bundle_key_of),
    Field(("reference",), _required_text("reference", 100), text_limit=100),
    Field(("amount",), lambda values: amount_of(values, "amount") or Decimal(0)),
    Field(("kind",), _refuse_reversals),
    Field(("installment",), lambda values: whole_number_of(values, "installment", required=False, high=120)),
    Field(("method",), lambda values: choice_of(values, "method", PaymentMethod, PaymentMethod.OTHER)),
    Field(("received_on",), lambda values: date_of(values, "received_on") or date.min),
    Field(("note",), lambda values: text_of(values, "note", 2000)),
)


def _installment_payments_without_number(columns: list[list[Any]]) -> list[int]:
    """Rows breaking the payment rule between cells: an installment payment names its installment."""
    kinds, numbers = columns[4], columns[5]  # after "where": bundle, reference, amount, kind, installment
    installment = PaymentKind.INSTALLMENT
    return [
        index
        for index, (kind, number) in enumerate(zip(kinds, numbers, strict=True))
        if number is None and kind is installment
    ]


INSTALLMENT_FIELDS = (
    Field(("bundle_id", "bundle_ref"), bundle_key_of),
    Field(("number",), lambda values: whole_number_of(values, "number", high=120) or 1),
    Field(("amount",), lambda values: amount_of(values, "amount") or Decimal(0)),
    Field(("due_date",), lambda values: date_of(values, "due_date") or date.min),
)


@dataclass(frozen=True)
class Kind:
    fields: tuple[Field, ...]
    row: Callable[..., Any]  # the typed row: (where, *values)
    # The rows that break a rule between cells (which the row parser checks), from the columns.
    break_a_rule: Callable[[list[list[Any]]], list[int]] = lambda columns: []


KINDS = {
    "payments": Kind(PAYMENT_FIELDS, PaymentRow, _installment_payments_without_number),
    "installments": Kind(INSTALLMENT_FIELDS, InstallmentRow),
}


def _column(table: CsvTable, cells_of: list[Sequence[str]] | _ColumnsTaken, field: Field) -> tuple[list[Any], bool]:
    """The field's value for every record, and whether any cell was refused; ``cells_of``:
    the table's cells column by column."""
    index = {name: position for position, name in enumerate(table.header)}  # a name given twice: the last one
    present = [(name, index[name]) for name in field.columns if name in index]
    if len(present) == 1:
        [(name, position)] = present
        cells: Sequence[Any] = cells_of[position]

        def values(cell: Any) -> dict[str, str]:
            return {name: cell.strip()}
    elif present:
        cells = list(zip(*(cells_of[position] for _, position in present), strict=True))

        def values(cell: Any) -> dict[str, str]:
            return {name: text.strip() for (name, _), text in zip(present, cell, strict=True)}
    else:
        cells = [""] * len(table.records)

        def values(cell: Any) -> dict[str, str]:
            return {}

    def checked(cell: Any) -> Any:
        try:
            return field.parse(values(cell))
        except BadRow:
            return REFUSED

    limit = field.text_limit
    if limit is not None:  # what clean_text gives a stripped, printable, short enough text: itself
        column = [
            text if (text := cell.strip()) and len(text) <= limit and text.isprintable() else checked(cell)
            for cell in cells
        ]
        return column, any(value is REFUSED for value in column)
    memo = {cell: checked(cell) for cell in set(cells)}
    return [memo[cell] for cell in cells], any(value is REFUSED for value in memo.values())


def parse_table(table: CsvTable, first_column: list[Any] | None = None) -> tuple[list[Any], list[str]]:
    """The table's typed rows, and one "where: why" line per bad row, in file order.
    ``first_column``: the first field's values, if worked out already (:func:`bundle_keys`)."""
    kind = KINDS.get(table.kind)
    parser = PARSERS[table.kind]
    if kind is None:  # checked row by row
        rows, problems = [], []
        for index in range(len(table.records)):
            where = table.where(index)
            try:
                rows.append(parser(table.values(index), where))
            except BadRow as error:
                problems.append(f"{where}: {error}")
        return rows, problems
    wheres = [f"{table.name} line {line}" for line in table.lines]  # as table.where(index)
    cells_of = list(zip(*table.records, strict=True)) if table.records else [()] * len(table.header)
    columns, suspects = [wheres], set()
    for number, field in enumerate(kind.fields):
        if number == 0 and first_column is not None:
            column, refused = first_column, any(value is REFUSED for value in first_column)
        else:
            column, refused = _column(table, cells_of, field)
        columns.append(column)
        if refused:
            suspects.update(index for index, value in enumerate(column) if value is REFUSED)
    suspects.update(kind.break_a_rule(columns))
    typed: list[Any] = list(map(kind.row, *columns))
    problems = []
    for index in sorted(suspects):  # the row parser's own verdict
        try:
            typed[index] = parser(table.values(index), wheres[index])
        except BadRow as error:
            typed[index] = None
            problems.append(f"{wheres[index]}: {error}")
    return [row for row in typed if row is not None] if problems else typed, problems


class _ColumnsTaken:
    """A table's cells column by column, as ``list(zip(*records))`` but each column taken
    from the records only when asked for (the bundle keys need one column of nine)."""

    def __init__(self, records: list[list[str]]) -> None:
        self.records = records

    def __getitem__(self, position: int) -> list[str]:
        return list(map(itemgetter(position), self.records))


def bundle_keys(table: CsvTable) -> list[Any]:
    """Each payment record's bundle key, as :func:`parse_table` would give it (REFUSED for a bad one)."""
    return _column(table, _ColumnsTaken(table.records), PAYMENT_FIELDS[0])[0]
