"""Rule 5 (writer compensation) and rule 1's repricing after money was received."""

from __future__ import annotations

from decimal import Decimal

import pytest

from classpay_tui.domain.errors import InvalidInput, PermissionDenied, Refused
from tests.builders import pay, seed_bundle, writer


def test_default_rule_is_sixty_percent_of_the_total(service, admin):
    writer(service, admin)
    assert seed_bundle(service, admin).writer_compensation_amount == Decimal("600.00")


def test_writers_own_rule_wins_over_the_default(service, admin):
    writer(service, admin, "pct", percent=Decimal("55"))
    writer(service, admin, "rate", per_class=Decimal("45.00"))
    assert seed_bundle(service, admin, writer_name="pct").writer_compensation_amount == Decimal("550.00")
    assert seed_bundle(service, admin, writer_name="rate").writer_compensation_amount == Decimal("450.00")


def test_percentage_rounds_half_up_to_the_cent(service, admin):
    writer(service, admin, "odd", percent=Decimal("33.33"))
    details = seed_bundle(service, admin, total="100.05", deposit="0", installments=0, writer_name="odd")
    assert details.writer_compensation_amount == Decimal("33.35")  # 33.346665 → 33.35


def test_bundle_override_wins_and_can_be_cleared(service, admin):
    writer(service, admin, "rate", per_class=Decimal("45.00"))
    bundle = seed_bundle(service, admin, writer_name="rate")
    assert service.set_compensation(admin, bundle.bundle_id, Decimal("500.00")).writer_compensation_amount == 500
    reassigned = service.assign_writer(admin, bundle.bundle_id, "rate")
    assert reassigned.writer_compensation_amount == Decimal("500.00")
    assert service.set_compensation(admin, bundle.bundle_id, None).writer_compensation_amount == 450


def test_no_writer_means_no_compensation_until_assigned(service, admin):
    writer(service, admin, "late", percent=Decimal("50"))
    bundle = seed_bundle(service, admin, writer_name=None)
    assert bundle.assigned_writer_username is None and bundle.writer_compensation_amount == 0
    assigned = service.assign_writer(admin, bundle.bundle_id, "late")
    assert assigned.assigned_writer_username == "late"
    assert assigned.writer_compensation_amount == Decimal("500.00")


def test_reassigning_recomputes_for_the_new_writer_and_keeps_payouts(service, admin):
    writer(service, admin, "first", percent=Decimal("60"))
    writer(service, admin, "second", percent=Decimal("50"))
    bundle = seed_bundle(service, admin, writer_name="first")
    paid = pay(service, admin, bundle.bundle_id, "1000.00").details
    assert [p.writer_username for p in paid.writer_payments] == ["first"]
    moved = service.assign_writer(admin, bundle.bundle_id, "second")
    assert moved.writer_compensation_amount == Decimal("500.00")
    # The first writer's scheduled payout stays; the new writer's is scheduled for their own compensation.
    assert [(p.writer_username, p.amount) for p in moved.writer_payments] == [
        ("first", Decimal("600.00")),
        ("second", Decimal("500.00")),
    ]
    assert service.check(admin).ok


def test_assigning_by_id_works_and_unknown_writer_is_refused(service, admin):
    writer_id = writer(service, admin, "byid")
    bundle = seed_bundle(service, admin, writer_name=None)
    assert service.assign_writer(admin, bundle.bundle_id, str(writer_id)).assigned_writer_username == "byid"
    with pytest.raises(Exception, match="no writer 'ghost'"):
        service.assign_writer(admin, bundle.bundle_id, "ghost")


def test_reprice_before_payment_replans_every_installment(service, admin, staff):
    writer(service, admin)
    bundle = seed_bundle(service, admin)
    details = service.reprice(staff, bundle.bundle_id, total=Decimal("1100.00"))
    assert [i.amount for i in details.installments] == [Decimal("225.00")] * 4
    assert details.writer_compensation_amount == Decimal("660.00")
    assert details.installments[0].due_date == bundle.installments[0].due_date


def test_reprice_after_payment_is_admin_only_and_keeps_paid_installments(service, admin, staff):
    writer(service, admin)
    bundle = seed_bundle(service, admin)
    pay(service, admin, bundle.bundle_id, "200.00", deposit=True)
    pay(service, admin, bundle.bundle_id, "200.00", installment_number=1)
    pay(service, admin, bundle.bundle_id, "50.00", installment_number=2)
    with pytest.raises(PermissionDenied, match="ask an admin"):
        service.reprice(staff, bundle.bundle_id, total=Decimal("900.00"))
    details = service.reprice(admin, bundle.bundle_id, total=Decimal("900.05"))
    # Paid (200) and part-paid (200) keep their amounts; 300.05 is spread over the two unpaid ones.
    assert [i.amount for i in details.installments] == [
        Decimal("200.00"),
        Decimal("200.00"),
        Decimal("150.03"),
        Decimal("150.02"),
    ]
    assert details.balance_remaining == Decimal("450.05")
    assert service.check(admin).ok


def test_reprice_refusals_change_nothing(service, admin):
    writer(service, admin)
    bundle = seed_bundle(service, admin)
    pay(service, admin, bundle.bundle_id, "600.00")
    before = service.get_payment_details(admin, bundle.bundle_id)
    with pytest.raises(Refused, match="less than the 600.00 already paid"):
        service.reprice(admin, bundle.bundle_id, total=Decimal("500.00"))
    with pytest.raises(Refused, match="already paid toward it"):
        service.reprice(admin, bundle.bundle_id, deposit=Decimal("100.00"))
    with pytest.raises(InvalidInput, match="more than the total"):
        service.reprice(admin, bundle.bundle_id, deposit=Decimal("2000.00"))
    with pytest.raises(Refused, match="unpaid installment"):
        service.reprice(admin, bundle.bundle_id, total=Decimal("600.01"))
    after = service.get_payment_details(admin, bundle.bundle_id)
    assert after.model_dump() == before.model_dump()


def test_compensation_cannot_drop_below_what_is_paid_or_scheduled(service, admin):
    writer(service, admin)
    bundle = seed_bundle(service, admin)
    pay(service, admin, bundle.bundle_id, "1000.00")
    with pytest.raises(Refused, match="already paid or scheduled"):
        service.set_compensation(admin, bundle.bundle_id, Decimal("100.00"))
    assert service.get_payment_details(admin, bundle.bundle_id).writer_compensation_amount == Decimal("600.00")


def test_manual_schedule_partial_and_never_more_than_unpaid(service, admin, staff):
    writer(service, admin)
    bundle = seed_bundle(service, admin)
    with pytest.raises(PermissionDenied):
        service.schedule_writer_payment(staff, bundle.id, Decimal("100.00"))
    partial = service.schedule_writer_payment(admin, bundle.id, Decimal("100.00"))
    assert partial.payment_type.value == "partial" and partial.amount == Decimal("100.00")
    with pytest.raises(Refused, match=r"600\.00 is 100\.00 more than the 500\.00"):
        service.schedule_writer_payment(admin, bundle.id, Decimal("600.00"))
    rest = service.schedule_writer_payment(admin, bundle.id)
    assert rest.amount == Decimal("500.00")
    with pytest.raises(Refused, match="already paid or scheduled"):
        service.schedule_writer_payment(admin, bundle.id)
    # Paying in full later schedules nothing more: the compensation is already covered.
    details = pay(service, admin, bundle.bundle_id, "1000.00").details
    assert sum(p.amount for p in details.writer_payments) == Decimal("600.00")
    assert service.check(admin).ok
