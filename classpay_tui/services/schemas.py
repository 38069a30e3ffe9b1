"""Pydantic models in and out of the service. Their JSON is the seed's response format:
money as strings with two decimals, ``payment_progress`` a number with one decimal,
dates and times ISO 8601."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

from classpay_tui.domain.errors import InvalidInput
from classpay_tui.domain.money import check_amount, money_str, parse_amount, to_money
from classpay_tui.domain.plans import Frequency
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


def _money_in(value: Any) -> Decimal:
    if isinstance(value, float):
        raise InvalidInput("Amounts must be given as text or Decimal, never as a float.")
    if isinstance(value, str):
        return parse_amount(value, allow_zero=True)
    if isinstance(value, int | Decimal):
        return to_money(value)
    raise InvalidInput(f"{value!r} is not an amount.")


Money = Annotated[
    Decimal,
    BeforeValidator(_money_in),
    PlainSerializer(money_str, return_type=str, when_used="json"),
]
Progress = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


class Schema(BaseModel):
    # defer_build: a model's validator is built the first time it is used, not at import;
    # building all of them took ~40 ms of the app's start, which needs two or three.
    model_config = ConfigDict(frozen=True, from_attributes=True, defer_build=True)


# ---- inputs -------------------------------------------------------------------------


class PlanIn(Schema):
    """Either an even plan (count, first due date, frequency) or a custom schedule."""

    count: int = Field(default=0, ge=0)
    first_due: date | None = None
    every: Frequency = Frequency.MONTH
    custom: list[tuple[date, Money]] = Field(default_factory=list)


class BundleIn(Schema):
    client_name: str
    title: str
    number_of_classes: int
    total_amount: Money
    deposit_amount: Money = Decimal("0.00")
    plan: PlanIn | None = None
    writer: str | None = None
    start_date: date | None = None
    client_email: str | None = None
    client_phone: str | None = None


class WriterIn(Schema):
    username: str
    display_name: str | None = None
    email: str | None = None
    percent: Decimal | None = None
    per_class: Money | None = None


class PaymentIn(Schema):
    """A client payment as typed at the desk. ``received_on`` defaults to today."""

    amount: Money
    reference: str
    method: PaymentMethod = PaymentMethod.CASH
    received_on: date | None = None
    note: str | None = None

    def checked_amount(self) -> Decimal:
        return check_amount(self.amount)


class BatchLine(Schema):
    """One line of bulk entry: a payment to a bundle, allocated oldest first."""

    bundle_id: int
    payment: PaymentIn


# ---- outputs -------------------------------------------------------------------------


class InstallmentOut(Schema):
    id: int
    installment_number: int
    amount: Money
    is_paid: bool
    paid_at: datetime | None
    due_date: date
    status: InstallmentStatus
    paid_amount: Money
    remaining: Money
    references: list[str] = Field(default_factory=list)


class WriterPaymentOut(Schema):
    id: int
    amount: Money
    payment_type: WriterPaymentType
    status: WriterPayoutStatus
    scheduled_for: date
    paid_at: datetime | None
    reference: str | None
    writer_id: int
    writer_username: str
    bonus_id: int | None
    bundle_id: int
    payment_record_id: int
    method: PaymentMethod | None = None
    cancel_reason: str | None = None


class WriterTotals(Schema):
    """One writer's position across all their bundles."""

    writer_id: int
    username: str
    display_name: str
    active: bool
    bundles: int
    compensation: Money
    paid: Money
    scheduled: Money
    owed_back: Money
    unscheduled: Money


class AllocationOut(Schema):
    slot: str
    installment_number: int | None
    amount: Money


class LedgerEntryOut(Schema):
    id: int
    bundle_id: int
    kind: PaymentKind
    amount: Money
    method: PaymentMethod
    reference: str
    received_at: datetime
    recorded_at: datetime
    recorded_by: str
    note: str | None
    reverses: int | None
    allocations: list[AllocationOut]


class PaymentSummary(Schema):
    """One bundle's payment record: every key of the seed's response, in its order, then more."""

    id: int
    bundle_id: int
    bundle_status: BundleStatus
    number_of_classes: int
    assigned_writer_username: str | None
    total_amount: Money
    deposit_amount: Money
    deposit_paid: Money
    balance_remaining: Money
    client_payment_status: ClientPaymentStatus
    payment_progress: Progress
    writer_compensation_amount: Money
    writer_paid_amount: Money
    writer_payment_status: WriterPaymentStatus
    uses_installments: bool
    total_installments: int
    paid_installments: int
    installments: list[InstallmentOut]
    writer_payments: list[WriterPaymentOut]
    # Beyond the seed:
    title: str
    client_id: int
    client_name: str
    assigned_writer_id: int | None
    amount_paid: Money
    refunded_amount: Money
    writer_scheduled_amount: Money
    writer_owed_back: Money
    next_due_date: date | None
    is_overdue: bool
    payout_mode_override: PayoutMode | None
    compensation_override: Money | None
    currency: str
    created_at: datetime


