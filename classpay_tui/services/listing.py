"""The bundle list (``payments list`` and the terminal app's home screen): its filters and
sort orders, done in SQL on the indexes made for them (migration 0004).

A page is found in two steps: first the ids of its payment records, from a query on
``class_payments`` that joins the bundle and client tables only when a search or the
client sort needs them (so skipping thousands of rows to a later page stays on one
index), then the page's rows by those ids (:mod:`.view_rows`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.orm import Session

from classpay_tui.db.models import ClassBundle, ClassPayment, Client, Writer
from classpay_tui.domain.statuses import ClientPaymentStatus

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
    bundle id, newest first, so pages never skip or repeat a bundle."""
    name = order.removeprefix("-")
    column = LIST_ORDERS[name]
    key = column.desc() if order.startswith("-") else column.asc()
    if name == "due":
        key = key.nulls_last()
    return [key] if name == "id" else [key, ClassPayment.bundle_id.desc()]


def search_clause(number: bool) -> Any:
    """Client name, course title or writer username containing the ``pattern`` parameter
    (lower case, with ``%`` around), or (``number``) the bundle whose id is ``number``.
    Matching clients and writers are found once, not once per bundle."""
    pattern = bindparam("pattern")
    clauses = [
        func.lower(ClassBundle.title).like(pattern),
        ClassBundle.client_id.in_(select(Client.id).where(func.lower(Client.name).like(pattern))),
        ClassBundle.writer_id.in_(select(Writer.id).where(func.lower(Writer.username).like(pattern))),
    ]
    if number:
        clauses.append(ClassBundle.id == bindparam("number"))
    return or_(*clauses)


PageKey = tuple[str | None, bool, bool | None, str]
_PAGE_QUERIES: dict[PageKey, Select[Any]] = {}


def page_query(status: str | None, by_writer: bool, search: bool | None, order: str) -> Select[Any]:
    """The ids of a page, with bind parameters for the values (``status``, ``today``,
    ``writer_id``, ``pattern``, ``number``, ``limit``, ``offset``); built once per kind of
    page. ``search`` is None without a search, else whether the text is a bundle number."""
    key: PageKey = ("overdue" if status == "overdue" else "status" if status else None, by_writer, search, order)
    query = _PAGE_QUERIES.get(key)
    if query is not None:
        return query
    query = select(ClassPayment.id)
    if search is not None or order.removeprefix("-") == "client":
        query = query.join(ClassBundle, ClassPayment.bundle_id == ClassBundle.id)
    if order.removeprefix("-") == "client":
        query = query.join(Client, ClassBundle.client_id == Client.id)
    if key[0] == "overdue":
        query = query.where(
            ClassPayment.next_due_date < bindparam("today"), ClassPayment.client_payment_status.not_in(SETTLED)
        )
    elif key[0] == "status":
        query = query.where(ClassPayment.client_payment_status == bindparam("status"))
    if by_writer:  # the record's writer is the bundle's (``check`` proves it)
        query = query.where(ClassPayment.writer_id == bindparam("writer_id"))
    if search is not None:
        query = query.where(search_clause(search))
    query = query.order_by(*order_by(order)).limit(bindparam("limit")).offset(bindparam("offset"))
    _PAGE_QUERIES[key] = query
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
    term = search.strip() if search else ""
    query = page_query(status, writer_id is not None, term.isdigit() if search else None, order)
    params: dict[str, Any] = {"limit": limit, "offset": offset}
    if status == "overdue":
        params["today"] = today
    elif status is not None:
        params["status"] = ClientPaymentStatus(status)
    if writer_id is not None:
        params["writer_id"] = writer_id
    if search:
        params["pattern"] = f"%{term.lower()}%"
        if term.isdigit():
            params["number"] = int(term)
    return list(session.connection().execute(query, params).scalars())
