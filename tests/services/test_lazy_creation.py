"""Rule 7: bundles from before the payment records get one when first read, with their
installments and payments linked."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, select

from classpay_tui.db.models import ClassBundle, ClassInstallment, ClassPayment, Client, OrderPayment, Writer
from classpay_tui.domain.statuses import BundleStatus, ClientPaymentStatus, PaymentKind, PaymentMethod

LONG_AGO = datetime(2023, 6, 1, 9, 0, tzinfo=UTC)


def legacy_bundle(service, *, with_payments: bool) -> int:
    """Rows as the older system left them: a bundle, its installments, payments, no payment record."""
    with service.db.write() as session:
        client = Client(name="Legacy Client", created_at=LONG_AGO)
        writer = Writer(username="oldhand", display_name="Old Hand", active=True, created_at=LONG_AGO)
        session.add_all([client, writer])
        session.flush()
        bundle = ClassBundle(
            client_id=client.id,
            title="Old Course",
            number_of_classes=8,
            total_amount=Decimal("900.00"),
            deposit_amount=Decimal("100.00"),
            status=BundleStatus.IN_PROGRESS,
            writer_id=writer.id,
            created_at=LONG_AGO,
            updated_at=LONG_AGO,
        )
        session.add(bundle)
        session.flush()
        for number in (1, 2):
            session.add(
                ClassInstallment(
                    bundle_id=bundle.id,
                    installment_number=number,
                    amount=Decimal("400.00"),
                    due_date=date(2023, 6 + number, 1),
                )
            )
        if with_payments:
            for index, (kind, amount, target) in enumerate(
                [(PaymentKind.DEPOSIT, "100.00", None), (PaymentKind.INSTALLMENT, "400.00", 2)]
            ):
                session.add(
                    OrderPayment(
                        bundle_id=bundle.id,
                        kind=kind,
                        amount=Decimal(amount),
                        method=PaymentMethod.BANK_TRANSFER,
                        reference=f"LEGACY-{index}",
                        target_installment=target,
                        received_at=LONG_AGO,
                        recorded_at=LONG_AGO,
                        recorded_by="import",
                    )
                )
        return bundle.id


def count_records(service) -> int:
    with service.db.read() as session:
        return session.scalar(select(func.count()).select_from(ClassPayment))


def test_first_read_creates_the_record_and_links_installments(service, admin):
    bundle_id = legacy_bundle(service, with_payments=False)
    assert count_records(service) == 0
    details = service.get_payment_details(admin, bundle_id)
    assert details.total_installments == 2
    assert details.client_payment_status is ClientPaymentStatus.PENDING
    assert details.writer_compensation_amount == Decimal("540.00")
    assert count_records(service) == 1
    assert service.get_payment_details(admin, bundle_id).id == details.id  # created once
    assert count_records(service) == 1


def test_existing_payments_are_allocated_to_what_they_paid(service, admin):
    bundle_id = legacy_bundle(service, with_payments=True)
    details = service.get_payment_details(admin, bundle_id)
    assert details.deposit_paid == Decimal("100.00")
    assert details.amount_paid == Decimal("500.00")
    assert [i.is_paid for i in details.installments] == [False, True]
    assert details.paid_installments == 1
    assert details.installments[1].references == ["LEGACY-1"]
    assert details.client_payment_status is ClientPaymentStatus.PARTIAL
    assert service.check(admin).ok


def test_legacy_bundle_can_be_paid_after_linking(service, admin):
    from tests.builders import pay

    bundle_id = legacy_bundle(service, with_payments=True)
    result = pay(service, admin, bundle_id, "400.00")  # creates the record under the lock, then pays
    assert result.details.client_payment_status is ClientPaymentStatus.PAID
    assert len(result.details.writer_payments) == 1
    assert service.check(admin).ok
