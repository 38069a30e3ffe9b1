"""The bundle list (``payments list`` and the terminal app's home screen): its filters and
sort orders, done in SQL on the indexes made for them (migration 0004).

A page is found in two steps: first the ids of its payment records, from a query on
``class_payments`` that joins the bundle and client tables only when the client sort (or a
search without the search index, :mod:`.list_search`) needs them, so skipping thousands of
rows to a later page stays on one index; then the page's rows by those ids (:mod:`.view_rows`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from classpay_tui.db.models import ClassBundle, ClassPayment, Client
from classpay_tui.domain.errors import InvalidInput
from classpay_tui.domain.statuses import ClientPaymentStatus
from classpay_tui.services.list_search import SearchPlan, dense_matches, plan_search, search_clause, search_support

MAX_PAGE = 500
LIST_STATUSES = {status.value for status in ClientPaymentStatus} | {"overdue"}
SETTLED = (ClientPaymentStatus.PAID, ClientPaymentStatus.CANCELLED, ClientPaymentStatus.REFUNDED)
# Sort orders, all on stored summary columns (or the client's name).
LIST_ORDERS: dict[str, Any] = {
    "id": ClassPayment.bundle_id,
    "balance": ClassPayment.balance_remaining,
    "paid": ClassPayment.amount_paid,
    "due": ClassPayment.next_due_date,
    "client": func.lower(Client.name),
}
DEFAULT_ORDER = "-id"


def order_by(order: str) -> list[Any]:
    """``balance`` ascending, ``-balance`` descending; no due date sorts last; ties by
    bundle id, so pages never skip or repeat a bundle: newest first in an ascending order,
    and a descending order is that order read backwards (oldest first among ties), so one
    index serves both (:func:`tie_order`)."""
    name = order.removeprefix("-")
    column = LIST_ORDERS[name]
    down = order.startswith("-")
    key = column.desc() if down else column.asc()
    if name == "due":
        key = key.nulls_last()
    return [key] if name == "id" else [key, tie_order(down)]


def tie_order(down: bool) -> Any:
    """The bundle ids of rows with the same sort value: newest first in an ascending order,
    oldest first in a descending one. Each sort column's index (migration 0004: the value
    ascending, the bundle id descending) is read forwards for the one, backwards for the
    other; breaking ties newest first both ways took a second index per column, which every
    payment had to keep up (dropped by migration 0010)."""
    return ClassPayment.bundle_id.asc() if down else ClassPayment.bundle_id.desc()


FilterKey = tuple[str | None, bool, SearchPlan | None, bool]


def filter_key(status: str | None, by_writer: bool, search: SearchPlan | None, order: str) -> FilterKey:
    """What shapes a list query: the kind of status filter, a writer, how a search runs
    (:mod:`.list_search`), and whether the order needs the client table."""
    kind = "overdue" if status == "overdue" else "status" if status else None
    return kind, by_writer, search, order.removeprefix("-") == "client"


def filtered(columns: Sequence[Any], key: FilterKey) -> Select[Any]:
    """``columns`` of the payment records that pass the filters named by ``key``, with bind
    parameters for the values (``status``, ``today``, ``writer_id`` and the search's); the
    bundle and client tables are joined only when a search of the tables themselves or the
    client sort needs them."""
    kind, by_writer, search, by_client = key
    query = select(*columns).select_from(ClassPayment)
    if (search is not None and search.how == "tables") or by_client:
        query = query.join(ClassBundle, ClassPayment.bundle_id == ClassBundle.id)
    if by_client:
        query = query.join(Client, ClassBundle.client_id == Client.id)
    if kind == "overdue":
        query = query.where(
            ClassPayment.next_due_date < bindparam("today"), ClassPayment.client_payment_status.not_in(SETTLED)
        )
    elif kind == "status":
        query = query.where(ClassPayment.client_payment_status == bindparam("status"))
    if by_writer:  # the record's writer is the bundle's (``check`` proves it)
        query = query.where(ClassPayment.writer_id == bindparam("writer_id"))
    if search is not None:
        query = query.where(search_clause(search))
    return query


def count_query(key: FilterKey, *, capped: bool = False) -> Select[Any]:
    """How many payment records pass the filters of ``key`` (the client sort does not count);
    ``capped``: no more than the ``count_limit`` parameter, so counting stops there."""
    kind, by_writer, search, _ = key
    if search is not None and search.how == "dense" and kind is None and not by_writer:
        matching = dense_matches(search)
    else:
        matching = filtered([ClassPayment.id], (kind, by_writer, search, False))
    if capped:
        matching = matching.limit(bindparam("count_limit"))
    return select(func.count()).select_from(matching.subquery())


def filter_params(
    session: Session, *, status: str | None, writer_id: int | None, search: str | None, today: date
) -> tuple[dict[str, Any], SearchPlan | None]:
    """The bind parameters of :func:`filtered`, and the ``search`` part of its key (a search
    may read its matches first)."""
    search_support(session)  # looked up with the first list read, whether it searches or not
    term = search.strip() if search else ""
    params: dict[str, Any] = {}
    if status == "overdue":
        params["today"] = today
    elif status is not None:
        params["status"] = ClientPaymentStatus(status)
    if writer_id is not None:
        params["writer_id"] = writer_id
    if not term:
        return params, None
    return params, plan_search(session, term, params)


def check_arguments(*, status: str | None, order: str, limit: int) -> None:
    """One sentence for a bad status, order or page size."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"The limit must be between 1 and {MAX_PAGE}, not {limit}.")
    if order.removeprefix("-") not in LIST_ORDERS:
        raise InvalidInput(f"{order!r} is not a sort order; use one of {', '.join(LIST_ORDERS)}, - for descending.")
    if status is not None and status not in LIST_STATUSES:
        raise InvalidInput(f"{status!r} is not a status; use one of {', '.join(sorted(LIST_STATUSES))}.")


_PAGE_QUERIES: dict[tuple[FilterKey, str], Select[Any]] = {}


def page_query(key: FilterKey, order: str) -> Select[Any]:
    """The ids of an offset page (``limit``, ``offset``); built once per kind of page."""
    query = _PAGE_QUERIES.get((key, order))
    if query is None:
        query = filtered([ClassPayment.id], key).order_by(*order_by(order))
        query = _PAGE_QUERIES[(key, order)] = query.limit(bindparam("limit")).offset(bindparam("offset"))
    return query


def page_ids(
    session: Session,
    *,
    status: str | None,
    writer_id: int | None,
    search: str | None,
    order: str,
    limit: int,
    offset: int,
    today: date,
) -> list[int]:
    """The payment record ids of one page, in the list's order."""
    params, searching = filter_params(session, status=status, writer_id=writer_id, search=search, today=today)
    query = page_query(filter_key(status, writer_id is not None, searching, order), order)
    return list(session.connection().execute(query, {**params, "limit": limit, "offset": offset}).scalars())
