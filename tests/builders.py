"""Small helpers to build the situations the tests talk about."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

from classpay_tui.domain.plans import Frequency
from classpay_tui.services import ClassPaymentService, OperatorContext
from classpay_tui.services.schemas import BundleIn, PaymentDetails, PaymentIn, PaymentResult, PlanIn, WriterIn

_counter = iter(range(1, 10**9))
# For helpers that only read: the same admin the `admin` fixture gives.
READER = OperatorContext(login="alice")


def writer(service: ClassPaymentService, ctx: OperatorContext, username: str = "writer1", **rule: object) -> int:
    return service.add_writer(ctx, WriterIn(username=username, **rule)).id  # type: ignore[arg-type]


def seed_bundle(
    service: ClassPaymentService,
    ctx: OperatorContext,
    *,
    total: str = "1000.00",
    deposit: str = "200.00",
    installments: int = 4,
    writer_name: str | None = "writer1",
    first_due: date = date(2024, 1, 15),
    every: Frequency = Frequency.MONTH,
    classes: int = 10,
) -> PaymentDetails:
    """The seed's example bundle: 10 classes, 1000.00, deposit 200.00, 4 monthly installments."""
    return service.create_bundle(
        ctx,
        BundleIn(
            client_name="Dana Client",
            title="Essay Writing",
            number_of_classes=classes,
            total_amount=Decimal(total),
            deposit_amount=Decimal(deposit),
            plan=PlanIn(count=installments, first_due=first_due, every=every) if installments else None,
            writer=writer_name,
        ),
    )


def pay(
    service: ClassPaymentService,
    ctx: OperatorContext,
    bundle_id: int,
    amount: str,
    *,
    reference: str | None = None,
    **target: object,
) -> PaymentResult:
    return service.record_payment(
        ctx,
        bundle_id,
        PaymentIn(amount=Decimal(amount), reference=reference or f"REF-{next(_counter)}"),
        **target,  # type: ignore[arg-type]
    )


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    """A CSV file for the import: ``header``, then ``rows``."""
    with path.open("w", newline="") as stream:
        out = csv.writer(stream)
        out.writerow(header)
        out.writerows(rows)
    return path
