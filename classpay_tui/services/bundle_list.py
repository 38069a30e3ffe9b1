"""The bundle list a window at a time, for the terminal app: keyset pages and counts.

A page starts at the key of a row the screen already holds (its sort value and bundle id)
instead of skipping rows with OFFSET, so the next page, the previous one and the end of
the list each read about their own rows, at row 10 or at row 100,000.

The list's order is a sort column, ascending or descending, then the bundle id: newest
first in an ascending order, a descending one being that order read backwards
(:func:`~classpay_tui.services.listing.tie_order`); bundles without a due date come last
in both directions of the due-date order, their ties broken the same way. A
walk through the list is a short sequence of segments, each one index range in index
order (the rows tied with the key, then the rows beyond its value, then the bundles with
no due date); a page takes rows from them in turn until it is full.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam
from sqlalchemy.orm import Session

from classpay_tui.db.models import ClassPayment
from classpay_tui.services import listing, view_rows
from classpay_tui.services.list_schemas import (
    BundleListPage,
    BundleListRow,
    ListKey,
    ListQuery,
    PageFrom,
    PageRequest,
)
from classpay_tui.services.views import summary_fields

bundle = ClassPayment.bundle_id  # the tie-break of every order, and the key's second half
NULLABLE = {"due"}  # the only sort column that can be empty


@dataclass(frozen=True)
class Segment:
    """One index range of a walk: an extra condition and the order to read it in."""

    where: ColumnElement[bool] | None
    order: tuple[Any, ...]


def _column(name: str) -> Any:
    return listing.LIST_ORDERS[name]


def forward(order: str, key: ListKey | None, *, inclusive: bool = False) -> list[Segment]:
    """The segments after ``key`` (from the start without one), in the list's order."""
    name, down = order.removeprefix("-"), order.startswith("-")
    kid = bindparam("kid")
    if name == "id":
        if key is None:
            return [Segment(None, (bundle.desc() if down else bundle.asc(),))]
        return [Segment(_past(kid, not down, inclusive), (bundle.desc() if down else bundle.asc(),))]
    column, nullable = _column(name), name in NULLABLE
    ties = listing.tie_order(down)
    in_order = (column.desc() if down else column.asc(), ties)
    empty_tail = [Segment(column.is_(None), (ties,))] if nullable else []
    if key is None:
        return [Segment(column.is_not(None) if nullable else None, in_order), *empty_tail]
    tie = _past(kid, down, inclusive)  # a descending order's ties go oldest first: up the ids
    if key.value is None:
        return [Segment(and_(column.is_(None), tie), (ties,))]
    value = bindparam("kv")
    later = column < value if down else column > value
    return [Segment(and_(column == value, tie), (ties,)), Segment(later, in_order), *empty_tail]


def _past(kid: Any, rising: bool, inclusive: bool) -> ColumnElement[bool]:
    """The bundle ids after ``kid`` (or at it, ``inclusive``) in rising or falling id order."""
    if rising:
        return bundle >= kid if inclusive else bundle > kid
    return bundle <= kid if inclusive else bundle < kid


def backward(order: str, key: ListKey | None) -> list[Segment]:
    """The segments before ``key`` (from the end without one), nearest first."""
    name, down = order.removeprefix("-"), order.startswith("-")
    kid = bindparam("kid")
    if name == "id":
        back = bundle.asc() if down else bundle.desc()
        if key is None:
            return [Segment(None, (back,))]
        return [Segment(_past(kid, down, False), (back,))]
    column, nullable = _column(name), name in NULLABLE
    ties_back = listing.tie_order(not down)
    against = (column.asc() if down else column.desc(), ties_back)
    if key is None:
        if nullable:
            return [Segment(column.is_(None), (ties_back,)), Segment(column.is_not(None), against)]
        return [Segment(None, against)]
    tie = _past(kid, not down, False)  # the tied rows before the key, in the list's order
    if key.value is None:
        return [Segment(and_(column.is_(None), tie), (ties_back,)), Segment(column.is_not(None), against)]
    value = bindparam("kv")
    earlier = column > value if down else column < value
    return [Segment(and_(column == value, tie), (ties_back,)), Segment(earlier, against)]


