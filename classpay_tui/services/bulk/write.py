"""Writing what the bulk settle worked out: new payment records and installment links with
their final values, allocations, updated links and records, and writer payouts (with the
``WriterBonus`` each one carries) — bulk inserts and updates, a few statements in all."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from classpay_tui.db.bulk import insert_rows, insert_rows_returning_ids, update_rows
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


def _summary_values(work: BundleWork, client: ClientOutcome, writer: WriterOutcome, now: datetime) -> dict[str, Any]:
    summary, bundle = client.summary, work.bundle
    return dict(
        total_amount=bundle.total_amount,
        deposit_amount=bundle.deposit_amount,
        deposit_paid=summary.deposit_paid,
        amount_paid=summary.amount_paid,
        refunded_amount=client.refunded,
        balance_remaining=summary.balance_remaining,
        client_payment_status=summary.client_payment_status,
        writer_compensation_amount=writer.compensation,
        writer_paid_amount=writer.summary.paid,
        writer_scheduled_amount=writer.summary.scheduled,
        writer_owed_back=writer.summary.owed_back,
        writer_payment_status=writer.summary.status,
        uses_installments=bool(work.links),
        total_installments=summary.total_installments,
        paid_installments=summary.paid_installments,
        next_due_date=client.next_due,
        updated_at=now,
    )


def write(session: Session, settled: Settled, settings: OfficeSettings, now: datetime, today: date) -> None:
    works = settled.loaded.works
    order = sorted(works)
    stored = [bundle_id for bundle_id in order if works[bundle_id].record_id is not None]
    _new_records(session, settled, [b for b in order if works[b].record_id is None], now)
    _links(session, settled, order)
    _allocations(session, settled, order)
    update_rows(
        session,
        ClassPayment,
        [
            {"id": works[b].record_id, **_summary_values(works[b], settled.clients[b], settled.writers[b], now)}
            for b in stored
        ],
    )
    _bonus_payouts(session, settled, now)
    _due_payouts(session, settled, order, settings, now, today)


def _new_records(session: Session, settled: Settled, bundle_ids: list[int], now: datetime) -> None:
    works = settled.loaded.works
    rows = [
        dict(
            bundle_id=b,
            writer_id=works[b].bundle.writer_id,
            created_at=now,
            **_summary_values(works[b], settled.clients[b], settled.writers[b], now),
        )
        for b in bundle_ids
    ]
    for bundle_id, record_id in zip(bundle_ids, insert_rows_returning_ids(session, ClassPayment, rows), strict=True):
        works[bundle_id].record_id = record_id
        works[bundle_id].record_writer_id = works[bundle_id].bundle.writer_id


def _links(session: Session, settled: Settled, order: list[int]) -> None:
    """New links are inserted with their final state; changed stored ones are updated."""
    works = settled.loaded.works
    new, changed = [], []
    for bundle_id in order:
        work = works[bundle_id]
        for link, outcome in zip(work.links, settled.clients[bundle_id].links, strict=True):
            values = dict(paid_amount=outcome.paid_amount, status=outcome.status, paid_at=outcome.paid_at)
            if link.id is None:
                new.append((link, dict(class_payment_id=work.record_id, installment_id=link.installment_id, **values)))
            elif outcome.changed:
                changed.append(dict(id=link.id, **values))
    ids = insert_rows_returning_ids(session, ClassPaymentInstallment, [row for _, row in new])
    for (link, _), link_id in zip(new, ids, strict=True):
        link.id = link_id
    update_rows(session, ClassPaymentInstallment, changed)


def _allocations(session: Session, settled: Settled, order: list[int]) -> None:
    works = settled.loaded.works
    rows = []
    for bundle_id in order:
        work = works[bundle_id]
        for allocation in settled.clients[bundle_id].allocations:
            link = work.links[allocation.link_index] if allocation.link_index is not None else None
            rows.append(
                dict(
                    order_payment_id=allocation.entry_id,
                    class_payment_id=work.record_id,
                    slot=allocation.slot,
                    payment_installment_id=link.id if link else None,
                    amount=allocation.amount,
                )
            )
    insert_rows(session, PaymentAllocation, rows)


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
