"""Writing what the bulk settle worked out, a batch of bundles at a time: new payment
records and installment links with their final values, allocations, updated links and
records (only the columns that changed), and writer payouts (with the ``WriterBonus`` each
one carries) — bulk inserts and updates, a few statements per batch, run through
:class:`~classpay_tui.db.bulk.Statements` (so, for the importer, while the next batch is
worked out)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from classpay_tui.db.models import (
    ClassPayment,
    ClassPaymentInstallment,
    ClassWriterPayment,
    PaymentAllocation,
    WriterBonus,
)
from classpay_tui.db.statement_thread import (
    Statements,
    submit_changed,
    submit_insert,
    submit_insert_returning_ids,
    submit_update,
)
from classpay_tui.domain.statuses import WriterPaymentType, WriterPayoutStatus
from classpay_tui.services.bulk.client import ClientOutcome
from classpay_tui.services.bulk.state import SUMMARY_COLUMNS, BonusPayout, BundleWork
from classpay_tui.services.bulk.writer import WriterOutcome
from classpay_tui.services.payment_sql import ALLOCATION_COLUMNS


@dataclass(frozen=True)
class Batch:
    """What the settle decided for some bundles (``order``: their ids, ascending)."""

    order: Sequence[int]
    works: Mapping[int, BundleWork]
    clients: Mapping[int, ClientOutcome]
    writers: Mapping[int, WriterOutcome]
    bonuses: Mapping[int, Sequence[BonusPayout]]  # imported bonuses by bundle


def _summary_values(work: BundleWork, client: ClientOutcome, writer: WriterOutcome, now: datetime) -> tuple[Any, ...]:
    """The values of :data:`SUMMARY_COLUMNS`."""
    summary, bundle, payouts = client.summary, work.bundle, writer.summary
    return (
        summary.amount_paid,
        summary.balance_remaining,
        summary.client_payment_status,
        client.next_due,
        writer.compensation,
        payouts.paid,
        payouts.scheduled,
        payouts.owed_back,
        bundle.total_amount,
        bundle.deposit_amount,
        summary.deposit_paid,
        client.refunded,
        payouts.status,
        bool(work.links),
        summary.total_installments,
        summary.paid_installments,
        now,
    )


def write_batch(statements: Statements, session: Session, batch: Batch, *, scheduled_for: date, now: datetime) -> None:
    """Submit the batch's statements; the ids of new rows are known at once (for the links
    and allocations that point at them)."""
    works, clients, writers = batch.works, batch.clients, batch.writers
    new_records = [b for b in batch.order if works[b].record_id is None]
    stored = [b for b in batch.order if works[b].record_id is not None]
    _new_records(statements, session, batch, new_records, now)
    _links(statements, session, batch)
    _allocations(statements, session, batch)
    submit_changed(
        statements,
        session,
        ClassPayment,
        ("id", *SUMMARY_COLUMNS),
        [(works[b].record_id, *_summary_values(works[b], clients[b], writers[b], now)) for b in stored],
        [works[b].stored_summary for b in stored],
    )
    _bonus_payouts(statements, session, batch, now)
    _due_payouts(statements, session, batch, scheduled_for, now)


def _new_records(statements: Statements, session: Session, batch: Batch, bundle_ids: list[int], now: datetime) -> None:
    works, clients, writers = batch.works, batch.clients, batch.writers
    rows = [
        (b, works[b].bundle.writer_id, now, *_summary_values(works[b], clients[b], writers[b], now)) for b in bundle_ids
    ]
    columns = ("bundle_id", "writer_id", "created_at", *SUMMARY_COLUMNS)
    ids = submit_insert_returning_ids(statements, session, ClassPayment, columns, rows)
    for bundle_id, record_id in zip(bundle_ids, ids, strict=True):
        works[bundle_id].record_id = record_id
        works[bundle_id].record_writer_id = works[bundle_id].bundle.writer_id


_LINK_STATE = ("paid_amount", "status", "paid_at")


def _links(statements: Statements, session: Session, batch: Batch) -> None:
    """New links are inserted with their final state; changed stored ones are updated."""
    works = batch.works
    new_links, new, changed = [], [], []
    for bundle_id in batch.order:
        work = works[bundle_id]
        for link, (paid_amount, status, paid_at, differs) in zip(
            work.links, batch.clients[bundle_id].links, strict=True
        ):
            if link.id is None:
                new_links.append(link)
                new.append((work.record_id, link.installment_id, paid_amount, status, paid_at))
            elif differs:
                changed.append((link.id, paid_amount, status, paid_at))
    ids = submit_insert_returning_ids(
        statements, session, ClassPaymentInstallment, ("class_payment_id", "installment_id", *_LINK_STATE), new
    )
    for link, link_id in zip(new_links, ids, strict=True):
        link.id = link_id
    submit_update(statements, session, ClassPaymentInstallment, ("id", *_LINK_STATE), changed)


def _allocations(statements: Statements, session: Session, batch: Batch) -> None:
    works = batch.works
    rows = []
    for bundle_id in batch.order:
        work = works[bundle_id]
        record_id, links = work.record_id, work.links
        rows += [
            (
                entry_id,
                record_id,
                slot,
                links[link_index].id if link_index is not None else None,
                amount,
            )
            for entry_id, slot, link_index, amount in batch.clients[bundle_id].allocations
        ]
    submit_insert(statements, session, PaymentAllocation, ALLOCATION_COLUMNS, rows)


_PAYOUT_COLUMNS = (
    "class_payment_id",
    "writer_id",
    "amount",
    "payment_type",
    "status",
    "scheduled_for",
    "paid_at",
    "reference",
    "bonus_id",
    "created_at",
)


def _bonus_payouts(statements: Statements, session: Session, batch: Batch, now: datetime) -> None:
    """An older system's bonus for a bundle is a payout already made (or promised)."""
    works = batch.works
    rows = [
        (
            works[bundle_id].record_id,
            bonus.writer_id,
            bonus.amount,
            WriterPaymentType.PARTIAL,
            WriterPayoutStatus.PAID if bonus.is_paid else WriterPayoutStatus.SCHEDULED,
            bonus.granted_on,
            bonus.paid_at,
            f"BONUS-{bonus.ref}" if bonus.is_paid else None,
            bonus.bonus_id,
            now,
        )
        for bundle_id in batch.order
        for bonus in batch.bonuses.get(bundle_id, ())
    ]
    submit_insert(statements, session, ClassWriterPayment, _PAYOUT_COLUMNS, rows)


def _due_payouts(statements: Statements, session: Session, batch: Batch, scheduled_for: date, now: datetime) -> None:
    """The payouts the payout mode says are due, each with its bonus (``payouts.schedule_payout``)."""
    works = batch.works
    due = [(b, payout) for b in batch.order if (payout := batch.writers[b].due) is not None]
    if not due:
        return
    bonus_ids = submit_insert_returning_ids(
        statements,
        session,
        WriterBonus,
        ("writer_id", "bundle_id", "category", "amount", "granted_at", "is_paid"),
        [(works[b].writer_id, b, "class_payment", payout[0], now, False) for b, payout in due],
    )
    rows = [
        (
            works[b].record_id,
            works[b].writer_id,
            payout[0],
            payout[1],
            WriterPayoutStatus.SCHEDULED,
            scheduled_for,
            None,
            None,
            bonus_id,
            now,
        )
        for (b, payout), bonus_id in zip(due, bonus_ids, strict=True)
    ]
    submit_insert(statements, session, ClassWriterPayment, _PAYOUT_COLUMNS, rows)
