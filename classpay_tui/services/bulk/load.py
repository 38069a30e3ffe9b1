"""Loading everything the bulk settle needs for many bundles, a few queries per kind of row
(IN lists of at most :data:`CHUNK` ids), never a query per bundle or per payment.

Each query is built once, with an expanding ``ids`` bind parameter, and run per chunk.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from operator import attrgetter, itemgetter
from typing import Any

from sqlalchemy import BigInteger, Select, bindparam, cast, func, select, type_coerce
from sqlalchemy.orm import Session, aliased
from sqlalchemy.types import NullType

from classpay_tui.db.bulk import Fetched, converted, decoded, fetch_raw_together, prebuilt_read
from classpay_tui.db.key_lists import in_keys, keys_value
from classpay_tui.db.models import (
    ClassBundle,
    ClassInstallment,
    ClassPayment,
    ClassPaymentInstallment,
    ClassWriterPayment,
    OrderPayment,
    PaymentAllocation,
    Writer,
)
from classpay_tui.domain.allocation import SlotKind
from classpay_tui.domain.money import ZERO
from classpay_tui.domain.statuses import PaymentKind
from classpay_tui.services.bulk.state import (
    INDEXED_SUMMARY_COLUMNS,
    BundleFacts,
    BundleWork,
    Entry,
    LinkFacts,
    WriterFacts,
)

CHUNK = 2000
LARGEST_ID = 2**31 - 1  # INTEGER primary keys

_RECEIVED_ORDER = attrgetter("received_at", "id")  # oldest received first, then by id

AllocationRow = tuple[SlotKind, int | None, int]  # slot, installment link id, cents


def _cents(column: Any) -> Any:
    """A money column as stored, integer cents: the settle computes in cents."""
    return type_coerce(column, BigInteger)


@dataclass
class Loaded:
    works: dict[int, BundleWork]
    writers: dict[int, WriterFacts]
    # What each reversed entry allocated, for new reversal entries (rare).
    reversed_allocations: dict[int, list[AllocationRow]] = field(default_factory=dict)


def chunks(ids: Sequence[int], size: int = CHUNK) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


@cache
def _queries(dialect: str) -> dict[str, Select[Any]]:
    """The statements for one dialect, each with its list of ids as parameter ``ids``."""

    def ids_in(column: Any) -> Any:
        return in_keys(column, dialect, "ids")

    reversal = aliased(OrderPayment)
    allocated = aliased(PaymentAllocation)
    # Every query takes the bundles' ids: the records, writers and reversed entries they
    # need are found in the database, not looked up in between.
    records_of_bundles = select(ClassPayment.id).where(ids_in(ClassPayment.bundle_id))
    reversed_by_entries = select(OrderPayment.reverses_id).where(  # by the unallocated reversals among "entries"
        ids_in(OrderPayment.bundle_id),
        OrderPayment.id <= bindparam("at_most"),
        OrderPayment.kind == PaymentKind.REVERSAL,
        OrderPayment.reverses_id.is_not(None),
        ~select(allocated.id).where(allocated.order_payment_id == OrderPayment.id).exists(),
    )
    return {
        "lock": select(ClassBundle.id).where(ids_in(ClassBundle.id)).with_for_update(),
        "bundles": select(
            ClassBundle.id,
            ClassBundle.external_ref,
            ClassBundle.total_amount,
            ClassBundle.deposit_amount,
            ClassBundle.number_of_classes,
            ClassBundle.status,
            ClassBundle.writer_id,
            ClassBundle.compensation_override,
            ClassBundle.payout_mode,
        ).where(ids_in(ClassBundle.id)),
        # The summary as stored (no type processing), so that only changed columns are written.
        "records": select(
            ClassPayment.id,
            ClassPayment.bundle_id,
            ClassPayment.writer_id,
            *(type_coerce(ClassPayment.__table__.c[name], NullType()) for name in INDEXED_SUMMARY_COLUMNS),
        ).where(ids_in(ClassPayment.bundle_id)),
        "installments": select(
            ClassInstallment.bundle_id,
            ClassInstallment.id,
            ClassInstallment.installment_number,
            _cents(ClassInstallment.amount),
            ClassInstallment.due_date,
            ClassPaymentInstallment.id,
            _cents(ClassPaymentInstallment.paid_amount),
            ClassPaymentInstallment.status,
            ClassPaymentInstallment.paid_at,
        )
        .outerjoin(ClassPaymentInstallment, ClassPaymentInstallment.installment_id == ClassInstallment.id)
        .where(ids_in(ClassInstallment.bundle_id)),
        # Entries without allocations, oldest received first (as ``link_existing_payments``).
        "entries": select(
            OrderPayment.id,
            OrderPayment.bundle_id,
            OrderPayment.kind,
            OrderPayment.amount,
            OrderPayment.reference,
            OrderPayment.target_installment,
            OrderPayment.received_at,
            OrderPayment.reverses_id,
        ).where(
            ids_in(OrderPayment.bundle_id),
            OrderPayment.id <= bindparam("at_most"),
            ~select(PaymentAllocation.id).where(PaymentAllocation.order_payment_id == OrderPayment.id).exists(),
        ),
        # Refund entries per bundle, less those reversed (as ``ledger.refunded_total``); the
        # new entries' refunds are added to it in Python.
        "refunds": select(OrderPayment.bundle_id, func.sum(OrderPayment.amount))
        .where(
            ids_in(OrderPayment.bundle_id),
            OrderPayment.id <= bindparam("at_most"),
            OrderPayment.kind == PaymentKind.REFUND,
            ~select(reversal.id).where(reversal.reverses_id == OrderPayment.id).exists(),
        )
        .group_by(OrderPayment.bundle_id),
        "allocations": select(
            PaymentAllocation.class_payment_id,
            PaymentAllocation.slot,
            PaymentAllocation.payment_installment_id,
            cast(func.sum(PaymentAllocation.amount), BigInteger),  # cents, an int on every database
        )
        .where(PaymentAllocation.class_payment_id.in_(records_of_bundles))
        .group_by(PaymentAllocation.class_payment_id, PaymentAllocation.slot, PaymentAllocation.payment_installment_id),
        "payouts": select(
            ClassWriterPayment.class_payment_id,
            ClassWriterPayment.writer_id,
            ClassWriterPayment.status,
            func.sum(ClassWriterPayment.amount),
        )
        .where(ClassWriterPayment.class_payment_id.in_(records_of_bundles))
        .group_by(ClassWriterPayment.class_payment_id, ClassWriterPayment.writer_id, ClassWriterPayment.status),
        "writers": select(Writer.id, Writer.rule_kind, Writer.rule_value).where(
            Writer.id.in_(select(ClassBundle.writer_id).where(ids_in(ClassBundle.id)))
        ),
        "reversed": select(
            PaymentAllocation.order_payment_id,
            PaymentAllocation.slot,
            PaymentAllocation.payment_installment_id,
            _cents(PaymentAllocation.amount),
            PaymentAllocation.id,
        ).where(PaymentAllocation.order_payment_id.in_(reversed_by_entries)),
    }


# Rows are read in no particular order (:func:`~classpay_tui.db.bulk.fetch_raw`), so the
# queries have no ORDER BY (which would cost SQLite a sort: a quarter of the time of the
# installments' read); these are put in order here, in Python.
_ORDER = {
    "installments": itemgetter(0, 2),  # bundle, installment number
    "entries": itemgetter(6, 0),  # received at, id
    "reversed": itemgetter(4),  # allocation id
}


Raw = dict[str, list[Fetched]]  # query name → what it read, not yet decoded


def fetch(session: Session, bundle_ids: Sequence[int], *, lock: bool, stored_up_to: int = LARGEST_ID) -> Raw:
    """What :func:`build` needs about these bundles, as read: nothing but queries (each
    keyed on the bundles' ids), so that it can run in a statement thread while the caller
    works on the batch before. ``lock`` takes the bundle rows' locks first (PostgreSQL), as
    every single-bundle write does; ledger entries with an id above ``stored_up_to`` are
    not read (the caller's new ones)."""
    dialect = session.get_bind().dialect
    queries = _queries(dialect.name)
    names = [name for name in queries if lock or name != "lock"]  # the lock first
    statements = [prebuilt_read(dialect, queries[name])[0] for name in names]
    ids = sorted(set(bundle_ids))
    pieces = [
        fetch_raw_together(session, statements, {"ids": keys_value(dialect.name, part), "at_most": stored_up_to})
        for part in chunks(ids)
    ]
    return {name: [piece[index] for piece in pieces] for index, name in enumerate(names)}


def build(session: Session, raw: Raw) -> Loaded:
    """The bundles of :func:`fetch`'s rows, with the usual Python values."""
    dialect = session.get_bind().dialect
    queries = _queries(dialect.name)

    def rows(name: str) -> list[tuple[Any, ...]]:
        found = converted(decoded(raw[name]), prebuilt_read(dialect, queries[name])[1])
        if name in _ORDER:
            found.sort(key=_ORDER[name])
        return found

    works: dict[int, BundleWork] = {row[0]: BundleWork(BundleFacts(*row)) for row in rows("bundles")}
    record_ids: dict[int, int] = {}
    for record_id, bundle_id, writer_id, *summary in rows("records"):
        work = works[bundle_id]
        work.record_id, work.record_writer_id, work.stored_summary = record_id, writer_id, tuple(summary)
        record_ids[record_id] = bundle_id
    for bundle_id, installment_id, number, amount, due, link_id, paid_amount, status, paid_at in rows("installments"):
        if link_id is None:  # not linked to the payment record yet
            link = LinkFacts(installment_id, number, amount, due)
        else:
            link = LinkFacts(installment_id, number, amount, due, link_id, paid_amount, status, paid_at)
        works[bundle_id].links.append(link)
    for row in rows("entries"):
        entry = Entry(*row)
        work = works[entry.bundle_id]
        work.entries.append(entry)
        work.reversals = work.reversals or entry.kind is PaymentKind.REVERSAL
    for bundle_id, total in rows("refunds"):
        works[bundle_id].refunded = total or ZERO
    allocations = rows("allocations")
    link_of = (
        {link.id: link for work in works.values() for link in work.links if link.id is not None} if allocations else {}
    )
    for record_id, slot, link_id, total in allocations:
        if slot is SlotKind.INSTALLMENT and link_id in link_of:
            link_of[link_id].allocated_cents = total
        elif slot is not SlotKind.INSTALLMENT:
            works[record_ids[record_id]].allocated[slot] = total
    for record_id, writer_id, status, total in rows("payouts"):
        works[record_ids[record_id]].payout_sums[(writer_id, status)] = total
    writers = {row[0]: WriterFacts(*row) for row in rows("writers")}
    reversed_allocations: dict[int, list[AllocationRow]] = {}
    for entry_id, slot, link_id, amount, _ in rows("reversed"):
        reversed_allocations.setdefault(entry_id, []).append((slot, link_id, amount))
    return Loaded(works, writers, reversed_allocations)


def load(session: Session, bundle_ids: Sequence[int], *, lock: bool, stored_up_to: int = LARGEST_ID) -> Loaded:
    """Every touched bundle with its payment record, installments and links, allocation
    sums, unallocated entries, refunds and payout sums (:func:`fetch`, then :func:`build`)."""
    return build(session, fetch(session, bundle_ids, lock=lock, stored_up_to=stored_up_to))


def attach_new_entries(works: dict[int, BundleWork], entries_of: dict[int, list[Entry]]) -> None:
    """The caller's new ledger entries (not read by :func:`load`), each bundle's among its
    stored unallocated ones, oldest received first; their refunds counted. A new entry is
    never a reversal (a reversal is recorded on its own)."""
    for bundle_id, work in works.items():
        entries = entries_of.get(bundle_id)
        if not entries:
            continue
        for entry in entries:
            if entry.kind is PaymentKind.REFUND:
                work.refunded += entry.amount
            elif entry.kind is PaymentKind.REVERSAL:
                raise ValueError("new entries for the bulk settle cannot be reversals")
        work.entries += entries
        work.entries.sort(key=_RECEIVED_ORDER)
