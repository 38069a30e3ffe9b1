"""``classpay demo --bundles N`` for large N: the sample (:mod:`.demo_plan`) written with bulk
inserts, then settled by the same set-based path as ``classpay import``
(:mod:`classpay_tui.services.bulk`), a few thousand bundles at a time, in one transaction.
``classpay check`` proves the result equals what the ledger says."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from classpay_tui.db.bulk import bulk_work, insert_rows, insert_rows_returning_ids
from classpay_tui.db.models import ClassBundle, ClassInstallment, Client, OrderPayment, Writer
from classpay_tui.domain.errors import Conflict
from classpay_tui.services import demo_plan
from classpay_tui.services.audit import record_event
from classpay_tui.services.bulk import Entry, settle_bundles
from classpay_tui.services.class_payment_service import ClassPaymentService
from classpay_tui.services.context import OperatorContext
from classpay_tui.services.schemas import WriterIn

CHUNK = 5000
BUNDLES_PER_WRITER = 1000
CLIENTS_PER_BUNDLE = 0.7


def add_writers(service: ClassPaymentService, ctx: OperatorContext, specs: list[demo_plan.WriterSpec]) -> None:
    for spec in specs:
        with contextlib.suppress(Conflict):  # a second demo run reuses its writers
            service.add_writer(
                ctx,
                WriterIn(
                    username=spec.username,
                    display_name=spec.display_name,
                    email=f"{spec.username}@example.org",
                    percent=spec.percent,
                    per_class=spec.per_class,
                ),
            )


def fill_demo_bulk(service: ClassPaymentService, ctx: OperatorContext, *, count: int, seed: int) -> tuple[int, int]:
    """``count`` bundles with their clients, plans and payment histories; returns the
    number of writers and of payments."""
    rng = random.Random(seed)
    today, now = service.clock.today(), service.clock.now()
    writer_specs = demo_plan.writers(max(len(demo_plan.WRITERS), round(count * 0.85 / BUNDLES_PER_WRITER)), rng)
    add_writers(service, ctx, writer_specs)
    client_specs = demo_plan.clients(max(1, round(count * CLIENTS_PER_BUNDLE)), rng)
    names = [spec.username for spec in writer_specs]
    bundles = sorted(
        (demo_plan.bundle(rng, len(client_specs), names, today) for _ in range(count)), key=lambda b: b.created_at
    )
    payments = 0
    with service.db.write() as session, bulk_work(session):
        writer_ids = dict(session.execute(select(Writer.username, Writer.id).where(Writer.username.in_(names))).all())
        client_ids = _add_clients(session, client_specs, bundles, now)
        for start in range(0, len(bundles), CHUNK):
            chunk = bundles[start : start + CHUNK]
            bundle_ids = _add_bundles(session, chunk, client_ids, writer_ids)
            entries = _add_payments(session, chunk, bundle_ids, rng, ctx.login, now)
            problems = settle_bundles(session, bundle_ids, now=now, today=today, new_entries=entries)
            if problems:  # the sample is valid by construction: this is a bug
                raise RuntimeError(f"demo data could not be settled: {problems[0].where}: {problems[0].why}")
            payments += len(entries)
        record_event(
            session,
            ctx,
            now,
            "demo.fill",
            "demo",
            0,
            after={"bundles": count, "clients": len(client_specs), "payments": payments, "seed": seed},
        )
    service.db.refresh_statistics()
    return len(writer_specs), payments


def _add_clients(
    session: Session, specs: list[demo_plan.ClientSpec], bundles: list[demo_plan.BundleSpec], now: datetime
) -> list[int]:
    """Each client is created when their first bundle was."""
    first: dict[int, datetime] = {}
    for spec in bundles:
        first.setdefault(spec.client, spec.created_at)
    rows = [
        dict(name=spec.name, email=spec.email, phone=spec.phone, notes=None, created_at=first.get(index, now))
        for index, spec in enumerate(specs)
    ]
    return insert_rows_returning_ids(session, Client, rows)


def _add_bundles(
    session: Session, chunk: Sequence[demo_plan.BundleSpec], client_ids: list[int], writer_ids: dict[str, int]
) -> list[int]:
    rows = [
        dict(
            client_id=client_ids[spec.client],
            title=spec.title,
            number_of_classes=spec.classes,
            total_amount=spec.total,
            deposit_amount=spec.deposit,
            status=spec.status,
            writer_id=writer_ids[spec.writer] if spec.writer else None,
            compensation_override=spec.override,
            payout_mode=spec.payout_mode,
            start_date=spec.started,
            created_at=spec.created_at,
            updated_at=spec.created_at,
        )
        for spec in chunk
    ]
    bundle_ids = insert_rows_returning_ids(session, ClassBundle, rows)
    insert_rows(
        session,
        ClassInstallment,
        [
            dict(bundle_id=bundle_id, installment_number=item.number, amount=item.amount, due_date=item.due_date)
            for spec, bundle_id in zip(chunk, bundle_ids, strict=True)
            for item in spec.plan
        ],
    )
    return bundle_ids


def _add_payments(
    session: Session,
    chunk: Sequence[demo_plan.BundleSpec],
    bundle_ids: list[int],
    rng: random.Random,
    login: str,
    now: datetime,
) -> list[Entry]:
    """Each bundle's payment history, as ledger entries not yet allocated."""
    rows = []
    today = now.date()
    for spec, bundle_id in zip(chunk, bundle_ids, strict=True):
        for number, payment in enumerate(demo_plan.history(spec, rng, today), 1):
            received = now if payment.on == today else demo_plan.noon(payment.on)
            rows.append(
                dict(
                    bundle_id=bundle_id,
                    kind=payment.kind,
                    amount=payment.amount,
                    method=payment.method,
                    reference=f"DEMO-{bundle_id}-{number}",
                    target_installment=payment.target,
                    received_at=received,
                    recorded_at=received,
                    recorded_by=login,
                    note=None,
                )
            )
    ids = insert_rows_returning_ids(session, OrderPayment, rows)
    return [
        Entry(
            id=entry_id,
            bundle_id=row["bundle_id"],
            kind=row["kind"],
            amount=row["amount"],
            reference=row["reference"],
            target_installment=row["target_installment"],
            received_at=row["received_at"],
            reverses_id=None,
        )
        for row, entry_id in zip(rows, ids, strict=True)
    ]
