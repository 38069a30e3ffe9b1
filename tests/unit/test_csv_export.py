"""CSV cells that a spreadsheet would run as formulas are neutralised."""

from __future__ import annotations

import csv
import io

import pytest

from classpay_tui.services.export import spreadsheet_safe, write_csv


@pytest.mark.parametrize("cell", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", '=HYPERLINK("http://x")'])
def test_formula_starts_are_prefixed(cell):
    assert spreadsheet_safe(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Dana", "1000.00", "", "a=b", None, 42])
def test_ordinary_cells_are_unchanged(cell):
    assert spreadsheet_safe(cell) == ("" if cell is None else str(cell))


def test_write_csv_round_trip():
    stream = io.StringIO()
    write_csv(stream, ["client", "amount"], [("=cmd|' /C calc'!A0", "12.50"), ("Ann", "-3")])
    rows = list(csv.reader(io.StringIO(stream.getvalue())))
    assert rows == [["client", "amount"], ["'=cmd|' /C calc'!A0", "12.50"], ["Ann", "'-3"]]
