"""Reading import files: CSV with a header row, or JSON (a list of objects, or an object
whose keys are kinds). Every row keeps where it came from, for error messages."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import NamedTuple

from classpay_tui.domain.errors import InvalidInput

KINDS = ("clients", "writers", "bundles", "installments", "payments", "bonuses")


class SourceRow(NamedTuple):
    kind: str
    where: str  # "payments.csv line 7" / "old.json payments item 3"
    values: dict[str, str]


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


def read_source(path: Path) -> list[SourceRow]:
    if not path.is_file():
        raise InvalidInput(f"There is no file {path}.")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix == ".json":
        return _read_json(path)
    raise InvalidInput(f"{path.name}: only .csv and .json files can be imported.")


def _read_csv(path: Path) -> list[SourceRow]:
    kind = kind_of(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as stream:
            reader = csv.reader(stream)
            fieldnames = next(reader, None)
            while fieldnames == []:  # blank lines before the header, as csv.DictReader skips them
                fieldnames = next(reader, None)
            if not fieldnames:
                raise InvalidInput(f"{path.name} is empty: it needs a header row.")
            header = [name.strip().lower() for name in fieldnames]
            width = len(header)
            strip, name = str.strip, path.name
            rows = []
            for record in reader:
                if not record:  # a blank line
                    continue
                if len(record) < width:
                    record += [""] * (width - len(record))
                # zip stops at the header's width: cells beyond it are ignored
                values = dict(zip(header, map(strip, record), strict=False))
                rows.append(SourceRow(kind, f"{name} line {reader.line_num}", values))
            return rows
    except UnicodeDecodeError:
        raise InvalidInput(f"{path.name} is not UTF-8 text.") from None
    except csv.Error as error:
        raise InvalidInput(f"{path.name} is not valid CSV: {error}.") from None


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
