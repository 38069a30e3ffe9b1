"""A CSV file without quotes is split by hand (faster); it must give exactly what the csv
module gives: the same header, records and line numbers, blank lines skipped."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from classpay_tui.services.importing.sources import SplitLines, _plain_lines, _split_csv, _split_plain

_CELL = st.text(alphabet="ab1 .-", max_size=3)
_LINE = st.one_of(st.just(""), st.lists(_CELL, min_size=1, max_size=3).map(",".join))


@given(st.lists(_LINE, max_size=8), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_splitting_by_hand_reads_as_the_csv_module_does(lines, newline, ends_with_newline):
    text = newline.join(lines) + (newline if ends_with_newline else "")
    plain = _plain_lines(text)
    assert plain is not None
    assert _split_plain(plain) == _split_csv(text)


def test_blank_lines_are_skipped_and_records_keep_their_line_numbers():
    text = "ref,amount\n\nA,1\nB,2\n\n\nC,3\n"
    records = [["A", "1"], ["B", "2"], ["C", "3"]]
    assert _split_plain(_plain_lines(text) or []) == (["ref", "amount"], records, [3, 4, 7])


@given(st.lists(_LINE.filter(bool), max_size=12), st.integers(1, 4), st.integers(0, 13), st.integers(0, 13))
def test_records_split_on_demand_equal_the_whole_split(lines, width, start, stop):
    """A part split on its own (padded or cut to the header's width) is that part of the
    whole file split at once, before and after the whole has been split."""
    whole = [(line.split(",") + [""] * width)[:width] for line in lines]
    records = SplitLines(lines).padded_to(width)
    assert len(records) == len(lines)
    assert records[start:stop] == whole[start:stop]
    assert [records[index] for index in range(len(lines))] == whole
    assert list(records) == whole  # now kept whole
    assert records[start:stop] == whole[start:stop]
    assert records == whole
