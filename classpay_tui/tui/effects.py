"""What a payment would do, worked out on screen before anything is written.

The modal shows "installment 2 of 4 paid; balance 400.00 → 200.00" from the bundle it
already holds, using the same allocation rules (and refusal sentences) as the service.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from classpay_tui.domain.allocation import (
    Allocation,
    BundleDebt,
    Slot,
    SlotKind,
    allocate_to_bundle,
    allocate_to_deposit,
    allocate_to_installment,
)
from classpay_tui.domain.money import ZERO, format_money
from classpay_tui.services.schemas import PaymentSummary

DEPOSIT, BUNDLE = "deposit", "bundle"


@dataclass(frozen=True)
class Target:
    """Where a payment goes: ``"deposit"``, ``"bundle"`` or ``"installment:N"``."""

    key: str
    owed: Decimal
    label: str

    @property
    def number(self) -> int | None:
        return int(self.key.split(":")[1]) if self.key.startswith("installment:") else None

    def service_arguments(self) -> dict[str, object]:
        if self.key == DEPOSIT:
            return {"deposit": True}
        if self.number is not None:
            return {"installment_number": self.number}
        return {}


def deposit_owed(summary: PaymentSummary) -> Decimal:
    return max(summary.deposit_amount - summary.deposit_paid, ZERO)


def targets(summary: PaymentSummary) -> list[Target]:
    """Everything that still owes money, in the order the office collects it."""
    found = []
    if deposit_owed(summary) > ZERO:
        found.append(Target(DEPOSIT, deposit_owed(summary), f"Deposit — owes {format_money(deposit_owed(summary))}"))
    for item in summary.installments:
        if item.remaining > ZERO:
            found.append(
                Target(
                    f"installment:{item.installment_number}",
                    item.remaining,
                    f"Installment {item.installment_number} of {summary.total_installments} — owes "
                    f"{format_money(item.remaining)}, due {item.due_date.isoformat()}",
                )
            )
    if summary.balance_remaining > ZERO:
        found.append(
            Target(
                BUNDLE,
                summary.balance_remaining,
                f"Whole bundle — owes {format_money(summary.balance_remaining)}, deposit first, oldest due first",
            )
        )
    return found


def default_target(summary: PaymentSummary, selected: str | None = None) -> Target | None:
    """The deposit while it is unpaid (nothing else can be paid before it); else the
    selected installment, or the next unpaid one after it; else the oldest unpaid one."""
    options = targets(summary)
    if not options:
        return None
    if options[0].key == DEPOSIT:
        return options[0]
    if selected == BUNDLE:
        return options[-1]
    installments = [option for option in options if option.number is not None]
    if selected is not None and selected.startswith("installment:"):
        wanted = int(selected.split(":")[1])
        later = [option for option in installments if option.number is not None and option.number >= wanted]
        if later:
            return later[0]
    return installments[0] if installments else options[-1]


def debt(summary: PaymentSummary) -> BundleDebt:
    """The bundle's slots as the service's allocation rules see them."""
    slots: list[Slot] = []
    if summary.deposit_amount > ZERO:
        slots.append(Slot(SlotKind.DEPOSIT, summary.deposit_amount, summary.deposit_paid))
    for item in summary.installments:
        slots.append(
            Slot(
                SlotKind.INSTALLMENT,
                item.amount,
                item.paid_amount,
                number=item.installment_number,
                due_date=item.due_date,
            )
        )
    balance = summary.total_amount - summary.deposit_amount
    if not summary.installments and balance > ZERO:
        slots.append(Slot(SlotKind.BALANCE, balance, max(summary.amount_paid - summary.deposit_paid, ZERO)))
    return BundleDebt(summary.bundle_id, tuple(slots))


def allocate(summary: PaymentSummary, target: Target, amount: Decimal) -> list[Allocation]:
    """Raises the service's own refusal (``ClasspayError``) when the payment would be refused."""
    owed = debt(summary)
    if target.key == DEPOSIT:
        return allocate_to_deposit(owed, amount)
    if target.number is not None:
        return allocate_to_installment(owed, target.number, amount)
    return allocate_to_bundle(owed, amount)


def preview(summary: PaymentSummary, target: Target, amount: Decimal) -> str:
    """``"installment 2 of 4 paid; balance 400.00 → 200.00"``."""
    return describe(allocate(summary, target, amount), summary.total_installments, summary.balance_remaining, amount)


def describe(allocations: list[Allocation], total_installments: int, balance: Decimal, amount: Decimal) -> str:
    """What ``allocations`` of ``amount`` do to a bundle that owes ``balance``, in the service's words."""
    parts = []
    for allocation in allocations:
        slot = allocation.slot
        left = slot.owed - allocation.amount
        if slot.kind is SlotKind.INSTALLMENT:
            name = f"installment {slot.number} of {total_installments}"
            parts.append(
                f"{name} paid"
                if left == ZERO
                else f"{format_money(allocation.amount)} to {name} ({format_money(left)} still owed)"
            )
        elif slot.kind is SlotKind.DEPOSIT:
            parts.append("deposit paid" if left == ZERO else f"{format_money(allocation.amount)} to the deposit")
        else:
            parts.append(f"{format_money(allocation.amount)} to the balance")
    parts.append(f"balance {format_money(balance)} → {format_money(balance - amount)}")
    return "; ".join(parts)