def sort_value(order: str) -> Any:
    name = order.removeprefix("-")
    return bundle if name == "id" else _column(name)


_BUILT: dict[tuple[object, ...], Select[Any]] = {}


def _segment_query(key: listing.FilterKey, order: str, walk: str, index: int, segment: Segment) -> Select[Any]:
    """A segment's statement, built once per kind of page (building costs more than running)."""
    cache_key = (key, order, walk, index)
    query = _BUILT.get(cache_key)
    if query is None:
        query = listing.filtered([ClassPayment.id, sort_value(order), bundle], key)
        if segment.where is not None:
            query = query.where(segment.where)
        query = _BUILT[cache_key] = query.order_by(*segment.order).limit(bindparam("limit"))
    return query


def _count_query(key: listing.FilterKey, capped: bool) -> Select[Any]:
    cache_key = (key, "count", capped)
    query = _BUILT.get(cache_key)
    if query is None:
        query = _BUILT[cache_key] = listing.count_query(key, capped=capped)
    return query


def page(session: Session, query: ListQuery, request: PageRequest, *, today: date) -> BundleListPage:
    """One page of the list, in the list's order, as ``request`` places it."""
    params, searching = listing.filter_params(
        session, status=query.status, writer_id=None, search=query.search, today=today
    )
    key = listing.filter_key(query.status, False, searching, query.order)
    found: list[tuple[int, Any, int]] = []
    if request.start is PageFrom.OFFSET:
        order_rows = listing.filtered([ClassPayment.id, sort_value(query.order), bundle], key)
        order_rows = order_rows.order_by(*listing.order_by(query.order)).limit(request.limit).offset(request.offset)
        found = [tuple(row) for row in session.connection().execute(order_rows, params)]  # type: ignore[misc]
    else:
        walk, segments, reverse = _walk(query.order, request)
        if request.key is not None:
            params = {**params, "kid": request.key.bundle_id, "kv": request.key.value}
        for index, segment in enumerate(segments):
            wanted = request.limit - len(found)
            if wanted <= 0:
                break
            statement = _segment_query(key, query.order, walk, index, segment)
            found += [tuple(row) for row in session.connection().execute(statement, {**params, "limit": wanted})]  # type: ignore[misc]
        if reverse:
            found.reverse()
    total, more = None, False
    if request.count:  # the client table only orders the rows; counting does without it
        limit = request.count_limit
        if limit is not None:
            params = {**params, "count_limit": limit + 1}  # one more tells there are more
        total = session.connection().execute(_count_query(key, limit is not None), params).scalar_one()
        if limit is not None and total > limit:
            total, more = limit, True
    return BundleListPage(rows=_rows(session, found, today), total=total, more=more)


def _walk(order: str, request: PageRequest) -> tuple[str, list[Segment], bool]:
    """The segments of a request, the name they are cached under, and whether they read backwards."""
    start, key = request.start, request.key
    null = "-null" if key is not None and key.value is None else ""
    if start is PageFrom.FIRST:
        return "first", forward(order, None), False
    if start in (PageFrom.AFTER, PageFrom.AT):
        if key is None:
            raise ValueError(f"a page {start.value} a row needs its key")
        return f"{start.value}{null}", forward(order, key, inclusive=start is PageFrom.AT), False
    if start is PageFrom.BEFORE:
        if key is None:
            raise ValueError("a page before a row needs its key")
        return f"before{null}", backward(order, key), True
    return "last", backward(order, None), True


LIST_ROW_FIELDS = [name for name in BundleListRow.model_fields if name != "key"]


def _rows(session: Session, found: Sequence[tuple[int, Any, int]], today: date) -> list[BundleListRow]:
    """The rows by id, with the fields ``payments list`` gives them (one mapping for both)."""
    keys = {payment_id: ListKey.model_construct(value=value, bundle_id=bundle) for payment_id, value, bundle in found}
    rows = []
    for row in view_rows.summaries_by_id(session, [payment_id for payment_id, _, _ in found]):
        fields = summary_fields(row, "", today)
        values = {name: fields[name] for name in LIST_ROW_FIELDS}
        rows.append(BundleListRow.model_construct(**values, key=keys[row.payment_id]))
    return rows
