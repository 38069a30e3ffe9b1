"""Reading import files: CSV with a header row, or JSON (a list of objects, or an object
whose keys are kinds). Every row keeps where it came from, for error messages.

A CSV file is read as a table (its header and its records, each record as wide as the
header), so its rows can be checked a column at a time (:mod:`.columns`); a JSON file
gives one :class:`SourceRow` per object."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple, overload

from classpay_tui.domain.errors import InvalidInput

KINDS = ("clients", "writers", "bundles", "installments", "payments", "bonuses")


class SourceRow(NamedTuple):
    kind: str
    where: str  # "payments.csv line 7" / "old.json payments item 3"
    values: dict[str, str]


class CsvTable(NamedTuple):
    kind: str
    name: str  # the file's name, for "payments.csv line 7"
    header: list[str]  # stripped and lower-cased
    records: Sequence[list[str]]  # the cells as written (not stripped), each record as wide as the header
    lines: list[int]  # the line each record ends on

    def where(self, index: int) -> str:
        return f"{self.name} line {self.lines[index]}"

    def values(self, index: int) -> dict[str, str]:
        """Record ``index`` by column name, every cell stripped (a name given twice: the last one)."""
        return dict(zip(self.header, map(str.strip, self.records[index]), strict=True))

    def part(self, start: int, stop: int) -> CsvTable:
        """Records ``start`` to ``stop`` (not included)."""
        return self._replace(records=self.records[start:stop], lines=self.lines[start:stop])

    def source_rows(self) -> list[SourceRow]:
        return [SourceRow(self.kind, self.where(index), self.values(index)) for index in range(len(self.records))]


def kind_of(path: Path) -> str:
    stem = path.stem.lower()
    for kind in KINDS:
        if stem == kind or stem.endswith(("_" + kind, "-" + kind, "." + kind)):
            return kind
    raise InvalidInput(
        f"{path.name}: cannot tell what it holds; name it after one of {', '.join(KINDS)} (e.g. payments.csv)."
    )


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def read_source(path: Path) -> CsvTable | list[SourceRow]:
    if not path.is_file():
        raise InvalidInput(f"There is no file {path}.")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path)
    if suffix == ".json":
        return _read_json(path)
    raise InvalidInput(f"{path.name}: only .csv and .json files can be imported.")


def read_csv(path: Path) -> CsvTable:
    kind = kind_of(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as stream:
            text = stream.read()
    except UnicodeDecodeError:
        raise InvalidInput(f"{path.name} is not UTF-8 text.") from None
    lines = _plain_lines(text)
    try:
        found = _split_plain(lines) if lines is not None else _split_csv(text)
    except csv.Error as error:
        raise InvalidInput(f"{path.name} is not valid CSV: {error}.") from None
    if found is None:
        raise InvalidInput(f"{path.name} is empty: it needs a header row.")
    fieldnames, records, numbers = found
    header = [name.strip().lower() for name in fieldnames]
    width = len(header)
    if isinstance(records, SplitLines):
        return CsvTable(kind, path.name, header, records.padded_to(width), numbers)
    return CsvTable(kind, path.name, header, _padded(records, width), numbers)


def _padded(records: list[list[str]], width: int) -> list[list[str]]:
    """Short records padded with empty cells; cells beyond the header are ignored."""
    if set(map(len, records)) - {width}:
        for index, record in enumerate(records):
            if len(record) != width:
                records[index] = (record + [""] * (width - len(record)))[:width]
    return records


class SplitLines(Sequence[list[str]]):
    """The records of a CSV file without quotes, each line split into cells only when
    asked for (and padded or cut to ``width``, if given): the first part of a big file is
    checked, and its lookups sent, before the rest is split (~60 ms for 100,000 lines).
    Once iterated whole, the split records are kept."""

    def __init__(self, lines: list[str], width: int | None = None) -> None:
        self._lines, self._width = lines, width
        self._split: list[list[str]] | None = None

    def padded_to(self, width: int) -> SplitLines:
        return SplitLines(self._lines, width)

    def _cells(self, lines: list[str]) -> list[list[str]]:
        records = [line.split(",") for line in lines]
        return records if self._width is None else _padded(records, self._width)

    def whole(self) -> list[list[str]]:
        if self._split is None:
            self._split = self._cells(self._lines)
        return self._split

    def __len__(self) -> int:
        return len(self._lines)

    @overload
    def __getitem__(self, index: int) -> list[str]: ...
    @overload
    def __getitem__(self, index: slice) -> list[list[str]]: ...
    def __getitem__(self, index: int | slice) -> list[str] | list[list[str]]:
        if self._split is not None:
            return self._split[index]
        if isinstance(index, slice):
            return self._cells(self._lines[index])
        return self._cells([self._lines[index]])[0]

    def __iter__(self) -> Iterator[list[str]]:
        return iter(self.whole())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and self.whole() == list(other)

    __hash__ = None  # type: ignore[assignment]


# The csv module's limit on one cell (``csv.field_size_limit()``'s default): longer lines are
# left to the module, so that its error is the same whichever way the file is read.
_FIELD_LIMIT = 131072

Split = tuple[list[str], Sequence[list[str]], list[int]] | None  # header, records, their line numbers


def _plain_lines(text: str) -> list[str] | None:
    """The lines of a file without a quote character, for plain splitting: there every
    comma separates cells and every line break ends a record, exactly as the csv module
    reads it. None: the file has quotes (or very long lines), and is left to the module."""
    if '"' in text:
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if max(map(len, lines)) > _FIELD_LIMIT:
        return None
    return lines


def _split_plain(lines: list[str]) -> Split:
    if lines and lines[0] and "" not in lines[1:-1]:  # no blank line but maybe the last: numbered as they are
        body = lines[1:] if lines[-1] else lines[1:-1]
        return lines[0].split(","), SplitLines(body), list(range(2, len(body) + 2))
    numbered = [(number, line) for number, line in enumerate(lines, 1) if line]  # blank lines are skipped
    if not numbered:
        return None
    (_, head), rest = numbered[0], numbered[1:]
    return head.split(","), [line.split(",") for _, line in rest], [number for number, _ in rest]


def _split_csv(text: str) -> Split:
    reader = csv.reader(io.StringIO(text, newline=""))  # lines end as in a file opened with newline=""
    fieldnames = next(reader, None)
    while fieldnames == []:  # blank lines before the header, as csv.DictReader skips them
        fieldnames = next(reader, None)
    if not fieldnames:
        return None
    records, numbers = [], []
    for record in reader:
        if record:  # not a blank line
            records.append(record)
            numbers.append(reader.line_num)
    return fieldnames, records, numbers


def _read_json(path: Path) -> list[SourceRow]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInput(f"{path.name} is not valid JSON: {error}.") from None
    groups = {kind_of(path): data} if isinstance(data, list) else data
    if not isinstance(groups, dict):
        raise InvalidInput(f"{path.name} must hold a list of objects, or an object of lists keyed by kind.")
    rows = []
    for kind, items in groups.items():
        if kind not in KINDS or not isinstance(items, list):
            raise InvalidInput(f"{path.name}: {kind!r} is not one of {', '.join(KINDS)} with a list of objects.")
        for index, item in enumerate(items, 1):
            where = f"{path.name} {kind} item {index}"
            if not isinstance(item, dict):
                rows.append(SourceRow(kind, where, {"__error__": "is not an object"}))
                continue
            rows.append(SourceRow(kind, where, {str(k).lower(): _text(v) for k, v in item.items()}))
    return rows
