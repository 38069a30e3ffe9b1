"""What the terminal app's bundle list asks for and gets: a query, where a page starts, and
light rows (what a line of the list shows, without installments or payouts)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from classpay_tui.domain.statuses import BundleStatus, ClientPaymentStatus, WriterPaymentStatus
from classpay_tui.services.schemas import Money, Progress, Schema


class ListQuery(Schema):
    """Which bundles the list shows and in what order (the orders of ``payments list``)."""

    search: str = ""
    status: str | None = None
    order: str = "-id"


class ListKey(Schema):
    """Where a row stands in its order: its sort value (None for no due date) and bundle id."""

    value: int | Decimal | date | str | None
    bundle_id: int


class PageFrom(StrEnum):
    FIRST = "first"  # the start of the list
    AFTER = "after"  # the rows after ``key``
    AT = "at"  # ``key``'s row and the rows after it (a reload that keeps its place)
    BEFORE = "before"  # the rows before ``key``, nearest last
    LAST = "last"  # the end of the list
    OFFSET = "offset"  # from row ``offset`` (a jump with the scroll bar)


class PageRequest(Schema):
    start: PageFrom = PageFrom.FIRST
    key: ListKey | None = None
    offset: int = 0
    limit: int = 100
    count: bool = False  # also count every matching bundle
    # Count no further than this many: a short search term is in most bundles, and counting
    # them all reads every one (BundleListPage.more then says there are more).
    count_limit: int | None = None


class BundleListRow(Schema):
    id: int
    bundle_id: int
    bundle_status: BundleStatus
    client_name: str
    title: str
    assigned_writer_username: str | None
    total_amount: Money
    amount_paid: Money
    balance_remaining: Money
    payment_progress: Progress
    client_payment_status: ClientPaymentStatus
    writer_payment_status: WriterPaymentStatus
    next_due_date: date | None
    is_overdue: bool
    key: ListKey


class BundleListPage(Schema):
    """Rows in the list's order; ``total`` is the number of matching bundles when counted, or
    (``more``) the request's ``count_limit`` when there are more than that."""

    rows: list[BundleListRow]
    total: int | None = None
    more: bool = False
