"""One writer's bundles and payouts a page at a time, for the writer payouts screen.

``get_writer_class_payments`` returns all of a writer's bundles at once (the seed's
response, kept for ``payments writer``): a writer with a thousand bundles is a thousand
entries built and held. The screen asks for pages instead, in a stable order — bundles
newest first, payouts by scheduled date then id — from a row it holds (keyset: the rows
after or before it), from either end, or from a position for a far jump. Each page says
how many rows the list has and where the page starts, so the screen can place it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, case, func, or_, select
from sqlalchemy.orm import Session

from classpay_tui.db.bulk import read_rows
from classpay_tui.db.models import ClassPayment, ClassWriterPayment
from classpay_tui.domain.statuses import Role
from classpay_tui.services import catalog, view_rows, views
from classpay_tui.services.context import OperatorContext
from classpay_tui.services.core import ServiceCore
from classpay_tui.services.permissions import Action, authorize, authorize_writer_view
from classpay_tui.services.schemas import WriterClassPayment, WriterPaymentOut
from classpay_tui.services.views import _writer_entry as writer_entry  # the dashboard's own: pages equal it
from classpay_tui.services.writer_page_schemas import (
    PageFrom,
    WriterBundlePage,
    WriterPageRequest,
    WriterPayoutPage,
)

BACKWARD = (PageFrom.BEFORE, PageFrom.LAST)  # read in reverse order, then turned round


def _of_writer() -> Any:
    """The writer's bundles: those assigned to them, and earlier ones they keep payouts on."""
    kept = select(ClassWriterPayment.class_payment_id).where(ClassWriterPayment.writer_id == bindparam("writer_id"))
    return or_(ClassPayment.writer_id == bindparam("writer_id"), ClassPayment.id.in_(kept))


# Statements are built once each, with bind parameters (see ``db.bulk.read_rows``).


@cache
def _bundle_rows(start: PageFrom) -> Select[Any]:
    # The page's ids first, from the indexes alone; then only those rows are joined to
    # their bundle, client and writer (joining every candidate before the sort is 4× slower).
    ids = select(ClassPayment.id).where(_of_writer())
    if start is PageFrom.AFTER:
        ids = ids.where(ClassPayment.bundle_id < bindparam("key"))
    elif start is PageFrom.BEFORE:
        ids = ids.where(ClassPayment.bundle_id > bindparam("key"))
    order = ClassPayment.bundle_id.asc() if start in BACKWARD else ClassPayment.bundle_id.desc()
    ids = ids.order_by(order).limit(bindparam("limit"))
    if start is PageFrom.OFFSET:
        ids = ids.offset(bindparam("offset"))
    return view_rows.summary_query().where(ClassPayment.id.in_(ids)).order_by(order)


@cache
def _bundle_count() -> Select[Any]:
    """How many bundles the writer has, and how many come before the row ``first``."""
    before = func.coalesce(func.sum(case((ClassPayment.bundle_id > bindparam("first"), 1), else_=0)), 0)
    return select(func.count(), before).select_from(ClassPayment).where(_of_writer())


def _payout_after() -> Any:
    day, key = bindparam("day"), bindparam("key")
    return or_(
        ClassWriterPayment.scheduled_for > day,
        and_(ClassWriterPayment.scheduled_for == day, ClassWriterPayment.id > key),
    )


def _payout_before(day_name: str = "day", key_name: str = "key") -> Any:
    day, key = bindparam(day_name), bindparam(key_name)
    return or_(
        ClassWriterPayment.scheduled_for < day,
        and_(ClassWriterPayment.scheduled_for == day, ClassWriterPayment.id < key),
    )


@cache
def _payout_rows(start: PageFrom) -> Select[Any]:
    query = view_rows.payout_query().where(ClassWriterPayment.writer_id == bindparam("writer_id"))
    if start is PageFrom.AFTER:
        query = query.where(_payout_after())
    elif start is PageFrom.BEFORE:
        query = query.where(_payout_before())
    if start in BACKWARD:
        query = query.order_by(ClassWriterPayment.scheduled_for.desc(), ClassWriterPayment.id.desc())
    else:
        query = query.order_by(ClassWriterPayment.scheduled_for, ClassWriterPayment.id)
    query = query.limit(bindparam("limit"))
    return query.offset(bindparam("offset")) if start is PageFrom.OFFSET else query


@cache
def _payout_count() -> Select[Any]:
    before = func.coalesce(func.sum(case((_payout_before("first_day", "first"), 1), else_=0)), 0)
    return (
        select(func.count(), before)
        .select_from(ClassWriterPayment)
        .where(ClassWriterPayment.writer_id == bindparam("writer_id"))
    )


