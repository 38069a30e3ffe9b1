"""What the writer payouts screen asks for and gets: where a page of one writer's bundles
or payouts starts, and the page with its position in the whole list."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from classpay_tui.services.schemas import Schema, WriterClassPayment, WriterPaymentOut

LARGEST_PAGE = 500


class PageFrom(StrEnum):
    FIRST = "first"  # the start of the list
    AFTER = "after"  # the rows after the row ``key``
    BEFORE = "before"  # the rows before the row ``key``, nearest last
    LAST = "last"  # the end of the list
    OFFSET = "offset"  # from position ``offset`` (a jump far from the rows held)


class WriterPageRequest(Schema):
    """``key`` names a row the screen holds: a bundle id for bundles, a payout id for payouts."""

    start: PageFrom = PageFrom.FIRST
    key: int | None = None
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=100, ge=1, le=LARGEST_PAGE)


class WriterBundlePage(Schema):
    """Bundles of one writer, newest first (the order of ``payments writer``): ``rows`` are
    positions ``start`` to ``start + len(rows)`` of ``total``."""

    writer_id: int
    total: int
    start: int
    rows: list[WriterClassPayment]


class WriterPayoutPage(Schema):
    """Payouts of one writer by scheduled date, then id (the order of ``payouts list``)."""

    writer_id: int
    total: int
    start: int
    rows: list[WriterPaymentOut]
