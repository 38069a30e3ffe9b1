"""Every status value, spelled as in the seed."""

from __future__ import annotations

import enum


class BundleStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ClientPaymentStatus(enum.StrEnum):
    PENDING = "pending"
    PARTIAL = "partial"
    PAID = "paid"
    REFUNDED = "refunded"
    CANCELLED = "cancelled"


class InstallmentStatus(enum.StrEnum):
    PENDING = "pending"
    PARTIAL = "partial"
    PAID = "paid"
    OVERDUE = "overdue"


class PaymentKind(enum.StrEnum):
    DEPOSIT = "deposit"
    INSTALLMENT = "installment"
    PAYMENT = "payment"
    REFUND = "refund"
    REVERSAL = "reversal"


class PaymentMethod(enum.StrEnum):
    CASH = "cash"
    CARD = "card"
    BANK_TRANSFER = "bank_transfer"
    PAYPAL = "paypal"
    OTHER = "other"


class WriterPaymentType(enum.StrEnum):
    FULL = "full"
    PARTIAL = "partial"
    INSTALLMENT = "installment"


class WriterPayoutStatus(enum.StrEnum):
    """Status of one payout to a writer."""

    SCHEDULED = "scheduled"
    PAID = "paid"
    CANCELLED = "cancelled"


class WriterPaymentStatus(enum.StrEnum):
    """The bundle's writer status, summed over its payouts."""

    PENDING = "pending"
    SCHEDULED = "scheduled"
    PARTIAL = "partial"
    PAID = "paid"
    CANCELLED = "cancelled"


class PayoutMode(enum.StrEnum):
    ON_FULL_PAYMENT = "on_full_payment"
    PER_INSTALLMENT = "per_installment"


class Role(enum.StrEnum):
    ADMIN = "admin"
    STAFF = "staff"
    WRITER = "writer"
