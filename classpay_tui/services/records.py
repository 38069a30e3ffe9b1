"""Finding, locking and lazily creating a bundle's payment record."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from classpay_tui.db.models import (
    ClassBundle,
    ClassInstallment,
    ClassPayment,
    ClassPaymentInstallment,
    OfficeSettings,
    OrderPayment,
    PaymentAllocation,
    Writer,
)
from classpay_tui.domain.allocation import (
    Allocation,
    allocate_refund,
    allocate_to_bundle,
    allocate_to_deposit,
    allocate_to_installment,
)
from classpay_tui.domain.compensation import CompensationRule, RuleKind, compensation_for
from classpay_tui.domain.errors import ClasspayError, NotFound, Refused
from classpay_tui.domain.money import ZERO
from classpay_tui.domain.statuses import (
    ClientPaymentStatus,
    InstallmentStatus,
    PaymentKind,
    WriterPaymentStatus,
)
from classpay_tui.services.corrections import reversal_allocations
from classpay_tui.services.ledger import BundleState, load_state, recompute_client, recompute_writer


def office_settings(session: Session) -> OfficeSettings:
    settings = session.get(OfficeSettings, 1)
    if settings is None:
        raise NotFound("This database has not been set up; run `classpay init` first.")
    return settings


def writer_rule(writer: Writer) -> CompensationRule | None:
    if writer.rule_kind is None or writer.rule_value is None:
        return None
    return CompensationRule(RuleKind(writer.rule_kind), writer.rule_value)


def default_rule(settings: OfficeSettings) -> CompensationRule:
    return CompensationRule(RuleKind(settings.default_rule_kind), settings.default_rule_value)


def bundle_compensation(bundle: ClassBundle, writer: Writer | None, settings: OfficeSettings) -> Decimal:
    if writer is None:
        return ZERO
    return compensation_for(
        bundle.total_amount,
        bundle.number_of_classes,
        bundle_override=bundle.compensation_override,
        writer_rule=writer_rule(writer),
        default_rule=default_rule(settings),
    )


def get_bundle(session: Session, bundle_id: int, *, lock: bool = False) -> ClassBundle:
    query = select(ClassBundle).where(ClassBundle.id == bundle_id)
    if lock:
        query = query.with_for_update()
    bundle = session.scalar(query)
    if bundle is None:
        raise NotFound(f"There is no bundle {bundle_id}.")
    return bundle


def payment_record(session: Session, bundle_id: int) -> ClassPayment | None:
    return session.scalar(select(ClassPayment).where(ClassPayment.bundle_id == bundle_id))


_LOCKED_BUNDLE = (
    select(ClassBundle, ClassPayment)
    .outerjoin(ClassPayment, ClassPayment.bundle_id == ClassBundle.id)
    .where(ClassBundle.id == bindparam("bundle_id"))
    .with_for_update(of=ClassBundle)
)


def locked_state(session: Session, bundle_id: int, now: datetime, today: date) -> BundleState:
    """Lock the bundle row (PostgreSQL; SQLite already holds the write lock) and load it.

    Every change to a bundle's money starts here, so two operators paying the same
    installment take turns and the second one sees it paid.
    """
    row = session.execute(_LOCKED_BUNDLE, {"bundle_id": bundle_id}).first()
    if row is None:
        raise NotFound(f"There is no bundle {bundle_id}.")
    bundle, payment = row
    payment = payment or create_payment_record(session, bundle, now, today)
    return load_state(session, bundle, payment)


def create_payment_record(session: Session, bundle: ClassBundle, now: datetime, today: date) -> ClassPayment:
    """The seed's migration path: a bundle without a payment record gets one, and its
    installments and any payments already recorded are linked to it."""
    settings = office_settings(session)
    writer = session.get(Writer, bundle.writer_id) if bundle.writer_id else None
    payment = ClassPayment(
        bundle_id=bundle.id,
        writer_id=bundle.writer_id,
        total_amount=bundle.total_amount,
        deposit_amount=bundle.deposit_amount,
        deposit_paid=ZERO,
        amount_paid=ZERO,
        refunded_amount=ZERO,
        balance_remaining=bundle.total_amount,
        client_payment_status=ClientPaymentStatus.PENDING,
        writer_compensation_amount=bundle_compensation(bundle, writer, settings),
        writer_paid_amount=ZERO,
        writer_scheduled_amount=ZERO,
        writer_owed_back=ZERO,
        writer_payment_status=WriterPaymentStatus.PENDING,
        uses_installments=False,
        total_installments=0,
        paid_installments=0,
        created_at=now,
        updated_at=now,
    )
    session.add(payment)
    session.flush()
    installment_ids = session.scalars(select(ClassInstallment.id).where(ClassInstallment.bundle_id == bundle.id))
    session.add_all(
        ClassPaymentInstallment(
            class_payment_id=payment.id,
            installment_id=installment_id,
            paid_amount=ZERO,
            status=InstallmentStatus.PENDING,
        )
        for installment_id in installment_ids
    )
    session.flush()
    link_existing_payments(session, bundle, payment)
    state = load_state(session, bundle, payment)
    recompute_client(session, state, today)
    recompute_writer(session, bundle, payment)
    return payment


class UnallocatablePayment(Refused):
    """A ledger entry from before the payment record that its bundle cannot take."""

    def __init__(self, reference: str, why: str) -> None:
        super().__init__(f"payment {reference} cannot be allocated: {why}")
        self.reference = reference


def link_existing_payments(session: Session, bundle: ClassBundle, payment: ClassPayment) -> None:
    """Allocate ledger entries recorded before the payment record existed, oldest first."""
    orphans = session.scalars(
        select(OrderPayment)
        .where(
            OrderPayment.bundle_id == bundle.id,
            ~select(PaymentAllocation.id).where(PaymentAllocation.order_payment_id == OrderPayment.id).exists(),
        )
        .order_by(OrderPayment.received_at, OrderPayment.id)
    ).all()
    for entry in orphans:
        try:
            allocations = _allocate_existing(session, bundle, payment, entry)
        except ClasspayError as error:
            raise UnallocatablePayment(entry.reference, str(error).rstrip(".")) from None
        add_allocations(session, entry, payment, allocations, load_state(session, bundle, payment))


def add_allocations(
    session: Session,
    entry: OrderPayment,
    payment: ClassPayment,
    allocations: list[Allocation],
    state: BundleState,
) -> None:
    for allocation in allocations:
        link = state.link_for(allocation.slot)
        session.add(
            PaymentAllocation(
                order_payment_id=entry.id,
                class_payment_id=payment.id,
                slot=allocation.slot.kind,
                payment_installment_id=link.id if link else None,
                amount=allocation.amount,
            )
        )
    session.flush()


def _allocate_existing(
    session: Session, bundle: ClassBundle, payment: ClassPayment, entry: OrderPayment
) -> list[Allocation]:
    debt = load_state(session, bundle, payment).debt
    if entry.kind is PaymentKind.REVERSAL and entry.reverses_id is not None:
        original = session.get(OrderPayment, entry.reverses_id)
        assert original is not None
        return reversal_allocations(session, load_state(session, bundle, payment), original)
    if entry.kind is PaymentKind.REFUND:
        return allocate_refund(debt, entry.amount)
    if entry.kind is PaymentKind.INSTALLMENT and entry.target_installment:
        return allocate_to_installment(debt, entry.target_installment, entry.amount)
    if entry.kind is PaymentKind.DEPOSIT:
        return allocate_to_deposit(debt, entry.amount)
    return allocate_to_bundle(debt, entry.amount)
