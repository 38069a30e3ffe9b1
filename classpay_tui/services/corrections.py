"""Reversals: an entry that undoes exactly one earlier entry, slot by slot."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from classpay_tui.db.models import OrderPayment, PaymentAllocation
from classpay_tui.domain.allocation import Allocation, BundleDebt, SlotKind
from classpay_tui.domain.errors import Refused
from classpay_tui.domain.money import ZERO, format_money
from classpay_tui.services.ledger import BundleState


def reversal_allocations(session: Session, state: BundleState, original: OrderPayment) -> list[Allocation]:
    """The original's allocations with the sign turned, refused if a later entry already
    moved that money (a refund took a paid installment back, or it was paid again)."""
    rows = session.execute(
        select(PaymentAllocation.slot, PaymentAllocation.payment_installment_id, PaymentAllocation.amount)
        .where(PaymentAllocation.order_payment_id == original.id)
        .order_by(PaymentAllocation.id)
    ).all()
    return reverse_allocations(state.debt, original.id, [tuple(row) for row in rows])


def reverse_allocations(
    debt: BundleDebt, original_id: int, rows: Sequence[tuple[SlotKind, int | None, Decimal]]
) -> list[Allocation]:
    """``rows`` (slot kind, installment link id, amount) are what the original entry allocated."""
    allocations = []
    for slot_kind, link_id, amount in rows:
        slot = next(
            slot
            for slot in debt.slots
            if slot.kind is slot_kind and (slot_kind is not SlotKind.INSTALLMENT or slot.key == link_id)
        )
        after = slot.allocated - amount
        if after < ZERO:
            raise Refused(
                f"Payment {original_id} cannot be reversed: {slot.describe()} now holds "
                f"{format_money(slot.allocated)}, less than the {format_money(amount)} it put there "
                "(a later refund or reversal moved it)."
            )
        if after > slot.amount:
            raise Refused(
                f"Payment {original_id} cannot be reversed: it would pay {slot.describe()} "
                f"{format_money(after - slot.amount)} more than it costs (it was paid again since)."
            )
        allocations.append(Allocation(slot, -amount))
    return allocations
