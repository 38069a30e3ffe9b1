"""The terminal app's keyset pages walk the same list, in the same order, as ``payments list``:
forwards from the start, backwards from the end, from a row kept on screen, at an offset;
through ties (many bundles with the same balance) and bundles with no due date."""

from __future__ import annotations

import pytest

from classpay_tui.domain.errors import InvalidInput
from classpay_tui.services.demo import fill_demo
from classpay_tui.services.list_schemas import ListQuery, PageFrom, PageRequest

ORDERS = ["-id", "id", "-balance", "balance", "due", "-due", "-paid", "paid", "client", "-client"]
FILTERS = [ListQuery(), ListQuery(status="partial"), ListQuery(status="overdue"), ListQuery(search="an")]


@pytest.fixture
def demo(service, admin):
    fill_demo(service, admin, count=36, seed=11)
    return service


def expected(service, admin, query: ListQuery) -> list[int]:
    rows = service.list_payments(admin, search=query.search or None, status=query.status, order=query.order, limit=500)
    return [row.bundle_id for row in rows]


def walk_forward(service, admin, query: ListQuery, size: int) -> list[int]:
    page = service.bundle_list_page(admin, query, PageRequest(limit=size))
    seen = [row.bundle_id for row in page.rows]
    while page.rows:
        page = service.bundle_list_page(
            admin, query, PageRequest(start=PageFrom.AFTER, key=page.rows[-1].key, limit=size)
        )
        seen += [row.bundle_id for row in page.rows]
    return seen


def walk_backward(service, admin, query: ListQuery, size: int) -> list[int]:
    page = service.bundle_list_page(admin, query, PageRequest(start=PageFrom.LAST, limit=size))
    seen = [row.bundle_id for row in page.rows]
    while page.rows:
        page = service.bundle_list_page(
            admin, query, PageRequest(start=PageFrom.BEFORE, key=page.rows[0].key, limit=size)
        )
        seen = [row.bundle_id for row in page.rows] + seen
    return seen


def test_keyset_walks_match_the_offset_list(demo, admin):
    for order in ORDERS:
        for base in FILTERS:
            query = base.model_copy(update={"order": order})
            want = expected(demo, admin, query)
            assert walk_forward(demo, admin, query, 5) == want, (order, base)
            assert walk_backward(demo, admin, query, 4) == want, (order, base)
            counted = demo.bundle_list_page(admin, query, PageRequest(limit=1, count=True))
            assert counted.total == len(want)


def test_the_demo_has_ties_and_bundles_without_a_due_date(demo, admin):
    rows = demo.list_payments(admin, limit=500)
    balances = [row.balance_remaining for row in rows]
    assert len(set(balances)) < len(balances)
    assert any(row.next_due_date is None for row in rows)


def test_a_page_at_a_row_starts_with_it_and_an_offset_page_is_a_slice(demo, admin):
    for order in ["-id", "-balance", "due", "client"]:
        query = ListQuery(order=order)
        want = expected(demo, admin, query)
        middle = demo.bundle_list_page(admin, query, PageRequest(start=PageFrom.OFFSET, offset=10, limit=6))
        assert [row.bundle_id for row in middle.rows] == want[10:16], order
        again = demo.bundle_list_page(admin, query, PageRequest(start=PageFrom.AT, key=middle.rows[0].key, limit=6))
        assert [row.bundle_id for row in again.rows] == want[10:16], order


def test_rows_carry_what_a_line_shows(demo, admin):
    row = demo.bundle_list_page(admin, ListQuery(), PageRequest(limit=1)).rows[0]
    summary = demo.list_payments(admin, limit=1)[0]
    for name in (
        "bundle_id",
        "client_name",
        "title",
        "total_amount",
        "amount_paid",
        "balance_remaining",
        "payment_progress",
        "client_payment_status",
        "writer_payment_status",
        "next_due_date",
        "is_overdue",
    ):
        assert getattr(row, name) == getattr(summary, name), name


def test_bad_requests_are_refused_with_one_sentence(demo, admin, staff):
    with pytest.raises(InvalidInput, match="not a sort order"):
        demo.bundle_list_page(admin, ListQuery(order="colour"), PageRequest())
    with pytest.raises(InvalidInput, match="not a status"):
        demo.bundle_list_page(admin, ListQuery(status="lost"), PageRequest())
    with pytest.raises(InvalidInput, match="limit"):
        demo.bundle_list_page(admin, ListQuery(), PageRequest(limit=0))
    with pytest.raises(InvalidInput, match="needs that row's key"):
        demo.bundle_list_page(admin, ListQuery(), PageRequest(start=PageFrom.AFTER))
