"""Rule 3 and 4: recording client payments, allocation, refusals, idempotent references."""

from __future__ import annotations

from decimal import Decimal

import pytest

from classpay_tui.domain.errors import Conflict, InvalidInput, NotFound, Refused
from classpay_tui.domain.statuses import ClientPaymentStatus, InstallmentStatus, PaymentKind
from classpay_tui.services.schemas import PaymentIn
from tests.builders import READER, pay, seed_bundle, writer


@pytest.fixture
def bundle(service, admin):
    writer(service, admin)
    return seed_bundle(service, admin)


def ledger_size(service, bundle_id: int) -> int:
    return len(service.get_payment_details(READER, bundle_id).ledger)


def test_seed_example_comes_out_exactly(service, admin, bundle):
    pay(service, admin, bundle.bundle_id, "200.00", deposit=True)
    result = pay(service, admin, bundle.bundle_id, "200.00", installment_number=1)
    details = result.details
    assert details.balance_remaining == Decimal("600.00")
    assert details.payment_progress == Decimal("40.0")
    assert details.client_payment_status is ClientPaymentStatus.PARTIAL
    assert details.paid_installments == 1
    assert details.deposit_paid == Decimal("200.00")
    assert details.writer_compensation_amount == Decimal("600.00")
    assert result.effect == "installment 1 of 4 paid; balance 800.00 → 600.00"
    dumped = details.model_dump(mode="json")
    assert dumped["balance_remaining"] == "600.00"
    assert dumped["payment_progress"] == 40.0
    assert dumped["installments"][0]["paid_at"] == "2024-01-15T10:00:00Z"


def test_bundle_payment_fills_deposit_first_then_oldest_installment(service, admin, bundle):
    result = pay(service, admin, bundle.bundle_id, "500.00")
    assert result.payment.kind is PaymentKind.PAYMENT
    assert [(a.slot, a.installment_number, a.amount) for a in result.payment.allocations] == [
        ("deposit", None, Decimal("200.00")),
        ("installment", 1, Decimal("200.00")),
        ("installment", 2, Decimal("100.00")),
    ]
    installments = result.details.installments
    assert [i.status for i in installments[:3]] == [
        InstallmentStatus.PAID,
        InstallmentStatus.PARTIAL,
        InstallmentStatus.PENDING,
    ]
    assert installments[1].remaining == Decimal("100.00")
    assert result.details.next_due_date == installments[1].due_date


def test_installment_cannot_be_paid_before_the_deposit(service, admin, bundle):
    with pytest.raises(Refused, match="deposit .* must be paid before any installment"):
        pay(service, admin, bundle.bundle_id, "200.00", installment_number=1)
    assert ledger_size(service, bundle.bundle_id) == 0


def test_overpayment_names_the_exact_excess_and_writes_nothing(service, admin, bundle):
    pay(service, admin, bundle.bundle_id, "200.00", deposit=True)
    with pytest.raises(Refused, match=r"900\.00 is 100\.00 more than the 800\.00 still owed"):
        pay(service, admin, bundle.bundle_id, "900.00")
    with pytest.raises(Refused, match=r"250\.00 is 50\.00 more than the 200\.00 still owed on installment 2"):
        pay(service, admin, bundle.bundle_id, "250.00", installment_number=2)
    assert ledger_size(service, bundle.bundle_id) == 1
    assert service.check(admin).ok


def test_an_installment_is_never_paid_twice(service, admin, bundle):
    pay(service, admin, bundle.bundle_id, "200.00", deposit=True)
    pay(service, admin, bundle.bundle_id, "200.00", installment_number=3)
    with pytest.raises(Refused, match="Installment 3 of bundle .* is already paid"):
        pay(service, admin, bundle.bundle_id, "200.00", installment_number=3)
    with pytest.raises(Refused, match="deposit .* is already paid"):
        pay(service, admin, bundle.bundle_id, "1.00", deposit=True)
    assert ledger_size(service, bundle.bundle_id) == 2


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5.00"), Decimal("1.234")])
def test_bad_amounts_are_refused(service, admin, bundle, amount):
    with pytest.raises(InvalidInput):
        service.record_payment(admin, bundle.bundle_id, PaymentIn(amount=amount, reference="R-1"))
    assert ledger_size(service, bundle.bundle_id) == 0


def test_float_amounts_never_get_in(service, admin, bundle):
    with pytest.raises(InvalidInput, match="never as a float"):
        PaymentIn(amount=200.0, reference="R-1")


def test_same_reference_is_a_safe_retry(service, admin, bundle):
    first = pay(service, admin, bundle.bundle_id, "200.00", reference="DEP-1", deposit=True)
    again = pay(service, admin, bundle.bundle_id, "200.00", reference="DEP-1", deposit=True)
    assert first.created and not again.created
    assert again.payment.id == first.payment.id
    assert "already recorded" in again.effect
    assert ledger_size(service, bundle.bundle_id) == 1


def test_same_reference_with_different_amount_or_bundle_is_a_conflict(service, admin, bundle):
    other = seed_bundle(service, admin)
    pay(service, admin, bundle.bundle_id, "200.00", reference="DEP-1", deposit=True)
    with pytest.raises(Conflict, match="DEP-1 was already used for a deposit of 200.00 on bundle"):
        pay(service, admin, bundle.bundle_id, "150.00", reference="DEP-1", deposit=True)
    with pytest.raises(Conflict, match="already used"):
        pay(service, admin, other.bundle_id, "200.00", reference="DEP-1", deposit=True)
    assert ledger_size(service, other.bundle_id) == 0


