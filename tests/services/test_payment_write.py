"""The Core write path for client payments (``services.payment_write``) against the ORM
path it stands in for (``PaymentOperations._record_entry``): from the same state, the
same payment must write the very same rows — ledger, allocations, installments, summary,
payouts, bonuses and the audit event with its hash — and return the same result, whose
details equal what ``get_payment_details`` reads back afterwards."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Connection, select

from classpay_tui.db.models import (
    AuditEvent,
    ClassPayment,
    ClassPaymentInstallment,
    ClassWriterPayment,
    OrderPayment,
    PaymentAllocation,
    WriterBonus,
)
from classpay_tui.domain.allocation import (
    Allocation,
    BundleDebt,
    allocate_to_bundle,
    allocate_to_deposit,
    allocate_to_installment,
)
from classpay_tui.domain.errors import Refused
from classpay_tui.domain.statuses import PaymentKind
from classpay_tui.services.payment_ops import _created
from classpay_tui.services.payment_sql import BY_BUNDLE, BY_INSTALLMENT
from classpay_tui.services.payment_write import record_client_payment
from classpay_tui.services.schemas import BatchLine, PaymentIn, PaymentResult
from tests.builders import pay, seed_bundle, writer

WRITTEN = (OrderPayment, PaymentAllocation, ClassPaymentInstallment, ClassPayment, ClassWriterPayment, WriterBonus)


class _RolledBack(Exception):
    pass


def _rows(connection: Connection) -> dict[str, list[tuple[Any, ...]]]:
    tables = {model.__tablename__: model.__table__ for model in (*WRITTEN, AuditEvent)}
    return {
        name: [tuple(row) for row in connection.execute(select(table).order_by(table.c.id))]
        for name, table in tables.items()
    }


def _restart_ids(service) -> None:
    """PostgreSQL does not roll back its sequences: make the next ids those after the
    largest committed, so both paths get the same ones (SQLite reuses them by itself)."""
    if service.db.is_sqlite:
        return
    with service.db.engine.begin() as connection:
        for model in (*WRITTEN, AuditEvent):
            name = model.__tablename__
            connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {name}"
            )


def _request(service, kind: PaymentKind, amount: str, reference: str, **fields: Any):
    data = PaymentIn(amount=Decimal(amount), reference=reference, received_on=fields.pop("received_on", None))
    return service._entry_request(kind, Decimal(amount), data, **fields)


def both_paths(
    service,
    ctx,
    bundle_id: int,
    kind: PaymentKind,
    amount: str,
    allocate: Callable[[BundleDebt], list[Allocation]],
    *,
    installment_number: int | None = None,
    installment_id: int | None = None,
    received_on: date | None = None,
) -> tuple[PaymentResult, PaymentResult]:
    """The payment through each path, each in a transaction rolled back afterwards;
    asserts both wrote the same rows, and returns both results."""
    request = _request(
        service,
        kind,
        amount,
        f"SAME-{bundle_id}-{amount}",
        target_installment=installment_number,
        received_on=received_on,
    )
    outcomes = []
    _restart_ids(service)
    try:
        with service.db.write_connection() as connection:
            if installment_id is None:
                by, key, allocating = BY_BUNDLE, bundle_id, lambda debt, _number: allocate(debt)
            else:
                by, key, allocating = BY_INSTALLMENT, installment_id, lambda debt, _number: allocate(debt)
                request = _request(service, kind, amount, request.reference, received_on=received_on)
            recorded = record_client_payment(
                connection,
                ctx,
                request,
                by=by,
                key=key,
                allocate=allocating,
                now=service.clock.now(),
                today=service.clock.today(),
                currency=service.currency(),
            )
            assert recorded is not None, "the Core path handed the payment back"
            outcomes.append((_created(kind, recorded), _rows(connection)))
            raise _RolledBack
    except _RolledBack:
        pass
    orm_request = _request(
        service,
        kind,
        amount,
        request.reference,
        target_installment=installment_number or request.target_installment,
        received_on=received_on,
    )
    _restart_ids(service)
    try:
        with service.db.write() as session:
            result = service._record_entry(session, ctx, bundle_id, orm_request, lambda state: allocate(state.debt))
            session.flush()
            outcomes.append((result, _rows(session.connection())))
            raise _RolledBack
    except _RolledBack:
        pass
    (core, core_rows), (orm, orm_rows) = outcomes
    for name in core_rows:
        assert core_rows[name] == orm_rows[name], name
    assert core.model_dump() == orm.model_dump()
    return core, orm


@pytest.fixture
def bundle(service, admin):
    writer(service, admin)
    return seed_bundle(service, admin)


def test_a_deposit_then_installments_then_the_last_one_with_its_payout(service, admin, bundle):
    bundle_id = bundle.bundle_id
    both_paths(
        service, admin, bundle_id, PaymentKind.DEPOSIT, "150.00", lambda debt: allocate_to_deposit(debt, Decimal("150"))
    )
    pay(service, admin, bundle_id, "200.00", deposit=True)
    both_paths(
        service,
        admin,
        bundle_id,
        PaymentKind.INSTALLMENT,
        "120.00",
        lambda debt: allocate_to_installment(debt, 1, Decimal("120")),
        installment_number=1,
    )
    pay(service, admin, bundle_id, "600.00", installment_number=None)
    core, _ = both_paths(
        service,
        admin,
        bundle_id,
        PaymentKind.INSTALLMENT,
        "200.00",
        lambda debt: allocate_to_installment(debt, 4, Decimal("200")),
        installment_number=4,
    )
    assert core.details.client_payment_status.value == "paid"
    assert [(p.payment_type.value, p.amount) for p in core.details.writer_payments] == [("full", Decimal("600.00"))]


def test_a_bundle_payment_across_the_deposit_and_two_installments(service, admin, bundle):
    core, _ = both_paths(
        service,
        admin,
        bundle.bundle_id,
        PaymentKind.PAYMENT,
        "500.00",
        lambda debt: allocate_to_bundle(debt, Decimal("500")),
    )
    assert [(a.slot, a.installment_number) for a in core.payment.allocations] == [
        ("deposit", None),
        ("installment", 1),
        ("installment", 2),
    ]


def test_an_installment_named_by_id_and_paid_on_an_earlier_day(service, admin, bundle):
    pay(service, admin, bundle.bundle_id, "200.00", deposit=True)
    second = bundle.installments[1]
    pay(service, admin, bundle.bundle_id, "200.00", installment_number=1)
    core, _ = both_paths(
        service,
        admin,
        bundle.bundle_id,
        PaymentKind.INSTALLMENT,
        "200.00",
        lambda debt: allocate_to_installment(debt, 2, Decimal("200")),
        installment_number=2,
        installment_id=second.id,
        received_on=date(2024, 1, 3),
    )
    assert core.payment.received_at.isoformat() == "2024-01-03T12:00:00+00:00"
    assert next(i for i in core.details.installments if i.installment_number == 2).paid_at == core.payment.received_at


def test_every_payment_schedules_its_share_per_installment(service, admin, bundle):
    service.set_payout_mode(admin, "per_installment", bundle_id=bundle.bundle_id)
    pay(service, admin, bundle.bundle_id, "200.00", deposit=True)
    core, _ = both_paths(
        service,
        admin,
        bundle.bundle_id,
        PaymentKind.PAYMENT,
        "250.00",
        lambda debt: allocate_to_bundle(debt, Decimal("250")),
    )
    assert [(p.payment_type.value, p.amount) for p in core.details.writer_payments] == [
        ("installment", Decimal("120.00")),
        ("installment", Decimal("150.00")),
    ]


def test_after_a_refund_a_reversal_and_a_reassignment_with_payouts_kept(service, admin, bundle):
    bundle_id = bundle.bundle_id
    service.set_payout_mode(admin, "per_installment", bundle_id=bundle_id)
    first = pay(service, admin, bundle_id, "400.00")
    [payout] = first.details.writer_payments
    service.pay_payout(admin, payout.id, "PAID-1")
    service.refund(admin, bundle_id, PaymentIn(amount=Decimal("100.00"), reference="BACK-1"))
    second = pay(service, admin, bundle_id, "150.00")
    service.reverse_payment(admin, second.payment.id, "typed twice")
    writer(service, admin, "writer2")
    service.assign_writer(admin, bundle_id, "writer2")
    core, _ = both_paths(
        service,
        admin,
        bundle_id,
        PaymentKind.PAYMENT,
        "300.00",
        lambda debt: allocate_to_bundle(debt, Decimal("300")),
    )
    assert core.details.refunded_amount == Decimal("100.00")
    assert {p.writer_username for p in core.details.writer_payments} == {"writer1", "writer2"}


def test_a_bundle_without_installments_and_without_a_writer(service, admin):
    bundle = seed_bundle(service, admin, installments=0, writer_name=None)
    core, _ = both_paths(
        service,
        admin,
        bundle.bundle_id,
        PaymentKind.PAYMENT,
        "1000.00",
        lambda debt: allocate_to_bundle(debt, Decimal("1000")),
    )
    assert [a.slot for a in core.payment.allocations] == ["deposit", "balance"]
    assert core.details.writer_payments == []


def test_the_result_equals_the_details_read_back(service, admin, bundle):
    pay(service, admin, bundle.bundle_id, "200.00", deposit=True)
    for item in bundle.installments:
        result = service.record_installment_payment(
            admin, item.id, PaymentIn(amount=item.amount, reference=f"I{item.id}")
        )
        assert result.created
        assert result.details == service.get_payment_details(admin, bundle.bundle_id)
        assert (
            result.details.model_dump_json() == service.get_payment_details(admin, bundle.bundle_id).model_dump_json()
        )
    assert result.details.writer_payments[0].status.value == "scheduled"
    assert service.check(admin).ok


def test_a_refusal_writes_nothing(service, admin, bundle):
    pay(service, admin, bundle.bundle_id, "200.00", deposit=True)
    first = bundle.installments[0]
    service.record_installment_payment(admin, first.id, PaymentIn(amount=first.amount, reference="ONCE"))
    before = service.get_payment_details(admin, bundle.bundle_id)
    events = len(service.audit_events(admin))
    with pytest.raises(Refused, match="already paid"):
        service.record_installment_payment(admin, first.id, PaymentIn(amount=first.amount, reference="TWICE"))
    assert service.get_payment_details(admin, bundle.bundle_id) == before
    assert len(service.audit_events(admin)) == events


def test_a_batch_mixing_a_new_payment_record_and_the_core_path_on_one_bundle(service, admin, bundle):
    """Bulk entry runs every line in one session: a line that takes the ORM path (here the
    first payment ever on a bundle that has no payment record yet) and a later line on the
    same bundle through the Core path must both count."""
    from classpay_tui.db.models import ClassBundle, Client

    with service.db.write() as session:
        client = session.scalar(select(Client))
        bare = ClassBundle(
            client_id=client.id,
            title="No record yet",
            number_of_classes=2,
            total_amount=Decimal("300.00"),
            deposit_amount=Decimal("0.00"),
            status=bundle.bundle_status,
            created_at=service.clock.now(),
            updated_at=service.clock.now(),
        )
        session.add(bare)
        session.flush()
        bare_id = bare.id
    results = service.record_payments(
        admin,
        [
            BatchLine(bundle_id=bare_id, payment=PaymentIn(amount=Decimal("100.00"), reference="B-1")),
            BatchLine(bundle_id=bundle.bundle_id, payment=PaymentIn(amount=Decimal("200.00"), reference="B-2")),
            BatchLine(bundle_id=bare_id, payment=PaymentIn(amount=Decimal("150.00"), reference="B-3")),
        ],
    )
    assert [r.details.amount_paid for r in results] == [Decimal("100.00"), Decimal("200.00"), Decimal("250.00")]
    assert service.get_payment_details(admin, bare_id) == results[2].details
    assert service.check(admin).ok
