"""Loading everything the bulk settle needs for many bundles, a few queries per kind of row
(IN lists of at most :data:`CHUNK` ids), never a query per bundle or per payment.

Each query is built once, with an expanding ``ids`` bind parameter, and run per chunk.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from operator import attrgetter
from typing import Any

from sqlalchemy import BigInteger, Select, bindparam, cast, func, select, type_coerce
from sqlalchemy.orm import Session, aliased
from sqlalchemy.types import NullType

from classpay_tui.db.bulk import read_rows
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
from classpay_tui.services.bulk.state import SUMMARY_COLUMNS, BundleFacts, BundleWork, Entry, LinkFacts, WriterFacts

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
            *(type_coerce(ClassPayment.__table__.c[name], NullType()) for name in SUMMARY_COLUMNS),
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
        .where(ids_in(ClassInstallment.bundle_id))
        .order_by(ClassInstallment.bundle_id, ClassInstallment.installment_number),
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
        )
        .where(
            ids_in(OrderPayment.bundle_id),
            OrderPayment.id <= bindparam("at_most"),
            ~select(PaymentAllocation.id).where(PaymentAllocation.order_payment_id == OrderPayment.id).exists(),
        )
        .order_by(OrderPayment.received_at, OrderPayment.id),
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
        .where(ids_in(PaymentAllocation.class_payment_id))
        .group_by(PaymentAllocation.class_payment_id, PaymentAllocation.slot, PaymentAllocation.payment_installment_id),
        "payouts": select(
            ClassWriterPayment.class_payment_id,
            ClassWriterPayment.writer_id,
            ClassWriterPayment.status,
            func.sum(ClassWriterPayment.amount),
        )
        .where(ids_in(ClassWriterPayment.class_payment_id))
        .group_by(ClassWriterPayment.class_payment_id, ClassWriterPayment.writer_id, ClassWriterPayment.status),
        "writers": select(Writer.id, Writer.rule_kind, Writer.rule_value).where(ids_in(Writer.id)),
        "reversed": select(
            PaymentAllocation.order_payment_id,
            PaymentAllocation.slot,
            PaymentAllocation.payment_installment_id,
            _cents(PaymentAllocation.amount),
        )
        .where(ids_in(PaymentAllocation.order_payment_id))
        .order_by(PaymentAllocation.id),
    }


def _rows(session: Session, name: str, part: Sequence[int], **params: Any) -> list[tuple[Any, ...]]:
    dialect = session.get_bind().dialect.name
    return read_rows(session, _queries(dialect)[name], {"ids": keys_value(dialect, part), **params})


def load(
    session: Session,
    bundle_ids: Sequence[int],
    *,
    lock: bool,
    new_entries: Sequence[Entry] = (),
    stored_up_to: int | None = None,
) -> Loaded:
    """Every touched bundle with its payment record, installments and links, allocation
    sums, unallocated entries, refunds and payout sums. ``lock`` takes the bundle rows'
    locks first (PostgreSQL), as every single-bundle write does.

    ``new_entries`` are ledger entries the caller has inserted, or is about to insert, with
    their ids (larger than every stored one): they are not read, only older unallocated
    entries are, if there are any; so the reads may run before the new entries are
    written. A new entry is never a reversal (a reversal is recorded on its own).
    ``stored_up_to``: the largest id of an entry that is not new (by default, one less than
    the smallest new one), for loading bundles in parts."""
    if any(entry.kind is PaymentKind.REVERSAL for entry in new_entries):
        raise ValueError("new entries for the bulk settle cannot be reversals")
    ids = sorted(set(bundle_ids))
    at_most = stored_up_to
    if at_most is None:
        at_most = min((entry.id for entry in new_entries), default=LARGEST_ID + 1) - 1
    works: dict[int, BundleWork] = {}
    for part in chunks(ids):
        if lock:
            _rows(session, "lock", part)
        for row in _rows(session, "bundles", part):
            works[row[0]] = BundleWork(BundleFacts(*row))
    record_ids: dict[int, int] = {}
    for part in chunks(ids):
        for record_id, bundle_id, writer_id, *summary in _rows(session, "records", part):
            work = works[bundle_id]
            work.record_id, work.record_writer_id, work.stored_summary = record_id, writer_id, tuple(summary)
            record_ids[record_id] = bundle_id
        _installments(session, part, works)
        for row in _rows(session, "entries", part, at_most=at_most):
            entry = Entry(*row)
            work = works[entry.bundle_id]
            work.entries.append(entry)
            work.reversals = work.reversals or entry.kind is PaymentKind.REVERSAL
        for bundle_id, total in _rows(session, "refunds", part, at_most=at_most):
            works[bundle_id].refunded = total or ZERO
    for entry in new_entries:
        work = works[entry.bundle_id]
        work.entries.append(entry)
        if entry.kind is PaymentKind.REFUND:
            work.refunded += entry.amount
    if new_entries:
        for work in works.values():
            work.entries.sort(key=_RECEIVED_ORDER)
    _allocations(session, record_ids, works)
    for part in chunks(sorted(record_ids)):
        for record_id, writer_id, status, total in _rows(session, "payouts", part):
            works[record_ids[record_id]].payout_sums[(writer_id, status)] = total
    writer_ids = sorted({w.bundle.writer_id for w in works.values() if w.bundle.writer_id is not None})
    writers = {row[0]: WriterFacts(*row) for part in chunks(writer_ids) for row in _rows(session, "writers", part)}
    return Loaded(works, writers, _reversed(session, works))


def _installments(session: Session, part: Sequence[int], works: dict[int, BundleWork]) -> None:
    for bundle_id, installment_id, number, amount, due, link_id, paid_amount, status, paid_at in _rows(
        session, "installments", part
    ):
        link = LinkFacts(installment_id, number, amount, due, link_id)
        if link_id is not None:
            link.paid_cents, link.status, link.paid_at = paid_amount, status, paid_at
        works[bundle_id].links.append(link)


def _allocations(session: Session, record_ids: dict[int, int], works: dict[int, BundleWork]) -> None:
    link_of: dict[int, LinkFacts] = {}
    for work in works.values():
        for link in work.links:
            if link.id is not None:
                link_of[link.id] = link
    for part in chunks(sorted(record_ids)):
        for record_id, slot, link_id, total in _rows(session, "allocations", part):
            if slot is SlotKind.INSTALLMENT and link_id in link_of:
                link_of[link_id].allocated_cents = total
            elif slot is not SlotKind.INSTALLMENT:
                works[record_ids[record_id]].allocated[slot] = total


def _reversed(session: Session, works: dict[int, BundleWork]) -> dict[int, list[AllocationRow]]:
    """What the entries that new reversal entries undo had allocated (stored ones only)."""
    originals = sorted(
        entry.reverses_id
        for work in works.values()
        for entry in work.entries
        if entry.kind is PaymentKind.REVERSAL and entry.reverses_id is not None
    )
    result: dict[int, list[AllocationRow]] = {}
    for part in chunks(originals):
        for entry_id, slot, link_id, amount in _rows(session, "reversed", part):
            result.setdefault(entry_id, []).append((slot, link_id, amount))
    return result