@cache
def _payout_day() -> Select[Any]:
    return select(ClassWriterPayment.scheduled_for).where(
        ClassWriterPayment.id == bindparam("key"), ClassWriterPayment.writer_id == bindparam("writer_id")
    )


def _params(writer_id: int, request: WriterPageRequest, **extra: object) -> dict[str, object]:
    return {"writer_id": writer_id, "key": request.key, "limit": request.limit, "offset": request.offset, **extra}


def _start(request: WriterPageRequest, total: int, before_first: int, rows: Sequence[object]) -> int:
    """Where the page starts in the whole list."""
    if rows:
        return before_first
    if request.start is PageFrom.OFFSET:
        return min(request.offset, total)
    return total if request.start in (PageFrom.AFTER, PageFrom.LAST) else 0


def _keyed(request: WriterPageRequest) -> WriterPageRequest:
    """A request from a row without a key is a request from the start."""
    if request.start in (PageFrom.AFTER, PageFrom.BEFORE) and request.key is None:
        return request.model_copy(update={"start": PageFrom.FIRST})
    return request


def bundle_page(session: Session, writer_id: int, request: WriterPageRequest, today: date) -> WriterBundlePage:
    """Five queries whatever the size of the page or of the writer's list."""
    request = _keyed(request)
    rows = view_rows.summary_rows(session, _bundle_rows(request.start), _params(writer_id, request))
    if request.start in BACKWARD:
        rows.reverse()
    first = rows[0].bundle_id if rows else 0
    [(total, before_first)] = read_rows(session, _bundle_count(), {"writer_id": writer_id, "first": first})
    ids = [row.payment_id for row in rows]
    installments = view_rows.installment_rows(session, ids)
    payouts = {
        payment_id: [views.payout_out(item) for item in items]
        for payment_id, items in view_rows.payouts_by_record(session, ids).items()
    }
    entries: list[WriterClassPayment] = [
        writer_entry(row, writer_id, installments.get(row.payment_id, []), payouts.get(row.payment_id, []), today)
        for row in rows
    ]
    start = _start(request, total, before_first, entries)
    return WriterBundlePage(writer_id=writer_id, total=total, start=start, rows=entries)


def payout_page(session: Session, writer_id: int, request: WriterPageRequest) -> WriterPayoutPage:
    """Two or three queries: the payout paged from (for its date), the page, the count."""
    request = _keyed(request)
    day = None
    if request.start in (PageFrom.AFTER, PageFrom.BEFORE):
        found = read_rows(session, _payout_day(), {"key": request.key, "writer_id": writer_id})
        if not found:  # not this writer's payout (any more): start from the top
            request = request.model_copy(update={"start": PageFrom.FIRST})
        else:
            day = found[0][0]
    rows = [
        view_rows.PayoutRow._make(values)
        for values in read_rows(session, _payout_rows(request.start), _params(writer_id, request, day=day))
    ]
    if request.start in BACKWARD:
        rows.reverse()
    first_day, first = (rows[0].scheduled_for, rows[0].id) if rows else (date.min, 0)
    [(total, before_first)] = read_rows(
        session, _payout_count(), {"writer_id": writer_id, "first_day": first_day, "first": first}
    )
    payouts: list[WriterPaymentOut] = [views.payout_out(row) for row in rows]
    start = _start(request, total, before_first, payouts)
    return WriterPayoutPage(writer_id=writer_id, total=total, start=start, rows=payouts)


class WriterPageOperations(ServiceCore):
    def writer_bundle_page(
        self, ctx: OperatorContext, writer_ref: str | int, request: WriterPageRequest | None = None
    ) -> WriterBundlePage:
        """A page of the writer's dashboard: the entries ``get_writer_class_payments`` gives,
        in its order, without client amounts."""
        with self.db.read() as session:
            writer = catalog.find_writer(session, writer_ref)
            authorize_writer_view(ctx, writer.id)
            return bundle_page(session, writer.id, request or WriterPageRequest(), self.clock.today())

    def writer_payout_page(
        self, ctx: OperatorContext, writer_ref: str | int, request: WriterPageRequest | None = None
    ) -> WriterPayoutPage:
        """A page of the writer's payouts, in the order of ``list_payouts``."""
        with self.db.read() as session:
            writer = catalog.find_writer(session, writer_ref)
            if ctx.role is Role.WRITER:
                authorize_writer_view(ctx, writer.id)
            else:
                authorize(ctx, Action.READ_PAYOUTS)
            return payout_page(session, writer.id, request or WriterPageRequest())
