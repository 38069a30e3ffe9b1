"""Client payments: recording them, safely retried by reference."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from classpay_tui.db.models import (
    ClassInstallment,
    OrderPayment,
)
from classpay_tui.domain.allocation import (
    Allocation,
    BundleDebt,
    SlotKind,
    allocate_refund,
    allocate_to_bundle,
    allocate_to_deposit,
    allocate_to_installment,
)
from classpay_tui.domain.errors import ClasspayError, Conflict, InvalidInput, NotFound, Refused
from classpay_tui.domain.money import ZERO, format_money
from classpay_tui.domain.statuses import PaymentKind, PaymentMethod
from classpay_tui.services.audit import record_event
from classpay_tui.services.context import OperatorContext
from classpay_tui.services.core import ServiceCore, audit_summary
from classpay_tui.services.corrections import reversal_allocations
from classpay_tui.services.ledger import BundleState
from classpay_tui.services.payment_sql import BY_BUNDLE, BY_INSTALLMENT
from classpay_tui.services.payment_write import AllocateDebt, Recorded, record_client_payment
from classpay_tui.services.permissions import Action, authorize
from classpay_tui.services.records import (
    add_allocations,
    locked_state,
)
from classpay_tui.services.schemas import (
    BatchLine,
    PaymentDetails,
    PaymentIn,
    PaymentResult,
)
from classpay_tui.services.text import clean_text


@dataclass(frozen=True)
class EntryRequest:
    """One ledger entry to write, already validated."""

    kind: PaymentKind
    amount: Decimal
    method: PaymentMethod
    reference: str
    received_at: datetime
    note: str | None = None
    target_installment: int | None = None
    reverses_id: int | None = None


Allocate = Callable[[BundleState], list[Allocation]]
# Built once (see ``ledger``): a payment runs these every time.
_BY_REFERENCE = select(OrderPayment).where(OrderPayment.reference == bindparam("reference"))
_INSTALLMENT = select(ClassInstallment.bundle_id, ClassInstallment.installment_number).where(
    ClassInstallment.id == bindparam("installment_id")
)
MAX_BATCH = 500


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
        if deposit:
            kind = PaymentKind.DEPOSIT
        elif installment_number is not None:
            kind = PaymentKind.INSTALLMENT
        else:
            kind = PaymentKind.PAYMENT

        def allocate(debt: BundleDebt) -> list[Allocation]:
            if deposit:
                return allocate_to_deposit(debt, amount)
            if installment_number is not None:
                return allocate_to_installment(debt, installment_number, amount)
            return allocate_to_bundle(debt, amount)

        request = self._entry_request(kind, amount, data, target_installment=installment_number)
        return self._pay(
            ctx,
            request,
            BY_BUNDLE,
            bundle_id,
            lambda debt, _number: allocate(debt),
            lambda session: self._record_entry(session, ctx, bundle_id, request, lambda state: allocate(state.debt)),
        )

    def refund(self, ctx: OperatorContext, bundle_id: int, data: PaymentIn) -> PaymentResult:
        """Money returned to the client (admin): it un-pays installments latest first, the
        deposit last, and takes back writer payouts that collected money no longer covers."""
        authorize(ctx, Action.REFUND)
        amount = data.checked_amount()
        request = self._entry_request(PaymentKind.REFUND, amount, data)
        return self._write_retrying(
            lambda session: self._record_entry(
                session, ctx, bundle_id, request, lambda state: allocate_refund(state.debt, amount)
            )
        )

    def reverse_payment(self, ctx: OperatorContext, payment_id: int, reason: str) -> PaymentResult:
        """Undo one recorded ledger entry with a reversal entry (admin). The original stays."""
        authorize(ctx, Action.REVERSE)
        why = clean_text(reason, "The reason for the reversal", max_length=500)

        def reverse(session: Session) -> PaymentResult:
            original = session.get(OrderPayment, payment_id)
            if original is None:
                raise NotFound(f"There is no payment {payment_id}.")
            if original.kind is PaymentKind.REVERSAL:
                raise Refused(f"Payment {payment_id} is itself a reversal and cannot be reversed.")
            earlier = session.scalar(select(OrderPayment.id).where(OrderPayment.reverses_id == payment_id))
            if earlier is not None:
                raise Refused(f"Payment {payment_id} was already reversed by payment {earlier}.")
            request = EntryRequest(
                kind=PaymentKind.REVERSAL,
                amount=original.amount,
                method=original.method,
                reference=f"REV-{original.id}",
                received_at=self.clock.now(),
                note=why,
                reverses_id=original.id,
            )
            return self._record_entry(
                session,
                ctx,
                original.bundle_id,
                request,
                lambda state: reversal_allocations(session, state, original),
            )

        return self._write_retrying(reverse)

    def record_payments(self, ctx: OperatorContext, lines: list[BatchLine]) -> list[PaymentResult]:
        """Bulk entry: many client payments (each to its bundle, allocated oldest first) in
        ONE transaction — all are recorded or, if any line is refused, none is. The
        refusal names its line: "Line 3: 250.00 is 50.00 more than ..."."""
        authorize(ctx, Action.RECORD_PAYMENT)
        if not lines:
            raise InvalidInput("The batch is empty.")
        if len(lines) > MAX_BATCH:
            raise InvalidInput(f"A batch holds at most {MAX_BATCH} payments, not {len(lines)}.")
        requests = []
        for number, line in enumerate(lines, 1):
            try:
                requests.append(
                    (line, self._entry_request(PaymentKind.PAYMENT, line.payment.checked_amount(), line.payment))
                )
            except ClasspayError as error:
                raise type(error)(f"Line {number}: {error}") from None
        references = [request.reference for _, request in requests]
        if len(set(references)) != len(references):
            raise InvalidInput("Two lines of the batch have the same reference; each payment needs its own.")

        def record_all(session: Session) -> list[PaymentResult]:
            results = []
            for number, (line, request) in enumerate(requests, 1):
                amount = request.amount
                try:
                    results.append(
                        self._record_line(
                            session, ctx, line.bundle_id, request, lambda debt, a=amount: allocate_to_bundle(debt, a)
                        )
                    )
                except ClasspayError as error:
                    raise type(error)(f"Line {number}: {error}") from None
            return results

        return self._write_retrying(record_all)

    def record_installment_payment(self, ctx: OperatorContext, installment_id: int, data: PaymentIn) -> PaymentResult:
        """The seed's method: pay one installment (by its id, as in the details JSON), in one
        transaction with finding it."""
        authorize(ctx, Action.RECORD_PAYMENT)
        amount = data.checked_amount()
        checked = self._entry_request(PaymentKind.INSTALLMENT, amount, data)

        def record(session: Session) -> PaymentResult:
            found = session.execute(_INSTALLMENT, {"installment_id": installment_id}).first()
            if found is None:
                raise NotFound(f"There is no installment {installment_id}.")
            bundle_id, number = found
            request = replace(checked, target_installment=number)
            return self._record_entry(
                session, ctx, bundle_id, request, lambda state: allocate_to_installment(state.debt, number, amount)
            )

        return self._pay(
            ctx,
            checked,
            BY_INSTALLMENT,
            installment_id,
            lambda debt, number: allocate_to_installment(debt, number, amount),
            record,
        )

    def suggest_reference(self, bundle_id: int) -> str:
        """A fresh reference the operator can keep or overwrite."""
        return f"B{bundle_id}-{self.clock.today():%Y%m%d}-{secrets.token_hex(2).upper()}"

    def _entry_request(
        self, kind: PaymentKind, amount: Decimal, data: PaymentIn, *, target_installment: int | None = None
    ) -> EntryRequest:
        return EntryRequest(
            kind=kind,
            amount=amount,
            method=data.method,
            reference=clean_text(data.reference, "The reference", max_length=100) or "",
            received_at=self._received_at(data.received_on),
            note=clean_text(data.note, "The note", max_length=2000, required=False),
            target_installment=target_installment,
        )

    def _pay(
        self,
        ctx: OperatorContext,
        request: EntryRequest,
        by: str,
        key: int,
        allocate: AllocateDebt,
        orm: Callable[[Session], PaymentResult],
    ) -> PaymentResult:
        """One client payment in a transaction of its own: the Core write path, or ``orm``
        (in a new transaction) for what that path hands back untouched."""
        currency = self.currency()
        try:
            with self.db.write_connection() as connection:
                recorded = record_client_payment(
                    connection,
                    ctx,
                    request,
                    by=by,
                    key=key,
                    allocate=allocate,
                    now=self.clock.now(),
                    today=self.clock.today(),
                    currency=currency,
                )
        except IntegrityError:
            recorded = None  # a unique-key race lost to another operator (PostgreSQL): the ORM path sees the winner
        if recorded is None:
            return self._write_retrying(orm)
        return _created(request.kind, recorded)

    def _record_line(
        self,
        session: Session,
        ctx: OperatorContext,
        bundle_id: int,
        request: EntryRequest,
        allocate: Callable[[BundleDebt], list[Allocation]],
    ) -> PaymentResult:
        """One payment of a batch, in the session's transaction: the Core write path, or the
        ORM one for what that path hands back."""
        session.flush()  # the batch's earlier lines are in the database
        recorded = record_client_payment(
            session.connection(),
            ctx,
            request,
            by=BY_BUNDLE,
            key=bundle_id,
            allocate=lambda debt, _number: allocate(debt),
            now=self.clock.now(),
            today=self.clock.today(),
            currency=self.currency(),
        )
        if recorded is None:
            return self._record_entry(session, ctx, bundle_id, request, lambda state: allocate(state.debt))
        if session.identity_map:
            session.expire_all()  # objects an earlier line loaded: read them again after these writes
        return _created(request.kind, recorded)

    def _record_entry(
        self, session: Session, ctx: OperatorContext, bundle_id: int, request: EntryRequest, allocate: Allocate
    ) -> PaymentResult:
        """Lock the bundle, write the entry and its allocations, recompute, schedule or take
        back writer payouts, and audit — all in the caller's one transaction."""
        now, today = self.clock.now(), self.clock.today()
        state = locked_state(session, bundle_id, now, today)
        existing = session.scalar(_BY_REFERENCE, {"reference": request.reference})
        if existing is not None:
            return self._replay(session, existing, bundle_id, request)
        balance_before = state.payment.balance_remaining
        allocations = allocate(state)
        entry = OrderPayment(
            bundle_id=bundle_id,
            kind=request.kind,
            amount=request.amount,
            method=request.method,
            reference=request.reference,
            target_installment=request.target_installment,
            received_at=request.received_at,
            recorded_at=now,
            recorded_by=ctx.login,
            note=request.note,
            reverses_id=request.reverses_id,
        )
        session.add(entry)
        session.flush()
        add_allocations(session, entry, state.payment, allocations, state)
        money_went_back = request.kind is PaymentKind.REFUND or any(a.amount < ZERO for a in allocations)
        self._settle(
            session,
            state,
            take_back=f"{request.kind.value} {request.reference}" if money_went_back else None,
            added=allocations,
        )
        details = self._details(session, bundle_id)
        payment_out = next(item for item in details.ledger if item.id == entry.id)
        record_event(
            session,
            ctx,
            now,
            f"payment.{request.kind.value}",
            "bundle",
            bundle_id,
            before={"balance_remaining": str(balance_before)},
            after={"payment": payment_out.model_dump(mode="json"), **audit_summary(details)},
        )
        return PaymentResult(
            created=True,
            payment=payment_out,
            effect=describe_effect(request.kind, allocations, details, balance_before),
            balance_before=balance_before,
            balance_after=details.balance_remaining,
            details=details,
        )

    def _replay(
        self,
        session: Session,
        existing: OrderPayment,
        bundle_id: int,
        request: EntryRequest,
    ) -> PaymentResult:
        """A reference already recorded: the same payment again is a safe retry, anything else a conflict."""
        same = (
            existing.bundle_id == bundle_id
            and existing.amount == request.amount
            and existing.kind is request.kind
            and existing.target_installment == request.target_installment
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


def _created(kind: PaymentKind, recorded: Recorded) -> PaymentResult:
    return PaymentResult(
        created=True,
        payment=recorded.entry,
        effect=describe_effect(kind, recorded.allocations, recorded.details, recorded.balance_before),
        balance_before=recorded.balance_before,
        balance_after=recorded.details.balance_remaining,
        details=recorded.details,
    )


def _with_article(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def describe_effect(
    kind: PaymentKind, allocations: list[Allocation], details: PaymentDetails, balance_before: Decimal
) -> str:
    """What an entry did, for people: "installment 2 of 4 paid; balance 400.00 → 200.00"."""
    by_number = {item.installment_number: item for item in details.installments}
    parts = []
    for allocation in allocations:
        slot = allocation.slot
        if slot.kind is SlotKind.INSTALLMENT:
            name = f"installment {slot.number} of {details.total_installments}"
            item = by_number[slot.number]
            done, owed = item.is_paid, item.remaining
        elif slot.kind is SlotKind.DEPOSIT:
            name, owed = "the deposit", details.deposit_amount - details.deposit_paid
            done = owed == ZERO
        else:
            name, owed = "the balance", details.balance_remaining
            done = owed == ZERO
        if allocation.amount < ZERO:
            parts.append(f"{format_money(-allocation.amount)} taken back from {name}")
        elif done:
            parts.append(f"{name.removeprefix('the ')} paid")
        else:
            parts.append(f"{format_money(allocation.amount)} to {name} ({format_money(owed)} still owed)")
    parts.append(f"balance {format_money(balance_before)} → {format_money(details.balance_remaining)}")
    text = "; ".join(parts)
    return f"{kind.value}: {text}" if kind in (PaymentKind.REFUND, PaymentKind.REVERSAL) else text
