"""Realistic sample data, recorded through the service so every number is consistent."""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from classpay_tui.domain.errors import ClasspayError, Conflict
from classpay_tui.domain.plans import Frequency
from classpay_tui.domain.statuses import PaymentMethod
from classpay_tui.services.class_payment_service import ClassPaymentService
from classpay_tui.services.context import OperatorContext
from classpay_tui.services.demo_bulk import fill_demo_bulk
from classpay_tui.services.demo_names import COURSES, FIRST_NAMES, LAST_NAMES, WRITERS
from classpay_tui.services.schemas import BundleIn, PaymentIn, PlanIn, WriterIn

BULK_FROM = 500


@dataclass(frozen=True)
class DemoCounts:
    writers: int
    bundles: int
    payments: int


def _writers(service: ClassPaymentService, ctx: OperatorContext) -> list[str]:
    names = []
    for username, name, percent, per_class in WRITERS:
        # A second demo run on the same database reuses its writers.
        with contextlib.suppress(Conflict):
            service.add_writer(
                ctx,
                WriterIn(
                    username=username,
                    display_name=name,
                    email=f"{username}@example.org",
                    percent=percent,
                    per_class=per_class,
                ),
            )
        names.append(username)
    return names


def fill_demo(service: ClassPaymentService, ctx: OperatorContext, *, count: int, seed: int = 7) -> DemoCounts:
    """``count`` bundles with payment histories. Up to :data:`BULK_FROM` bundles go through the
    service one by one; more are written in bulk (:mod:`.demo_bulk`)."""
    if count > BULK_FROM:
        writers, payments = fill_demo_bulk(service, ctx, count=count, seed=seed)
        return DemoCounts(writers=writers, bundles=count, payments=payments)
    rng = random.Random(seed)
    writers = _writers(service, ctx)
    today = service.clock.today()
    payments = 0
    for index in range(count):
        client = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        classes = rng.choice((4, 6, 8, 10, 12, 16, 20))
        total = Decimal(classes * rng.choice((60, 75, 80, 95, 100, 120)))
        deposit = (total * rng.choice((Decimal("0"), Decimal("0.1"), Decimal("0.2"), Decimal("0.25")))).quantize(
            Decimal("1")
        )
        installments = rng.choice((0, 2, 3, 4, 4, 6))
        every = rng.choice(list(Frequency))
        started = today - timedelta(days=rng.randint(0, 150))
        details = service.create_bundle(
            ctx,
            BundleIn(
                client_name=client,
                title=rng.choice(COURSES),
                number_of_classes=classes,
                total_amount=total,
                deposit_amount=deposit,
                plan=PlanIn(count=installments, first_due=started + timedelta(days=14), every=every)
                if installments and total > deposit
                else None,
                writer=rng.choice(writers) if rng.random() < 0.85 else None,
                start_date=started,
                client_email=f"{client.lower().replace(' ', '.')}@example.com",
            ),
        )
        payments += _pay_history(service, ctx, details.bundle_id, started, today, rng, index)
    return DemoCounts(writers=len(writers), bundles=count, payments=payments)


def _pay_history(
    service: ClassPaymentService,
    ctx: OperatorContext,
    bundle_id: int,
    started: date,
    today: date,
    rng: random.Random,
    index: int,
) -> int:
    """Pay the deposit and the installments already due, with some clients behind."""
    details = service.get_payment_details(ctx, bundle_id)
    diligence = rng.random()
    made = 0

    def pay(amount: Decimal, on: date, **target: object) -> None:
        nonlocal made
        reference = f"DEMO-{bundle_id}-{made + 1}-{index}"
        method = rng.choice(list(PaymentMethod))
        service.record_payment(
            ctx, bundle_id, PaymentIn(amount=amount, reference=reference, method=method, received_on=on), **target
        )
        made += 1

    if diligence < 0.08:
        return 0  # not started paying
    if details.deposit_amount > 0:
        pay(details.deposit_amount, min(today, started), deposit=True)
    if not details.installments:
        balance = details.total_amount - details.deposit_amount
        if balance > 0 and diligence > 0.4:
            pay(balance, min(today, started + timedelta(days=rng.randint(1, 30))))
        return made
    for item in details.installments:
        if item.due_date > today or rng.random() > diligence + 0.3:
            break
        try:
            if rng.random() < 0.15:  # paid in two parts
                half = (item.amount / 2).quantize(Decimal("0.01"))
                pay(half, min(today, item.due_date), installment_number=item.installment_number)
                if rng.random() < 0.6:
                    pay(
                        item.amount - half,
                        min(today, item.due_date + timedelta(days=5)),
                        installment_number=item.installment_number,
                    )
                else:
                    break
            else:
                pay(
                    item.amount,
                    min(today, item.due_date - timedelta(days=rng.randint(0, 3))),
                    installment_number=item.installment_number,
                )
        except ClasspayError:
            break
    return made
