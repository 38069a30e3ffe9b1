"""Rule 6 and issue 3: payout modes, manual payouts, the payout run, refunds and reversals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from classpay_tui.domain.errors import Conflict, NotFound, PermissionDenied, Refused
from classpay_tui.domain.statuses import ClientPaymentStatus, WriterPaymentStatus, WriterPayoutStatus
from classpay_tui.services.schemas import PaymentIn
from tests.builders import pay, seed_bundle, writer


def refund(service, ctx, bundle_id, amount, reference="RF-1"):
    return service.refund(ctx, bundle_id, PaymentIn(amount=Decimal(amount), reference=reference))


@pytest.fixture
def uneven(service, admin):
    """Total 1000.00, no deposit, 3 installments (333.34, 333.33, 333.33), writer on 60 %."""
    writer(service, admin)
    return seed_bundle(service, admin, deposit="0", installments=3)


def pay_all_installments(service, admin, bundle):
    results = []
    for item in bundle.installments:
        results.append(
            pay(service, admin, bundle.bundle_id, str(item.amount), installment_number=item.installment_number)
        )
    return results


def test_on_full_payment_schedules_once_after_the_last_installment(service, admin, uneven):
    results = pay_all_installments(service, admin, uneven)
    assert [len(r.details.writer_payments) for r in results] == [0, 0, 1]
    [payout] = results[-1].details.writer_payments
    assert (payout.amount, payout.payment_type.value) == (Decimal("600.00"), "full")


def test_per_installment_shares_add_up_to_the_compensation_exactly(service, admin, uneven):
    service.set_payout_mode(admin, "per_installment", bundle_id=uneven.bundle_id)
    results = pay_all_installments(service, admin, uneven)
    shares = [r.details.writer_payments[-1].amount for r in results]
    # 60 % of 333.34 = 200.004 → 200.00; of 666.67 → 400.00 (200.00 more); the last share closes exactly.
    assert shares == [Decimal("200.00"), Decimal("200.00"), Decimal("200.00")]
    details = results[-1].details
    assert sum(p.amount for p in details.writer_payments) == Decimal("600.00")
    assert all(p.payment_type.value == "installment" for p in details.writer_payments)
    assert service.check(admin).ok


def test_per_installment_with_awkward_cents(service, admin):
    writer(service, admin, "odd", percent=Decimal("33.33"))
    bundle = seed_bundle(service, admin, total="100.01", deposit="0", installments=7, writer_name="odd")
    service.set_payout_mode(admin, "per_installment")
    details = None
    for item in bundle.installments:
        details = pay(
            service, admin, bundle.bundle_id, str(item.amount), installment_number=item.installment_number
        ).details
    assert details is not None
    assert sum(p.amount for p in details.writer_payments) == details.writer_compensation_amount == Decimal("33.33")


def test_office_mode_and_bundle_override(service, admin, staff, uneven):
    assert service.payout_mode(admin) == "on_full_payment"
    with pytest.raises(PermissionDenied):
        service.set_payout_mode(staff, "per_installment")
    assert service.set_payout_mode(admin, "per_installment") == "per_installment"
    assert service.set_payout_mode(admin, "on_full_payment", bundle_id=uneven.bundle_id) == "on_full_payment"
    assert service.payout_mode(admin, uneven.bundle_id) == "on_full_payment"
    assert service.set_payout_mode(admin, None, bundle_id=uneven.bundle_id) == "per_installment"


def test_marking_paid_keeps_bonus_and_status_in_step(service, admin, uneven):
    [payout] = pay(service, admin, uneven.bundle_id, "1000.00").details.writer_payments
    paid = service.pay_payout(admin, payout.id, "TR-1")
    assert paid.status is WriterPayoutStatus.PAID and paid.reference == "TR-1" and paid.paid_at is not None
    details = service.get_payment_details(admin, uneven.bundle_id)
    assert details.writer_paid_amount == Decimal("600.00")
    assert details.writer_scheduled_amount == Decimal("0.00")
    assert details.writer_payment_status is WriterPaymentStatus.PAID
    with service.db.read() as session:
        from classpay_tui.db.models import WriterBonus

        bonus = session.get(WriterBonus, payout.bonus_id)
        assert bonus.is_paid and bonus.paid_at == paid.paid_at and bonus.amount == Decimal("600.00")
    with pytest.raises(Refused, match="already paid"):
        service.pay_payout(admin, payout.id, "TR-2")
    with pytest.raises(Refused, match="never undone"):
        service.cancel_payout(admin, payout.id)


def test_partial_payouts_make_the_status_partial(service, admin, uneven):
    first = service.schedule_writer_payment(admin, uneven.id, Decimal("100.00"))
    assert service.get_payment_details(admin, uneven.bundle_id).writer_payment_status is WriterPaymentStatus.SCHEDULED
    service.pay_payout(admin, first.id, "TR-1")
    details = service.get_payment_details(admin, uneven.bundle_id)
    assert details.writer_payment_status is WriterPaymentStatus.PARTIAL
    assert details.writer_paid_amount == Decimal("100.00")


def test_cancel_a_scheduled_payout_and_refusals(service, admin, staff, uneven):
    payout = service.schedule_writer_payment(admin, uneven.id, Decimal("50.00"))
    with pytest.raises(PermissionDenied):
        service.cancel_payout(staff, payout.id)
    cancelled = service.cancel_payout(admin, payout.id)
    assert cancelled.status is WriterPayoutStatus.CANCELLED
    details = service.get_payment_details(admin, uneven.bundle_id)
    assert details.writer_payment_status is WriterPaymentStatus.CANCELLED
    assert details.writer_scheduled_amount == Decimal("0.00")
    with pytest.raises(Refused, match="cancelled and cannot be paid"):
        service.pay_payout(admin, payout.id, "TR-9")
    with pytest.raises(Refused, match="already cancelled"):
        service.cancel_payout(admin, payout.id)
    with pytest.raises(NotFound, match="no writer payout 999"):
        service.pay_payout(admin, 999, "TR-10")


def test_payout_reference_is_unique(service, admin, uneven):
    first = service.schedule_writer_payment(admin, uneven.id, Decimal("50.00"))
    second = service.schedule_writer_payment(admin, uneven.id, Decimal("50.00"))
    service.pay_payout(admin, first.id, "TR-1")
    with pytest.raises(Conflict, match="already used for writer payout"):
        service.pay_payout(admin, second.id, "TR-1")


def test_payout_run_pays_everything_due_in_one_go(service, admin):
    writer(service, admin, "ann")
    writer(service, admin, "ben", percent=Decimal("50"))
    one = seed_bundle(service, admin, writer_name="ann", deposit="0", installments=0)
    two = seed_bundle(service, admin, writer_name="ben", deposit="0", installments=0)
    pay(service, admin, one.bundle_id, "1000.00")
    pay(service, admin, two.bundle_id, "1000.00")
    later = service.schedule_writer_payment  # nothing left: both fully scheduled
    with pytest.raises(Refused):
        later(admin, one.id)
    assert service.run_payouts(admin, date(2024, 1, 18)) == []  # the payouts are due on Friday the 19th
    paid = service.run_payouts(admin, date(2024, 1, 19), reference_prefix="JAN")
    assert [(p.writer_username, p.amount, p.reference) for p in paid] == [
        ("ann", Decimal("600.00"), f"JAN-{paid[0].id}"),
        ("ben", Decimal("500.00"), f"JAN-{paid[1].id}"),
    ]
    assert service.list_payouts(admin, status="scheduled") == []
    totals = {t.username: t for t in service.writer_totals(admin)}
    assert (totals["ann"].paid, totals["ann"].scheduled, totals["ann"].bundles) == (Decimal("600.00"), 0, 1)
    assert service.run_payouts(admin, date(2024, 12, 31)) == []
    assert service.check(admin).ok


def test_refund_after_the_writer_was_paid_keeps_every_number_consistent(service, admin, uneven):
    [payout] = pay(service, admin, uneven.bundle_id, "1000.00").details.writer_payments
    service.pay_payout(admin, payout.id, "TR-1")
    result = refund(service, admin, uneven.bundle_id, "250.00")
    details = result.details
    assert details.client_payment_status is ClientPaymentStatus.PARTIAL
    assert details.balance_remaining == Decimal("250.00")
    assert details.amount_paid == Decimal("750.00")
    assert details.refunded_amount == Decimal("250.00")
    assert details.writer_paid_amount == Decimal("600.00")  # never silently undone
    assert details.writer_owed_back == Decimal("150.00")  # 600 − 60 % of 750
    # The refund un-paid the latest installment first.
    assert [i.paid_amount for i in details.installments] == [Decimal("333.34"), Decimal("333.33"), Decimal("83.33")]
    assert [a.installment_number for a in result.payment.allocations] == [3]
    totals = {t.username: t for t in service.writer_totals(admin)}
    assert totals["writer1"].owed_back == Decimal("150.00")
    [entry] = service.get_writer_class_payments(admin, "writer1")
    assert entry.writer_owed_back == Decimal("150.00")
    refreshed = service.refresh_status(admin, details.id)
    for key in ("balance_remaining", "amount_paid", "client_payment_status", "writer_paid_amount", "writer_owed_back"):
        assert getattr(refreshed, key) == getattr(details, key)
    assert service.check(admin).ok


def test_full_refund_makes_the_status_refunded(service, admin, uneven):
    pay(service, admin, uneven.bundle_id, "400.00")
    details = refund(service, admin, uneven.bundle_id, "400.00").details
    assert details.client_payment_status is ClientPaymentStatus.REFUNDED
    assert details.amount_paid == Decimal("0.00") and details.paid_installments == 0


def test_refund_cancels_scheduled_payouts_no_longer_covered(service, admin, uneven):
    [payout] = pay(service, admin, uneven.bundle_id, "1000.00").details.writer_payments
    details = refund(service, admin, uneven.bundle_id, "100.00").details
    # 60 % of the 900.00 still collected stays scheduled; the rest is cancelled.
    statuses = [(p.amount, p.status.value) for p in details.writer_payments]
    assert statuses == [(Decimal("600.00"), "cancelled"), (Decimal("540.00"), "scheduled")]
    assert details.writer_payments[1].scheduled_for == payout.scheduled_for
    assert details.writer_scheduled_amount == Decimal("540.00") and details.writer_owed_back == 0
    # Paying the 100.00 again brings the writer back to the full compensation.
    again = pay(service, admin, uneven.bundle_id, "100.00").details
    assert again.writer_scheduled_amount == Decimal("600.00")
    assert service.check(admin).ok


def test_reversal_undoes_exactly_one_payment_once(service, admin, staff, uneven):
    first = pay(service, admin, uneven.bundle_id, "333.34", installment_number=1)
    pay(service, admin, uneven.bundle_id, "333.33", installment_number=2)
    with pytest.raises(PermissionDenied):
        service.reverse_payment(staff, first.payment.id, "typo")
    result = service.reverse_payment(admin, first.payment.id, "entered on the wrong bundle")
    assert result.payment.kind.value == "reversal" and result.payment.reverses == first.payment.id
    assert result.payment.note == "entered on the wrong bundle"
    details = result.details
    assert [i.is_paid for i in details.installments] == [False, True, False]
    assert details.amount_paid == Decimal("333.33")
    assert len(details.ledger) == 3  # the original stays in the ledger
    with pytest.raises(Refused, match="already reversed by payment"):
        service.reverse_payment(admin, first.payment.id, "again")
    with pytest.raises(Refused, match="itself a reversal"):
        service.reverse_payment(admin, result.payment.id, "undo the undo")
    with pytest.raises(NotFound, match="no payment 999"):
        service.reverse_payment(admin, 999, "nothing")
    assert service.check(admin).ok


def test_reversing_a_refund_restores_what_it_took(service, admin, uneven):
    pay(service, admin, uneven.bundle_id, "1000.00")
    taken = refund(service, admin, uneven.bundle_id, "100.00")
    restored = service.reverse_payment(admin, taken.payment.id, "refund was never sent").details
    assert restored.client_payment_status is ClientPaymentStatus.PAID
    assert restored.refunded_amount == Decimal("0.00")
    assert restored.writer_scheduled_amount == Decimal("600.00")
    assert service.check(admin).ok


def test_reversal_refused_when_a_refund_already_took_the_money(service, admin, uneven):
    paid = pay(service, admin, uneven.bundle_id, "333.33", installment_number=3)
    refund(service, admin, uneven.bundle_id, "333.33")
    with pytest.raises(Refused, match="cannot be reversed"):
        service.reverse_payment(admin, paid.payment.id, "mistake")


def test_bad_corrections_are_refused_and_write_nothing(service, admin, staff, uneven):
    pay(service, admin, uneven.bundle_id, "300.00")
    before = service.get_payment_details(admin, uneven.bundle_id).model_dump()
    with pytest.raises(Refused, match=r"refund of 300\.01 is more than the 300\.00 paid"):
        refund(service, admin, uneven.bundle_id, "300.01")
    with pytest.raises(PermissionDenied):
        refund(service, staff, uneven.bundle_id, "10.00")
    with pytest.raises(Refused, match="more than the 600.00 of compensation"):
        service.schedule_writer_payment(admin, uneven.id, Decimal("600.01"))
    assert service.get_payment_details(admin, uneven.bundle_id).model_dump() == before


def test_refund_reference_is_idempotent(service, admin, uneven):
    pay(service, admin, uneven.bundle_id, "300.00")
    first = refund(service, admin, uneven.bundle_id, "50.00", reference="RF-9")
    again = refund(service, admin, uneven.bundle_id, "50.00", reference="RF-9")
    assert not again.created and again.payment.id == first.payment.id
    with pytest.raises(Conflict):
        refund(service, admin, uneven.bundle_id, "60.00", reference="RF-9")


def test_reassigned_writer_keeps_payouts_and_sees_the_bundle(service, admin):
    writer(service, admin, "old")
    writer(service, admin, "new", percent=Decimal("50"))
    bundle = seed_bundle(service, admin, writer_name="old", deposit="0", installments=0)
    partial = service.schedule_writer_payment(admin, bundle.id, Decimal("100.00"))
    service.pay_payout(admin, partial.id, "TR-OLD")
    moved = service.assign_writer(admin, bundle.bundle_id, "new")
    assert moved.writer_compensation_amount == Decimal("500.00")
    assert moved.writer_paid_amount == Decimal("0.00")
    [kept] = service.get_writer_class_payments(admin, "old")
    assert not kept.is_current_writer
    assert (kept.writer_paid_amount, kept.writer_compensation_amount) == (Decimal("100.00"), Decimal("100.00"))
    [current] = service.get_writer_class_payments(admin, "new")
    assert current.is_current_writer and current.writer_compensation_amount == Decimal("500.00")
    final = pay(service, admin, bundle.bundle_id, "1000.00").details
    assert [(p.writer_username, p.amount, p.status.value) for p in final.writer_payments] == [
        ("old", Decimal("100.00"), "paid"),
        ("new", Decimal("500.00"), "scheduled"),
    ]
    assert service.check(admin).ok


def test_reversal_after_reassignment_takes_back_the_former_writers_scheduled_payout(service, admin):
    # Found by the ledger state machine: the former writer's payout stayed scheduled after the money went back.
    writer(service, admin, "ann")
    writer(service, admin, "ben", percent=Decimal("50"))
    bundle = seed_bundle(service, admin, writer_name="ann", deposit="0", installments=0)
    paid = pay(service, admin, bundle.bundle_id, "1000.00")
    service.assign_writer(admin, bundle.bundle_id, "ben")
    details = service.reverse_payment(admin, paid.payment.id, "entered twice").details
    assert [(p.writer_username, p.status.value) for p in details.writer_payments] == [
        ("ann", "cancelled"),
        ("ben", "cancelled"),
    ]
    assert service.check(admin).ok
