"""The tables, SQLAlchemy 2.0 style. Relationships are ``lazy="raise"``: load what you use."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from classpay_tui.db.types import Cents, UTCDateTime, add_enum_checks, text_enum
from classpay_tui.domain.allocation import SlotKind
from classpay_tui.domain.compensation import RuleKind
from classpay_tui.domain.statuses import (
    BundleStatus,
    ClientPaymentStatus,
    InstallmentStatus,
    PaymentKind,
    PaymentMethod,
    PayoutMode,
    Role,
    WriterPaymentStatus,
    WriterPaymentType,
    WriterPayoutStatus,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class OfficeSettings(Base):
    """The one row of database-wide settings. Its row lock also serialises the audit chain."""

    __tablename__ = "office_settings"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("payout_weekday BETWEEN 0 AND 6", name="weekday"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    payout_weekday: Mapped[int] = mapped_column(Integer)
    payout_mode: Mapped[PayoutMode] = mapped_column(text_enum(PayoutMode, "payout_mode"))
    default_rule_kind: Mapped[RuleKind] = mapped_column(text_enum(RuleKind, "rule_kind"))
    default_rule_value: Mapped[Decimal] = mapped_column(Cents)


class Client(Base):
    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(50))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The client's key in the system it was imported from (re-imports find it again).
    external_ref: Mapped[str | None] = mapped_column(String(100), unique=True)


# Clients are found (``bundles add``) and sorted (``payments list``) by name without regard to case.
Index("ix_clients_name_lower", func.lower(Client.name))


class Writer(Base):
    __tablename__ = "writers"
    __table_args__ = (
        CheckConstraint("rule_value IS NULL OR rule_value >= 0", name="rule_value_not_negative"),
        CheckConstraint("(rule_kind IS NULL) = (rule_value IS NULL)", name="rule_complete"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    rule_kind: Mapped[RuleKind | None] = mapped_column(text_enum(RuleKind, "rule_kind"))
    rule_value: Mapped[Decimal | None] = mapped_column(Cents)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ClassBundle(Base):
    __tablename__ = "class_bundles"
    __table_args__ = (
        CheckConstraint("number_of_classes >= 1", name="classes_at_least_one"),
        CheckConstraint("total_amount > 0", name="total_positive"),
        CheckConstraint("deposit_amount >= 0 AND deposit_amount <= total_amount", name="deposit_within_total"),
        CheckConstraint("compensation_override IS NULL OR compensation_override >= 0", name="override_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    number_of_classes: Mapped[int] = mapped_column(Integer)
    total_amount: Mapped[Decimal] = mapped_column(Cents)
    deposit_amount: Mapped[Decimal] = mapped_column(Cents)
    status: Mapped[BundleStatus] = mapped_column(text_enum(BundleStatus, "bundle_status"))
    writer_id: Mapped[int | None] = mapped_column(ForeignKey("writers.id"), index=True)
    compensation_override: Mapped[Decimal | None] = mapped_column(Cents)
    payout_mode: Mapped[PayoutMode | None] = mapped_column(text_enum(PayoutMode, "payout_mode"))
    start_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    external_ref: Mapped[str | None] = mapped_column(String(100), unique=True)

    client: Mapped[Client] = relationship(lazy="raise")
    writer: Mapped[Writer | None] = relationship(lazy="raise")
    installments: Mapped[list[ClassInstallment]] = relationship(
        lazy="raise", order_by="ClassInstallment.installment_number", back_populates="bundle"
    )


class ClassInstallment(Base):
    """One scheduled part of a bundle's balance (the plan, not its payment state)."""

    __tablename__ = "class_installments"
    __table_args__ = (
        UniqueConstraint("bundle_id", "installment_number"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("installment_number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bundle_id: Mapped[int] = mapped_column(ForeignKey("class_bundles.id"))
    installment_number: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Cents)
    due_date: Mapped[date] = mapped_column(Date, index=True)

    bundle: Mapped[ClassBundle] = relationship(lazy="raise", back_populates="installments")


class ClassPayment(Base):
    """The bundle's one payment record: a stored summary, recomputable from the ledger."""

    __tablename__ = "class_payments"
    __table_args__ = (
        CheckConstraint("amount_paid >= 0 AND amount_paid <= total_amount", name="paid_within_total"),
        CheckConstraint("balance_remaining = total_amount - amount_paid", name="balance_consistent"),
        CheckConstraint("deposit_paid >= 0 AND deposit_paid <= deposit_amount", name="deposit_paid_within"),
        CheckConstraint("paid_installments >= 0 AND paid_installments <= total_installments", name="installment_count"),
        CheckConstraint("writer_compensation_amount >= 0", name="compensation_not_negative"),
        CheckConstraint("writer_paid_amount >= 0", name="writer_paid_not_negative"),
        CheckConstraint("writer_scheduled_amount >= 0", name="writer_scheduled_not_negative"),
        CheckConstraint("writer_owed_back >= 0", name="owed_back_not_negative"),
        CheckConstraint("refunded_amount >= 0", name="refunded_not_negative"),
        # The bundle list: each filter and sort order walks one of these (and those after
        # the class), newest bundle first among equals, so a page reads about its own rows.
        Index("ix_class_payments_status_bundle", "client_payment_status", "bundle_id"),
        Index("ix_class_payments_writer_bundle", "writer_id", "bundle_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bundle_id: Mapped[int] = mapped_column(ForeignKey("class_bundles.id"), unique=True)
    writer_id: Mapped[int | None] = mapped_column(ForeignKey("writers.id"))
    total_amount: Mapped[Decimal] = mapped_column(Cents)
    deposit_amount: Mapped[Decimal] = mapped_column(Cents)
    deposit_paid: Mapped[Decimal] = mapped_column(Cents)
    amount_paid: Mapped[Decimal] = mapped_column(Cents)
    refunded_amount: Mapped[Decimal] = mapped_column(Cents)
    balance_remaining: Mapped[Decimal] = mapped_column(Cents)
    client_payment_status: Mapped[ClientPaymentStatus] = mapped_column(
        text_enum(ClientPaymentStatus, "client_payment_status")
    )
    writer_compensation_amount: Mapped[Decimal] = mapped_column(Cents)
    writer_paid_amount: Mapped[Decimal] = mapped_column(Cents)
    writer_scheduled_amount: Mapped[Decimal] = mapped_column(Cents)
    writer_owed_back: Mapped[Decimal] = mapped_column(Cents)
    writer_payment_status: Mapped[WriterPaymentStatus] = mapped_column(
        text_enum(WriterPaymentStatus, "writer_payment_status")
    )
    uses_installments: Mapped[bool] = mapped_column(Boolean)
    total_installments: Mapped[int] = mapped_column(Integer)
    paid_installments: Mapped[int] = mapped_column(Integer)
    next_due_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


# Sort orders of the bundle list: ascending by the amount or date, ties newest bundle first,
# read forwards; descending ones read them backwards (``listing.tie_order``).
Index("ix_class_payments_due_bundle", ClassPayment.next_due_date, ClassPayment.bundle_id.desc())
Index("ix_class_payments_balance_bundle", ClassPayment.balance_remaining, ClassPayment.bundle_id.desc())
Index("ix_class_payments_paid_bundle", ClassPayment.amount_paid, ClassPayment.bundle_id.desc())
# Writer totals read every record's compensation per writer: from this index alone, not the table.
Index(
    "ix_class_payments_writer_totals",
    ClassPayment.writer_id,
    ClassPayment.writer_compensation_amount,
    ClassPayment.writer_paid_amount,
    ClassPayment.writer_scheduled_amount,
    ClassPayment.writer_owed_back,
)


class ClassPaymentInstallment(Base):
    """Links an installment to its bundle's payment record and tracks what it has received."""

    __tablename__ = "class_payment_installments"
    __table_args__ = (CheckConstraint("paid_amount >= 0", name="paid_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_payment_id: Mapped[int] = mapped_column(ForeignKey("class_payments.id"), index=True)
    installment_id: Mapped[int] = mapped_column(ForeignKey("class_installments.id"), unique=True)
    paid_amount: Mapped[Decimal] = mapped_column(Cents)
    status: Mapped[InstallmentStatus] = mapped_column(text_enum(InstallmentStatus, "installment_status"))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OrderPayment(Base):
    """One real money movement. Insert-only: a mistake is undone by a reversal entry."""

    __tablename__ = "order_payments"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("(kind = 'reversal') = (reverses_id IS NOT NULL)", name="reversal_names_payment"),
        Index("ix_order_payments_bundle_id", "bundle_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bundle_id: Mapped[int] = mapped_column(ForeignKey("class_bundles.id"))
    kind: Mapped[PaymentKind] = mapped_column(text_enum(PaymentKind, "payment_kind"))
    amount: Mapped[Decimal] = mapped_column(Cents)
    method: Mapped[PaymentMethod] = mapped_column(text_enum(PaymentMethod, "payment_method"))
    reference: Mapped[str] = mapped_column(String(100), unique=True)
    # What the payment was aimed at (installment number, or none): part of its idempotency key.
    target_installment: Mapped[int | None] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    # A payment can be reversed once: the unique constraint is the last line of defence.
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("order_payments.id"), unique=True)


class PaymentAllocation(Base):
    """Where part of a ledger entry went: the deposit, one installment or the balance.

    Insert-only like the ledger; signed (a refund or reversal un-pays).
    """

    __tablename__ = "payment_allocations"
    __table_args__ = (
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        CheckConstraint("(slot = 'installment') = (payment_installment_id IS NOT NULL)", name="slot_installment"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_payment_id: Mapped[int] = mapped_column(ForeignKey("order_payments.id"), index=True)
    class_payment_id: Mapped[int] = mapped_column(ForeignKey("class_payments.id"), index=True)
    slot: Mapped[SlotKind] = mapped_column(text_enum(SlotKind, "slot_kind"))
    payment_installment_id: Mapped[int | None] = mapped_column(ForeignKey("class_payment_installments.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Cents)


class WriterBonus(Base):
    """The writer's earnings record, kept for the older bonus-based payroll."""

    __tablename__ = "writer_bonuses"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    writer_id: Mapped[int] = mapped_column(ForeignKey("writers.id"), index=True)
    bundle_id: Mapped[int | None] = mapped_column(ForeignKey("class_bundles.id"), index=True)
    category: Mapped[str] = mapped_column(String(32), default="class_payment")
    amount: Mapped[Decimal] = mapped_column(Cents)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    is_paid: Mapped[bool] = mapped_column(Boolean, default=False)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the payout it backs is cancelled: the bonus is then no longer owed.
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    external_ref: Mapped[str | None] = mapped_column(String(100), unique=True)


class ClassWriterPayment(Base):
    """One payout to a writer for a bundle."""

    __tablename__ = "class_writer_payments"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_class_writer_payments_status_due", "status", "scheduled_for"),
        # Writer totals (the writer payouts screen) sum amounts per writer and status from the index alone.
        Index("ix_class_writer_payments_writer_totals", "writer_id", "status", "amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_payment_id: Mapped[int] = mapped_column(ForeignKey("class_payments.id"), index=True)
    writer_id: Mapped[int] = mapped_column(ForeignKey("writers.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Cents)
    payment_type: Mapped[WriterPaymentType] = mapped_column(text_enum(WriterPaymentType, "writer_payment_type"))
    status: Mapped[WriterPayoutStatus] = mapped_column(text_enum(WriterPayoutStatus, "writer_payout_status"))
    scheduled_for: Mapped[date] = mapped_column(Date)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reference: Mapped[str | None] = mapped_column(String(100), unique=True)
    method: Mapped[PaymentMethod | None] = mapped_column(text_enum(PaymentMethod, "payment_method"))
    bonus_id: Mapped[int | None] = mapped_column(ForeignKey("writer_bonuses.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(String(200))


class Operator(Base):
    __tablename__ = "operators"
    __table_args__ = (CheckConstraint("(role = 'writer') = (writer_id IS NOT NULL)", name="writer_role_linked"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[Role] = mapped_column(text_enum(Role, "role"))
    writer_id: Mapped[int | None] = mapped_column(ForeignKey("writers.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditEvent(Base):
    """Append-only; each event carries the hash of the one before it."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity_kind", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    entity_kind: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int] = mapped_column(Integer)
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class ReminderTemplate(Base):
    """The office's reminder text (one row, edited by an admin); absent, the built-in default applies."""

    __tablename__ = "reminder_templates"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    sender: Mapped[str | None] = mapped_column(String(254))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(64))


class ReminderBatch(Base):
    """One batch of reminders handed to the office's mail system (classpay sends nothing)."""

    __tablename__ = "reminder_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)
    made_by: Mapped[str] = mapped_column(String(64))
    reminder_count: Mapped[int] = mapped_column(Integer)


class InstallmentReminder(Base):
    """That a reminder about one late installment was made, and at which level (1 to 3)."""

    __tablename__ = "installment_reminders"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 3", name="level_range"),
        CheckConstraint("amount_owed > 0", name="amount_positive"),
        UniqueConstraint("batch_id", "installment_id"),
        Index("ix_installment_reminders_installment", "installment_id", "level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("reminder_batches.id"))
    installment_id: Mapped[int] = mapped_column(ForeignKey("class_installments.id"))
    level: Mapped[int] = mapped_column(Integer)
    amount_owed: Mapped[Decimal] = mapped_column(Cents)
    days_late: Mapped[int] = mapped_column(Integer)


add_enum_checks(Base.metadata)
