"""Writing what the bulk settle worked out: new payment records and installment links with
their final values, allocations, updated links and records, and writer payouts (with the
``WriterBonus`` each one carries) — bulk inserts and updates, a few statements in all."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from classpay_tui.db.bulk import (
    insert_rows,
    insert_rows_returning_ids,
    insert_values,
    insert_values_returning_ids,
    update_values,
)
from classpay_tui.db.models import (
    ClassPayment,
    ClassPaymentInstallment,
    ClassWriterPayment,
    OfficeSettings,
    PaymentAllocation,
    WriterBonus,
)
from classpay_tui.domain.compensation import next_payout_day
from classpay_tui.domain.statuses import WriterPaymentType, WriterPayoutStatus
from classpay_tui.services.bulk.client import ClientOutcome
from classpay_tui.services.bulk.load import Loaded
from classpay_tui.services.bulk.state import BonusPayout, BundleWork
from classpay_tui.services.bulk.writer import WriterOutcome


@dataclass(frozen=True)
class Settled:
    """Everything the settle decided, bundle by bundle."""

    loaded: Loaded
    clients: dict[int, ClientOutcome]
    writers: dict[int, WriterOutcome]
    bonuses: Sequence[BonusPayout]


_SUMMARY_COLUMNS = (
    "total_amount",
    "deposit_amount",
    "deposit_paid",
    "amount_paid",
    "refunded_amount",
    "balance_remaining",
    "client_payment_status",
    "writer_compensation_amount",
    "writer_paid_amount",
    "writer_scheduled_amount",
    "writer_owed_back",
    "writer_payment_status",
    "uses_installments",
    "total_installments",
    "paid_installments",
    "next_due_date",
    "updated_at",
)


def _summary_values(work: BundleWork, client: ClientOutcome, writer: WriterOutcome, now: datetime) -> tuple[Any, ...]:
    """The values of :data:`_SUMMARY_COLUMNS`."""
    summary, bundle, payouts = client.summary, work.bundle, writer.summary
    return (
        bundle.total_amount,
        bundle.deposit_amount,
        summary.deposit_paid,
        summary.amount_paid,
        client.refunded,
        summary.balance_remaining,
        summary.client_payment_status,
        writer.compensation,
        payouts.paid,
        payouts.scheduled,
        payouts.owed_back,
        payouts.status,
        bool(work.links),
        summary.total_installments,
        summary.paid_installments,
        client.next_due,
        now,
    )


def write(session: Session, settled: Settled, settings: OfficeSettings, now: datetime, today: date) -> None:
    works, clients, writers = settled.loaded.works, settled.clients, settled.writers
    order = sorted(works)
    stored = [bundle_id for bundle_id in order if works[bundle_id].record_id is not None]
    _new_records(session, settled, [b for b in order if works[b].record_id is None], now)
    _links(session, settled, order)
    _allocations(session, settled, order)
    update_values(
        session,
        ClassPayment,
        ("id", *_SUMMARY_COLUMNS),
        [(works[b].record_id, *_summary_values(works[b], clients[b], writers[b], now)) for b in stored],
    )
    _bonus_payouts(session, settled, now)
    _due_payouts(session, settled, order, settings, now, today)


def _new_records(session: Session, settled: Settled, bundle_ids: list[int], now: datetime) -> None:
    works, clients, writers = settled.loaded.works, settled.clients, settled.writers
    rows = [
        (b, works[b].bundle.writer_id, now, *_summary_values(works[b], clients[b], writers[b], now)) for b in bundle_ids
    ]
    columns = ("bundle_id", "writer_id", "created_at", *_SUMMARY_COLUMNS)
    ids = insert_values_returning_ids(session, ClassPayment, columns, rows)
    for bundle_id, record_id in zip(bundle_ids, ids, strict=True):
        works[bundle_id].record_id = record_id
        works[bundle_id].record_writer_id = works[bundle_id].bundle.writer_id


_LINK_STATE = ("paid_amount", "status", "paid_at")


def _links(session: Session, settled: Settled, order: list[int]) -> None:
    """New links are inserted with their final state; changed stored ones are updated."""
    works = settled.loaded.works
    new_links, new, changed = [], [], []
    for bundle_id in order:
        work = works[bundle_id]
        for link, outcome in zip(work.links, settled.clients[bundle_id].links, strict=True):
            if link.id is None:
                new_links.append(link)
                new.append((work.record_id, link.installment_id, outcome.paid_amount, outcome.status, outcome.paid_at))
            elif outcome.changed:
                changed.append((link.id, outcome.paid_amount, outcome.status, outcome.paid_at))
    ids = insert_values_returning_ids(
        session, ClassPaymentInstallment, ("class_payment_id", "installment_id", *_LINK_STATE), new
    )
    for link, link_id in zip(new_links, ids, strict=True):
        link.id = link_id
    update_values(session, ClassPaymentInstallment, ("id", *_LINK_STATE), changed)


def _allocations(session: Session, settled: Settled, order: list[int]) -> None:
    works = settled.loaded.works
    rows = []
    for bundle_id in order:
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
            for entry_id, slot, link_index, amount in settled.clients[bundle_id].allocations
        ]
    insert_values(
        session,
        PaymentAllocation,
        ("order_payment_id", "class_payment_id", "slot", "payment_installment_id", "amount"),
        rows,
    )


def _bonus_payouts(session: Session, settled: Settled, now: datetime) -> None:
    """An older system's bonus for a bundle is a payout already made (or promised)."""
    works = settled.loaded.works
    rows = [
        dict(
            class_payment_id=works[bonus.bundle_id].record_id,
            writer_id=bonus.writer_id,
            amount=bonus.amount,
            payment_type=WriterPaymentType.PARTIAL,
            status=WriterPayoutStatus.PAID if bonus.is_paid else WriterPayoutStatus.SCHEDULED,
            scheduled_for=bonus.granted_on,
            paid_at=bonus.paid_at,
            reference=f"BONUS-{bonus.ref}" if bonus.is_paid else None,
            bonus_id=bonus.bonus_id,
            created_at=now,
        )
        for bonus in settled.bonuses
    ]
    insert_rows(session, ClassWriterPayment, rows)


def _due_payouts(
    session: Session, settled: Settled, order: list[int], settings: OfficeSettings, now: datetime, today: date
) -> None:
    """The payouts the payout mode says are due, each with its bonus (``payouts.schedule_payout``)."""
    works = settled.loaded.works
    due = [(b, payout) for b in order if (payout := settled.writers[b].due) is not None]
    bonuses = [
        dict(
            writer_id=works[b].writer_id,
            bundle_id=b,
            category="class_payment",
            amount=payout[0],
            granted_at=now,
            is_paid=False,
        )
        for b, payout in due
    ]
    bonus_ids = insert_rows_returning_ids(session, WriterBonus, bonuses)
    scheduled_for = next_payout_day(today, settings.payout_weekday)
    rows = [
        dict(
            class_payment_id=works[b].record_id,
            writer_id=works[b].writer_id,
            amount=payout[0],
            payment_type=payout[1],
            status=WriterPayoutStatus.SCHEDULED,
            scheduled_for=scheduled_for,
            bonus_id=bonus_id,
            created_at=now,
        )
        for (b, payout), bonus_id in zip(due, bonus_ids, strict=True)
    ]
    insert_rows(session, ClassWriterPayment, rows)
