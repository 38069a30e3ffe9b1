"""The files of one import: all read at once (a file that cannot be read stops the import
before anything is looked up), their rows checked as the importer takes them.

The importer takes the payments in parts (:meth:`ImportFiles.chunks`), so that the rows
of a big file are checked while the part before them is being written; every other kind
is taken whole. Whatever the order rows are taken in, :attr:`ImportFiles.problems` lists
the bad rows file after file, each file's in line order."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from classpay_tui.services.importing.columns import REFUSED, bundle_keys, parse_table
from classpay_tui.services.importing.rows import parse_rows
from classpay_tui.services.importing.sources import CsvTable, read_source

CHUNK = 8192  # rows of a CSV table checked (and handed on) together


class _Part(NamedTuple):
    """Rows of one kind from one file: a CSV table still to check, or a JSON file's rows."""

    kind: str
    table: CsvTable | None
    rows: list[Any]
    problems: list[str]  # the file's
    keys: list[list[Any]]  # a payments table's bundle keys, once worked out (:meth:`ImportFiles.last_parts`)


class ImportFiles:
    """The files' rows by kind, each kind taken once (its bad rows are noted as it is taken)."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self.names = [path.name for path in paths]
        self._taken: set[str] = set()
        self._problems: list[list[str]] = []  # file by file
        self._parts: list[_Part] = []  # file order
        for path in paths:
            source = read_source(path)
            found: list[str] = []
            self._problems.append(found)
            if isinstance(source, CsvTable):
                self._parts.append(_Part(source.kind, source, [], found, []))
                continue
            by_kind, problems = parse_rows(source)  # a JSON file may hold every kind: checked whole, now
            found += problems
            self._parts += [_Part(kind, None, rows, found, []) for kind, rows in by_kind.items() if rows]

    @property
    def problems(self) -> list[str]:
        """One "where: why" line per bad row found so far, file after file."""
        return [problem for found in self._problems for problem in found]

    def chunks(self, kind: str, size: int | None = None) -> Iterator[list[Any]]:
        """The typed rows of ``kind``, file after file, in parts of at most ``size`` (by
        default :data:`CHUNK`) rows of a CSV file (a JSON file's rows in one part); bad rows
        are left out and noted."""
        if kind in self._taken:
            raise ValueError(f"the {kind} are taken already")
        self._taken.add(kind)
        size = size or CHUNK
        for part in self._parts:
            if part.kind != kind:
                continue
            if part.table is None:
                yield part.rows
                continue
            for start in range(0, len(part.table.records), size):
                known = part.keys[0][start : start + size] if part.keys else None  # (the first column)
                rows, problems = parse_table(part.table.part(start, start + size), known)
                part.problems.extend(problems)
                yield rows

    def last_parts(self, size: int | None = None) -> list[set[str]]:
        """For each part of the payments (as :meth:`chunks` gives them): the bundle keys that
        no later part names, so that those bundles can be settled once the part is taken."""
        size = size or CHUNK
        parts: list[list[Any]] = []
        for part in self._parts:
            if part.kind != "payments":
                continue
            if part.table is None:
                parts.append([row.bundle for row in part.rows])
                continue
            if not part.keys:
                part.keys.append(bundle_keys(part.table))
            keys = part.keys[0]
            parts += [keys[start : start + size] for start in range(0, len(keys), size)]
        last: dict[Any, int] = {}
        for index, keys in enumerate(parts):
            last.update(dict.fromkeys(keys, index))
        ending: list[set[str]] = [set() for _ in parts]
        for key, index in last.items():
            if key is not REFUSED:
                ending[index].add(key)
        return ending

    def rows(self, kind: str) -> list[Any]:
        """Every typed row of ``kind``, file after file."""
        return [row for part in self.chunks(kind, size=2**62) for row in part]
