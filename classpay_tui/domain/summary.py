"""The bundle's payment summary, derived from what its slots hold and its ledger."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from classpay_tui.domain.allocation import BundleDebt, SlotKind
from classpay_tui.domain.money import ZERO, progress
from classpay_tui.domain.statuses import ClientPaymentStatus


@dataclass(frozen=True)
class ClientSummary:
    deposit_paid: Decimal
    amount_paid: Decimal
    balance_remaining: Decimal
    payment_progress: Decimal
    client_payment_status: ClientPaymentStatus
    total_installments: int
    paid_installments: int


def client_summary(debt: BundleDebt, *, refunded: Decimal, cancelled: bool) -> ClientSummary:
    """``refunded`` is the gross of refund entries: with nothing left paid, it makes the status `refunded`."""
    installments = [slot for slot in debt.slots if slot.kind is SlotKind.INSTALLMENT]
    deposit = debt.deposit
    paid, total = debt.paid, debt.total  # each a pass over the slots
    if cancelled:
        status = ClientPaymentStatus.CANCELLED
    elif paid == total:
        status = ClientPaymentStatus.PAID
    elif paid == ZERO:
        status = ClientPaymentStatus.REFUNDED if refunded > ZERO else ClientPaymentStatus.PENDING
    else:
        status = ClientPaymentStatus.PARTIAL
    return ClientSummary(
        deposit_paid=deposit.allocated if deposit else ZERO,
        amount_paid=paid,
        balance_remaining=total - paid,
        payment_progress=progress(paid, total),
        client_payment_status=status,
        total_installments=len(installments),
        paid_installments=sum(1 for slot in installments if slot.owed == ZERO),
    )
