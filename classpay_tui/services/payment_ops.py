"""Client payments: recording them, safely retried by reference."""

from __future__ import annotations

import secrets
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from classpay_tui.db.models import (
    ClassInstallment,
    OrderPayment,
)
from classpay_tui.domain.allocation import (
    Allocation,
    SlotKind,
    allocate_to_bundle,
    allocate_to_deposit,
    allocate_to_installment,
)
from classpay_tui.domain.errors import Conflict, InvalidInput, NotFound
from classpay_tui.domain.money import ZERO, format_money
from classpay_tui.domain.statuses import PaymentKind
from classpay_tui.services.audit import record_event
from classpay_tui.services.context import OperatorContext
from classpay_tui.services.core import ServiceCore, audit_summary
from classpay_tui.services.permissions import Action, authorize
from classpay_tui.services.records import (
    add_allocations,
    locked_state,
)
from classpay_tui.services.schemas import (
    PaymentDetails,
    PaymentIn,
    PaymentResult,
)
from classpay_tui.services.text import clean_text


class PaymentOperations(ServiceCore):
    def record_payment(
        self,
        ctx: OperatorContext,
        bundle_id: int,
        data: PaymentIn,
        *,
        deposit: bool = False,
        installment_number: int | None = None,
    ) -> PaymentResult:
        """A client payment to the deposit, one installment, or the bundle (deposit first,
        then installments oldest due date first)."""
        authorize(ctx, Action.RECORD_PAYMENT)
        if deposit and installment_number is not None:
            raise InvalidInput("A payment goes to the deposit or to one installment, not both.")
        amount = data.checked_amount()
        reference = clean_text(data.reference, "The reference", max_length=100)
        note = clean_text(data.note, "The note", max_length=2000, required=False)
        received_at = self._received_at(data.received_on)
        if deposit:
            kind = PaymentKind.DEPOSIT
        elif installment_number is not None:
            kind = PaymentKind.INSTALLMENT
        else:
            kind = PaymentKind.PAYMENT

        def record(session: Session) -> PaymentResult:
            now, today = self.clock.now(), self.clock.today()
            state = locked_state(session, bundle_id, now, today)
            existing = session.scalar(select(OrderPayment).where(OrderPayment.reference == reference))
            if existing is not None:
                return self._replay(session, existing, bundle_id, amount, kind, installment_number)
            balance_before = state.payment.balance_remaining
            if deposit:
                allocations = allocate_to_deposit(state.debt, amount)
            elif installment_number is not None:
                allocations = allocate_to_installment(state.debt, installment_number, amount)
            else:
                allocations = allocate_to_bundle(state.debt, amount)
            entry = OrderPayment(
                bundle_id=bundle_id,
                kind=kind,
                amount=amount,
                method=data.method,
                reference=reference,
                target_installment=installment_number,
                received_at=received_at,
                recorded_at=now,
                recorded_by=ctx.login,
                note=note,
            )
            session.add(entry)
            session.flush()
            add_allocations(session, entry, state.payment, allocations, state)
            state = self._settle(session, state)
            details = self._details(session, bundle_id)
            effect = describe_effect(allocations, details, balance_before)
            payment_out = next(item for item in details.ledger if item.id == entry.id)
            record_event(
                session,
                ctx,
                now,
                f"payment.{kind.value}",
                "bundle",
                bundle_id,
                before={"balance_remaining": str(balance_before)},
                after={"payment": payment_out.model_dump(mode="json"), **audit_summary(details)},
            )
            return PaymentResult(
                created=True,
                payment=payment_out,
                effect=effect,
                balance_before=balance_before,
                balance_after=details.balance_remaining,
                details=details,
            )

        return self._write_retrying(record)

    def record_installment_payment(self, ctx: OperatorContext, installment_id: int, data: PaymentIn) -> PaymentResult:
        """The seed's method: pay one installment (by its id, as in the details JSON)."""
        with self.db.read() as session:
            installment = session.get(ClassInstallment, installment_id)
            if installment is None:
                raise NotFound(f"There is no installment {installment_id}.")
            bundle_id, number = installment.bundle_id, installment.installment_number
        return self.record_payment(ctx, bundle_id, data, installment_number=number)

    def suggest_reference(self, bundle_id: int) -> str:
        """A fresh reference the operator can keep or overwrite."""
        return f"B{bundle_id}-{self.clock.today():%Y%m%d}-{secrets.token_hex(2).upper()}"

    def _replay(
        self,
        session: Session,
        existing: OrderPayment,
        bundle_id: int,
        amount: Decimal,
        kind: PaymentKind,
        installment_number: int | None,
    ) -> PaymentResult:
        """A reference already recorded: the same payment again is a safe retry, anything else a conflict."""
        same = (
            existing.bundle_id == bundle_id
            and existing.amount == amount
            and existing.kind is kind
            and existing.target_installment == installment_number
        )
        if not same:
            raise Conflict(
                f"Reference {existing.reference} was already used for {_with_article(existing.kind.value)} of "
                f"{format_money(existing.amount)} on bundle {existing.bundle_id}; use a new reference."
            )
        details = self._details(session, existing.bundle_id)
        payment_out = next(item for item in details.ledger if item.id == existing.id)
        return PaymentResult(
            created=False,
            payment=payment_out,
            effect=f"Reference {existing.reference} was already recorded; nothing changed.",
            balance_before=details.balance_remaining,
            balance_after=details.balance_remaining,
            details=details,
        )


def _with_article(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def describe_effect(allocations: list[Allocation], details: PaymentDetails, balance_before: Decimal) -> str:
    """ "installment 2 of 4 paid; balance 400.00 → 200.00"."""
    by_number = {item.installment_number: item for item in details.installments}
    parts = []
    for allocation in allocations:
        slot = allocation.slot
        if slot.kind is SlotKind.INSTALLMENT:
            item = by_number[slot.number]
            name = f"installment {slot.number} of {details.total_installments}"
            if item.is_paid:
                parts.append(f"{name} paid")
            else:
                parts.append(f"{format_money(allocation.amount)} to {name} ({format_money(item.remaining)} still owed)")
        elif slot.kind is SlotKind.DEPOSIT:
            owed = details.deposit_amount - details.deposit_paid
            parts.append("deposit paid" if owed == ZERO else f"{format_money(allocation.amount)} to the deposit")
        else:
            parts.append(f"{format_money(allocation.amount)} to the balance")
    parts.append(f"balance {format_money(balance_before)} → {format_money(details.balance_remaining)}")
    return "; ".join(parts)