def test_unknown_bundle_and_installment(service, admin, bundle):
    with pytest.raises(NotFound, match="no bundle 999"):
        pay(service, admin, 999, "10.00")
    with pytest.raises(NotFound, match="no installment 999"):
        service.record_installment_payment(admin, 999, PaymentIn(amount=Decimal("1.00"), reference="X"))
    pay(service, admin, bundle.bundle_id, "200.00", deposit=True)
    with pytest.raises(InvalidInput, match="installments 1 to 4, not 9"):
        pay(service, admin, bundle.bundle_id, "10.00", installment_number=9)


def test_record_installment_payment_by_installment_id(service, admin, bundle):
    pay(service, admin, bundle.bundle_id, "200.00", deposit=True)
    second = bundle.installments[1]
    result = service.record_installment_payment(admin, second.id, PaymentIn(amount=Decimal("200.00"), reference="I-2"))
    assert result.payment.kind is PaymentKind.INSTALLMENT
    assert result.details.installments[1].is_paid
    assert not result.details.installments[0].is_paid


def test_bundle_without_installments_is_paid_in_full_after_the_deposit(service, admin):
    writer(service, admin)
    bundle = seed_bundle(service, admin, installments=0)
    assert not bundle.uses_installments and bundle.total_installments == 0
    pay(service, admin, bundle.bundle_id, "200.00", deposit=True)
    result = pay(service, admin, bundle.bundle_id, "800.00")
    assert result.details.client_payment_status is ClientPaymentStatus.PAID
    assert result.details.balance_remaining == Decimal("0.00")
    assert [a.slot for a in result.payment.allocations] == ["balance"]


def test_paying_in_full_schedules_one_writer_payout_on_the_next_payout_day(service, admin, bundle):
    pay(service, admin, bundle.bundle_id, "600.00")
    assert service.get_payment_details(admin, bundle.bundle_id).writer_payments == []
    details = pay(service, admin, bundle.bundle_id, "400.00").details
    assert details.client_payment_status is ClientPaymentStatus.PAID
    [payout] = details.writer_payments
    assert payout.amount == Decimal("600.00")
    assert payout.payment_type.value == "full" and payout.status.value == "scheduled"
    assert payout.scheduled_for.isoformat() == "2024-01-19"  # the Friday after Monday 2024-01-15
    assert payout.bonus_id is not None
    for _ in range(3):
        refreshed = service.refresh_status(admin, details.id)
    assert len(refreshed.writer_payments) == 1
    assert refreshed.writer_scheduled_amount == Decimal("600.00")
    assert refreshed.writer_payment_status.value == "scheduled"
    assert service.check(admin).ok


def test_past_payment_date_is_kept_and_future_date_refused(service, admin, bundle, clock):
    from datetime import date

    result = service.record_payment(
        admin,
        bundle.bundle_id,
        PaymentIn(amount=Decimal("200.00"), reference="OLD", received_on=date(2024, 1, 2)),
        deposit=True,
    )
    assert result.payment.received_at.isoformat() == "2024-01-02T12:00:00+00:00"
    with pytest.raises(InvalidInput, match="in the future"):
        service.record_payment(
            admin, bundle.bundle_id, PaymentIn(amount=Decimal("1.00"), reference="NEW", received_on=date(2024, 2, 1))
        )


def test_every_write_is_audited_in_a_chain(service, admin, bundle):
    pay(service, admin, bundle.bundle_id, "200.00", deposit=True)
    report = service.check(admin)
    assert report.ok
    # writer.add, bundle.create, payment.deposit
    assert report.audit_events_checked == 3


def test_bulk_entry_is_all_or_nothing_and_names_the_bad_line(service, admin, bundle):
    from classpay_tui.services.schemas import BatchLine

    other = seed_bundle(service, admin)

    def line(bundle_id: int, amount: str, reference: str) -> BatchLine:
        return BatchLine(bundle_id=bundle_id, payment=PaymentIn(amount=Decimal(amount), reference=reference))

    with pytest.raises(Refused, match=r"^Line 3: 2,000.00 is 1,300.00 more than the 700.00 still owed"):
        service.record_payments(
            admin,
            [
                line(bundle.bundle_id, "300.00", "B-1"),
                line(other.bundle_id, "400.00", "B-2"),
                line(bundle.bundle_id, "2000.00", "B-3"),
            ],
        )
    assert ledger_size(service, bundle.bundle_id) == ledger_size(service, other.bundle_id) == 0
    with pytest.raises(InvalidInput, match="same reference"):
        service.record_payments(admin, [line(bundle.bundle_id, "1.00", "X"), line(other.bundle_id, "1.00", "X")])
    results = service.record_payments(
        admin, [line(bundle.bundle_id, "300.00", "B-1"), line(other.bundle_id, "400.00", "B-2")]
    )
    assert [r.created for r in results] == [True, True]
    assert results[0].details.deposit_paid == Decimal("200.00") and results[0].details.amount_paid == 300
    assert results[1].details.amount_paid == Decimal("400.00")
    assert service.check(admin).ok
