"""One writer's bundles and payouts a page at a time: the pages, put end to end from any
row in either direction, are exactly the dashboard and the payout list, in their order."""

from __future__ import annotations

from decimal import Decimal

import pytest

from classpay_tui.domain.errors import PermissionDenied
from classpay_tui.domain.statuses import Role
from classpay_tui.services import OperatorContext
from classpay_tui.services.writer_page_schemas import PageFrom, WriterPageRequest
from tests.builders import pay, seed_bundle, writer
from tests.services.test_query_counts import counted


def request(start: PageFrom = PageFrom.FIRST, key: int | None = None, *, limit: int, offset: int = 0):
    return WriterPageRequest(start=start, key=key, limit=limit, offset=offset)


@pytest.fixture
def busy(service, admin):
    """Writer "ann" with 11 bundles, one of them reassigned to "ben" after a payout (she
    keeps it on her list), and payouts on only three days, so many share a date."""
    writer(service, admin, "ann")
    writer(service, admin, "ben")
    bundles = [seed_bundle(service, admin, writer_name="ann", deposit="0", installments=2) for _ in range(11)]
    for index, bundle in enumerate(bundles):
        if index % 3 != 2:
            pay(service, admin, bundle.bundle_id, "1000.00")  # paid in full: a payout is scheduled
        else:
            service.schedule_writer_payment(admin, bundle.id, Decimal("50.00"))
    service.assign_writer(admin, bundles[4].bundle_id, "ben")
    return bundles


def walk_forward(fetch, key, limit):  # type: ignore[no-untyped-def]
    """Every row, page after page from the last key; checking each page's place."""
    rows, page = [], fetch(request(limit=limit))
    while page.rows:
        assert page.start == len(rows)
        rows += page.rows
        page = fetch(request(PageFrom.AFTER, key=key(rows[-1]), limit=limit))
    assert page.start == page.total == len(rows)
    return rows


def walk_back(fetch, key, limit):  # type: ignore[no-untyped-def]
    """Every row, page before page from the first key, starting from the last page."""
    rows, page = [], fetch(request(PageFrom.LAST, limit=limit))
    while page.rows:
        assert page.start + len(page.rows) == page.total - len(rows)
        rows = list(page.rows) + rows
        page = fetch(request(PageFrom.BEFORE, key=key(rows[0]), limit=limit))
    assert page.start == 0
    return rows


def bundle_key(entry) -> int:  # type: ignore[no-untyped-def]
    return entry.bundle_id


def payout_key(payout) -> int:  # type: ignore[no-untyped-def]
    return payout.id


@pytest.mark.parametrize("limit", [1, 4, 11, 50])
def test_bundle_pages_are_the_dashboard_in_order(service, admin, busy, limit):
    everything = service.get_writer_class_payments(admin, "ann")
    assert len(everything) == 11 and sum(not entry.is_current_writer for entry in everything) == 1  # kept

    def fetch(req):  # type: ignore[no-untyped-def]
        return service.writer_bundle_page(admin, "ann", req)

    assert walk_forward(fetch, bundle_key, limit) == everything
    assert walk_back(fetch, bundle_key, limit) == everything
    for offset in (0, 3, 10, 11, 20):
        page = fetch(request(PageFrom.OFFSET, offset=offset, limit=limit))
        assert (page.start, page.rows) == (min(offset, 11), everything[offset : offset + limit])


@pytest.mark.parametrize("limit", [1, 3, 50])
def test_payout_pages_are_the_payout_list_in_order(service, admin, busy, limit):
    everything = service.list_payouts(admin, writer="ann")
    assert len({payout.scheduled_for for payout in everything}) < len(everything)  # ties on the date

    def fetch(req):  # type: ignore[no-untyped-def]
        return service.writer_payout_page(admin, "ann", req)

    assert walk_forward(fetch, payout_key, limit) == everything
    assert walk_back(fetch, payout_key, limit) == everything


def test_a_page_from_a_row_no_longer_there(service, admin, busy):
    """A key the writer no longer has (the bundle was reassigned away without a payout):
    the page still starts right after where that row stood."""
    everything = service.get_writer_class_payments(admin, "ann")
    gone = seed_bundle(service, admin, writer_name="ann", deposit="0", installments=0)
    service.assign_writer(admin, gone.bundle_id, "ben")
    page = service.writer_bundle_page(admin, "ann", request(PageFrom.AFTER, key=gone.bundle_id, limit=3))
    assert (page.start, page.rows) == (0, everything[:3])
    other = service.writer_payout_page(admin, "ann", request(PageFrom.AFTER, key=10**6, limit=3))
    assert other.start == 0 and other.rows == service.list_payouts(admin, writer="ann")[:3]


def test_an_empty_writer(service, admin, busy):
    writer(service, admin, "cat")
    for start in PageFrom:
        page = service.writer_bundle_page(admin, "cat", request(start, key=1, limit=5))
        assert (page.total, page.rows) == (0, [])
        assert service.writer_payout_page(admin, "cat", request(start, key=1, limit=5)).rows == []


def test_a_page_takes_the_same_statements_for_a_small_or_a_large_writer(service, admin, busy):
    service.writer_bundle_page(admin, "ben")  # the first read of a service reads its settings
    counts: dict[str, list[int]] = {}
    for name in ("ben", "ann"):  # 2 bundles and 1 payout; 11 and 11
        for call in (service.writer_bundle_page, service.writer_payout_page):
            with counted(service) as statements:
                page = call(admin, name, request(limit=50))
            assert page.rows
            counts.setdefault(call.__name__, []).append(len(statements))
    [first] = service.writer_payout_page(admin, "ann", request(limit=1)).rows
    with counted(service) as keyed:
        service.writer_payout_page(admin, "ann", request(PageFrom.AFTER, key=first.id, limit=50))
    bundles, payouts = counts["writer_bundle_page"], counts["writer_payout_page"]
    assert bundles[0] == bundles[1] <= 7 and payouts[0] == payouts[1] <= 5, counts
    assert len(keyed) == payouts[1] + 1  # the payout paged from, for its date


def test_a_writer_reads_only_their_own_pages(service, admin, busy):
    ann = OperatorContext("ann", Role.WRITER, writer_id=service.get_writer(admin, "ann").id)
    assert service.writer_bundle_page(ann, "ann").total == 11
    assert service.writer_payout_page(ann, "ann").rows == service.list_payouts(admin, writer="ann")
    for call in (service.writer_bundle_page, service.writer_payout_page):
        with pytest.raises(PermissionDenied):
            call(ann, "ben")


def test_requests_are_checked():
    with pytest.raises(ValueError):
        WriterPageRequest(limit=0)
    with pytest.raises(ValueError):
        WriterPageRequest(limit=501)
    with pytest.raises(ValueError):
        WriterPageRequest(offset=-1)
