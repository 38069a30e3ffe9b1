"""What the bulk settle knows about each bundle: plain dataclasses, no ORM objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from classpay_tui.domain.allocation import SlotKind
from classpay_tui.domain.compensation import RuleKind
from classpay_tui.domain.money import ZERO
from classpay_tui.domain.statuses import (
    BundleStatus,
    InstallmentStatus,
    PaymentKind,
    PayoutMode,
    WriterPayoutStatus,
)

# The payment record's summary columns, as the settle writes them: first those that some
# index of ``class_payments`` holds (a stored record is only moved in an index whose column
# changes: the stored values of these are read to compare), then the others (always set).
INDEXED_SUMMARY_COLUMNS = (
    "amount_paid",
    "balance_remaining",
    "client_payment_status",
    "next_due_date",
    "writer_compensation_amount",
    "writer_paid_amount",
    "writer_scheduled_amount",
    "writer_owed_back",
)
SUMMARY_COLUMNS = (
    *INDEXED_SUMMARY_COLUMNS,
    "total_amount",
    "deposit_amount",
    "deposit_paid",
    "refunded_amount",
    "writer_payment_status",
    "uses_installments",
    "total_installments",
    "paid_installments",
    "updated_at",
)


class BundleFacts(NamedTuple):
    id: int
    external_ref: str | None
    total_amount: Decimal
    deposit_amount: Decimal
    number_of_classes: int
    status: BundleStatus
    writer_id: int | None
    compensation_override: Decimal | None
    payout_mode: PayoutMode | None


class WriterFacts(NamedTuple):
    id: int
    rule_kind: RuleKind | None
    rule_value: Decimal | None


@dataclass(slots=True)
class LinkFacts:
    """An installment and its link to the payment record (``id`` None: not linked yet).
    Money in cents, as stored: the settle computes in cents."""

    installment_id: int
    number: int
    amount_cents: int
    due_date: date
    id: int | None = None
    paid_cents: int = 0
    status: InstallmentStatus = InstallmentStatus.PENDING
    paid_at: datetime | None = None
    allocated_cents: int = 0


class Entry(NamedTuple):
    """A ledger entry that has no allocations yet."""

    id: int
    bundle_id: int
    kind: PaymentKind
    amount: Decimal
    reference: str
    target_installment: int | None
    received_at: datetime
    reverses_id: int | None


@dataclass(frozen=True)
class BonusPayout:
    """A writer bonus from an older system, tied to a bundle: it becomes that bundle's payout."""

    bonus_id: int
    writer_id: int
    bundle_id: int
    amount: Decimal
    is_paid: bool
    paid_at: datetime | None
    granted_on: date
    ref: str | None


@dataclass(slots=True)
class BundleWork:
    """One bundle as stored, with its new ledger entries to allocate."""

    bundle: BundleFacts
    record_id: int | None = None
    record_writer_id: int | None = None
    stored_summary: tuple[Any, ...] | None = None  # the record's INDEXED_SUMMARY_COLUMNS as stored (read raw)
    links: list[LinkFacts] = field(default_factory=list)
    allocated: dict[SlotKind, int] = field(default_factory=dict)  # cents in the deposit and balance slots
    entries: list[Entry] = field(default_factory=list)
    reversals: bool = False  # whether any of ``entries`` is a reversal
    refunded: Decimal = ZERO
    payout_sums: dict[tuple[int, WriterPayoutStatus], Decimal] = field(default_factory=dict)

    @property
    def writer_id(self) -> int | None:
        """The writer the payment record is for (the bundle's, for a new record)."""
        return self.record_writer_id if self.record_id is not None else self.bundle.writer_id