class PaymentDetails(PaymentSummary):
    ledger: list[LedgerEntryOut]


class PaymentResult(Schema):
    """What recording a payment did. ``created`` is false when the reference was already recorded."""

    created: bool
    payment: LedgerEntryOut
    effect: str
    balance_before: Money
    balance_after: Money
    details: PaymentDetails


class WriterOut(Schema):
    id: int
    username: str
    display_name: str
    email: str | None
    compensation_rule: str
    active: bool


class WriterInstallmentOut(Schema):
    """An installment as a writer sees it: dates and progress, never client amounts."""

    installment_number: int
    due_date: date
    is_paid: bool
    status: InstallmentStatus


class WriterClassPayment(Schema):
    """One bundle on the writer's dashboard."""

    id: int
    bundle_id: int
    title: str
    bundle_status: BundleStatus
    number_of_classes: int
    payment_progress: Progress
    client_payment_status: ClientPaymentStatus
    is_current_writer: bool
    writer_compensation_amount: Money
    writer_paid_amount: Money
    writer_scheduled_amount: Money
    writer_owed_back: Money
    writer_payment_status: WriterPaymentStatus
    total_installments: int
    paid_installments: int
    installments: list[WriterInstallmentOut]
    writer_payments: list[WriterPaymentOut]


class CheckReport(Schema):
    bundles_checked: int
    payments_checked: int
    audit_events_checked: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


class OperatorOut(Schema):
    id: int
    login: str
    role: Role
    writer_id: int | None
    writer_username: str | None
    active: bool
    created_at: datetime


class AuditEventOut(Schema):
    id: int
    occurred_at: datetime
    actor: str
    action: str
    entity: str
    before: Any
    after: Any
    hash: str


class ImportReport(Schema):
    files: list[str]
    added: dict[str, int]
    unchanged: dict[str, int]


# ---- overdue, reminders and reports ----------------------------------------------------


class OverdueInstallment(Schema):
    """An installment past due and not fully paid on ``as_of`` (payments received later do not count)."""

    bundle_id: int
    installment_id: int
    installment_number: int
    course: str
    client_id: int
    client_name: str
    email: str | None
    phone: str | None
    amount: Money
    amount_paid: Money
    amount_owed: Money
    due_date: date
    days_late: int
    reminder_level: int  # the last level sent, 0 when none was
    last_reminded_at: datetime | None


class ReminderTemplateOut(Schema):
    subject: str
    sender: str | None
    body: str
    is_default: bool
    updated_at: datetime | None
    updated_by: str | None


class ReminderOut(Schema):
    """One reminder text, for one late installment, at the level it is sent at."""

    bundle_id: int
    installment_id: int
    installment_number: int
    client_name: str
    email: str | None
    phone: str | None
    course: str
    amount_owed: Money
    due_date: date
    days_late: int
    level: int
    subject: str
    body: str


class ReminderBatchOut(Schema):
    """A batch of reminders; ``id`` is None for a preview, which records nothing."""

    id: int | None
    as_of: date
    made_at: datetime
    made_by: str
    sender: str | None
    reminders: list[ReminderOut]


class CollectionMonth(Schema):
    month: str  # YYYY-MM
    received: Money  # deposits, installments and payments
    refunded: Money  # refunds, less refunds reversed
    reversed: Money  # payments undone by reversal entries
    net: Money
    entries: int


class CollectionWeek(Schema):
    week_start: date  # a Monday
    net: Money


class CollectionsReport(Schema):
    date_from: date
    date_to: date
    months: list[CollectionMonth]
    weeks: list[CollectionWeek]  # the 12 weeks up to date_to, oldest first
    total_net: Money


class AgingBucket(Schema):
    bucket: str  # not_due, 1-30, 31-60, 61-90, over_90, no_due_date
    label: str
    installments: int
    bundles: int
    amount: Money


class AgingReport(Schema):
    as_of: date
    buckets: list[AgingBucket]
    total: Money
