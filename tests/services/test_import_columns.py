"""Checking a CSV table a column at a time gives exactly what checking it row by row gives:
the same typed rows, the same problems in the same words and order. And a file without
quotes, split by hand, gives exactly the records the csv module reads."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classpay_tui.services.importing.columns import parse_table
from classpay_tui.services.importing.rows import PARSERS, BadRow
from classpay_tui.services.importing.sources import CsvTable, _split_csv, _split_plain, read_csv

# Cells worth trying, good and bad, for every column the payment and installment parsers read.
CELLS = {
    "bundle_ref": ["B-1", " B-2 ", "", "B-1\x1b"],
    "bundle_id": ["", "", "7", "x7", "²", " 12 "],
    "reference": ["R-1", "R-2", " R-3 ", "", "R\t4", "R" * 101, "R" * 100, "é-5"],
    "amount": ["100.00", "1,200.5", "$3", "0", "-1", "12.345", "abc", "", "nan", "2000000000"],
    "kind": ["", "deposit", "INSTALLMENT", "payment", "refund", "reversal", "gift"],
    "installment": ["", "1", "120", "121", "0", "x", "٣"],
    "method": ["", "cash", "Card", "wire"],
    "received_on": ["2023-09-01", "2023-09-01T10:00", "", "2023-02-30", "soon"],
    "note": ["", "paid", " ", "a\x00b", "n" * 2001],
    "number": ["1", "2", "", "0", "121", "y"],
    "due_date": ["2023-10-01", "", "10/01/2023"],
    "extra": ["", "ignored"],
}


def _row_by_row(table: CsvTable) -> tuple[list[object], list[str]]:
    rows, problems = [], []
    for index in range(len(table.records)):
        where = table.where(index)
        try:
            rows.append(PARSERS[table.kind](table.values(index), where))
        except (BadRow, ValueError) as error:  # ValueError: what the row parser itself would raise
            problems.append(f"{where}: {error}" if isinstance(error, BadRow) else f"crash: {error}")
    return rows, problems


def _by_columns(table: CsvTable) -> tuple[list[object], list[str]]:
    try:
        return parse_table(table)
    except ValueError as error:
        return [], [f"crash: {error}"]


@st.composite
def tables(draw: st.DrawFn) -> CsvTable:
    kind = draw(st.sampled_from(["payments", "installments"]))
    wanted = {
        "payments": ["bundle_id", "bundle_ref", "reference", "amount", "kind", "installment", "method", "received_on"],
        "installments": ["bundle_id", "bundle_ref", "number", "amount", "due_date"],
    }[kind]
    header = draw(st.lists(st.sampled_from([*wanted, "note", "extra"]), min_size=1, max_size=9))
    records = draw(
        st.lists(
            st.tuples(*(st.sampled_from(CELLS[name]) for name in header)).map(list),
            max_size=30,
        )
    )
    return CsvTable(kind, f"{kind}.csv", header, records, list(range(2, len(records) + 2)))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_checking_by_columns_equals_checking_row_by_row(table):
    row_rows, row_problems = _row_by_row(table)
    column_rows, column_problems = _by_columns(table)
    if any(problem.startswith("crash") for problem in row_problems):
        assert column_problems and column_problems[0].startswith("crash")
        return
    assert column_problems == row_problems
    assert column_rows == row_rows


def test_a_refused_cell_is_worded_by_the_row_parser():
    header = ["bundle_ref", "reference", "amount", "kind", "installment", "received_on"]
    records = [
        ["B-1", "R-1", "100.00", "reversal", "", "2023-09-01"],
        ["B-1", "R-2", "100.00", "installment", "", "2023-09-01"],
        ["B-1", "R-3", "100.00", "installment", "2", "2023-09-01"],
    ]
    rows, problems = parse_table(CsvTable("payments", "payments.csv", header, records, [2, 3, 4]))
    assert problems == [
        "payments.csv line 2: reversals cannot be imported; import the corrected payments instead",
        "payments.csv line 3: an installment payment needs the installment number",
    ]
    assert [row.reference for row in rows] == ["R-3"]


PLAIN_TEXT = st.text(alphabet=st.sampled_from(list("ab ,\n\r\t\x00é")), max_size=60)


@settings(max_examples=400, deadline=None)
@given(PLAIN_TEXT)
def test_a_file_without_quotes_splits_as_the_csv_module_reads_it(text):
    normal = text.replace("\r\n", "\n").replace("\r", "\n")
    assert _split_plain(normal.split("\n")) == _split_csv(text)


@pytest.mark.parametrize(
    "text",
    [
        'bundle_ref,reference,amount,received_on,note\nB-1,R-1,100.00,2023-09-01,"two\nlines, and a comma"\n'
        "B-1,R-2,100.00,2023-09-02,\n",
        "\ufeffbundle_ref,reference,amount,received_on\r\n\r\nB-1,R-1,100.00,2023-09-01\r\nB-1,R-2\r\n",
    ],
)
def test_quoted_and_plain_files_are_read_alike(tmp_path: Path, text: str):
    path = tmp_path / "payments.csv"
    path.write_bytes(text.encode("utf-8"))
    table = read_csv(path)
    with path.open(newline="", encoding="utf-8-sig") as stream:
        reader = csv.reader(io.StringIO(stream.read(), newline=""))
        expected = [(record, reader.line_num) for record in reader if record]
    header, *records = expected
    assert table.header == [name.strip().lower() for name in header[0]]
    width = len(table.header)
    assert table.records == [(record + [""] * width)[:width] for record, _ in records]
    assert table.lines == [line for _, line in records]
