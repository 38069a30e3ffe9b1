"""Payment status and writer payouts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from classpay_tui.db.models import ClassPayment, ClassWriterPayment
from classpay_tui.domain.errors import InvalidInput, NotFound, Refused
from classpay_tui.domain.money import ZERO, check_amount, format_money
from classpay_tui.domain.statuses import PaymentMethod, PayoutMode, Role, WriterPaymentType, WriterPayoutStatus
from classpay_tui.services import catalog, views
from classpay_tui.services.audit import record_event
from classpay_tui.services.context import OperatorContext
from classpay_tui.services.core import ServiceCore
from classpay_tui.services.ledger import BundleState, recompute_writer
from classpay_tui.services.payouts import (
    cancel,
    get_payout,
    mark_paid,
    payout_mode,
    refuse_cancel,
    schedule_payout,
    unscheduled_compensation,
)
from classpay_tui.services.permissions import Action, authorize, authorize_writer_view
from classpay_tui.services.records import get_bundle, link_existing_payments, locked_state, office_settings
from classpay_tui.services.schemas import (
    PaymentDetails,
    WriterPaymentOut,
    WriterTotals,
)
from classpay_tui.services.text import clean_text


class PayoutOperations(ServiceCore):
    def refresh_status(self, ctx: OperatorContext, payment_id: int) -> PaymentDetails:
        """The seed's ``refresh_status``: allocate any ledger entry that has not been (rows
        written by another system), recompute the summary from the ledger and schedule any
        writer payout that is due. Running it again changes nothing."""
        authorize(ctx, Action.REFRESH_STATUS)

        def link_orphans(session: Session, state: BundleState) -> None:
            link_existing_payments(session, state.bundle, state.payment)

        return self._write_bundle(ctx, self._bundle_of_payment(payment_id), link_orphans, action="payment.refresh")

    update_payment_status = refresh_status

    def schedule_writer_payment(
        self, ctx: OperatorContext, payment_id: int, amount: Decimal | None = None
    ) -> WriterPaymentOut:
        """Schedule a payout of ``amount`` (default: all compensation not yet paid or scheduled)."""
        authorize(ctx, Action.SCHEDULE_WRITER_PAYMENT)
        bundle_id = self._bundle_of_payment(payment_id)
        scheduled: list[int] = []

        def schedule(session: Session, state: BundleState) -> None:
            payment = state.payment
            if payment.writer_id is None:
                raise Refused(f"Bundle {bundle_id} has no writer assigned; assign one first.")
            open_amount = unscheduled_compensation(payment)
            if open_amount <= ZERO:
                raise Refused(
                    f"All of the writer's compensation for bundle {bundle_id} "
                    f"({format_money(payment.writer_compensation_amount)}) is already paid or scheduled."
                )
            wanted = open_amount if amount is None else check_amount(amount, what="The payout amount")
            if wanted > open_amount:
                raise Refused(
                    f"{format_money(wanted)} is {format_money(wanted - open_amount)} more than the "
                    f"{format_money(open_amount)} of compensation not yet paid or scheduled."
                )
            kind = WriterPaymentType.FULL if wanted == payment.writer_compensation_amount else WriterPaymentType.PARTIAL
            payout = schedule_payout(
                session, payment, wanted, kind, office_settings(session), self.clock.now(), self.clock.today()
            )
            scheduled.append(payout.id)

        details = self._write_bundle(ctx, bundle_id, schedule, action="writer_payment.schedule")
        return next(item for item in details.writer_payments if item.id == scheduled[0])

    def pay_payout(
        self,
        ctx: OperatorContext,
        payout_id: int,
        reference: str,
        *,
        method: PaymentMethod = PaymentMethod.BANK_TRANSFER,
        paid_on: date | None = None,
    ) -> WriterPaymentOut:
        """Mark one scheduled payout paid; its bonus is marked paid with it."""
        authorize(ctx, Action.MANAGE_PAYOUTS)
        cleaned = clean_text(reference, "The payout reference", max_length=100) or ""
        paid_at = self._received_at(paid_on)
        bundle_id = self._bundle_of_payout(payout_id)

        def pay(session: Session, state: BundleState) -> None:
            mark_paid(session, get_payout(session, payout_id), cleaned, method, paid_at)

        details = self._write_bundle(ctx, bundle_id, pay, action="writer_payment.pay")
        return next(item for item in details.writer_payments if item.id == payout_id)

    def cancel_payout(
        self, ctx: OperatorContext, payout_id: int, reason: str = "cancelled by an admin"
    ) -> WriterPaymentOut:
        """Cancel a scheduled payout; a paid one is never undone."""
        authorize(ctx, Action.MANAGE_PAYOUTS)
        why = clean_text(reason, "The reason", max_length=200) or "cancelled"
        bundle_id = self._bundle_of_payout(payout_id)

        def cancel_one(session: Session, state: BundleState) -> None:
            payout = get_payout(session, payout_id)
            refuse_cancel(payout)
            cancel(session, payout, self.clock.now(), why)

        details = self._write_bundle(ctx, bundle_id, cancel_one, action="writer_payment.cancel")
        return next(item for item in details.writer_payments if item.id == payout_id)

    def list_payouts(
        self,
        ctx: OperatorContext,
        *,
        writer: str | int | None = None,
        status: str | None = None,
        due_by: date | None = None,
    ) -> list[WriterPaymentOut]:
        """Writer payouts by scheduled date, filtered."""
        try:
            wanted = WriterPayoutStatus(status) if status is not None else None
        except ValueError:
            choices = ", ".join(s.value for s in WriterPayoutStatus)
            raise InvalidInput(f"{status!r} is not a payout status; use one of {choices}.") from None
        with self.db.read() as session:
            writer_id = catalog.find_writer(session, writer).id if writer is not None else None
            if ctx.role is Role.WRITER:
                writer_id = writer_id or ctx.writer_id
                authorize_writer_view(ctx, writer_id or 0)
            else:
                authorize(ctx, Action.READ_PAYOUTS)
            return views.payouts(session, writer_id=writer_id, status=wanted, due_by=due_by)

    def run_payouts(
        self,
        ctx: OperatorContext,
        due_by: date,
        *,
        reference_prefix: str | None = None,
        method: PaymentMethod = PaymentMethod.BANK_TRANSFER,
    ) -> list[WriterPaymentOut]:
        """The payout run: every payout scheduled on or before ``due_by`` marked paid, all in
        one transaction (all or nothing). References are ``PREFIX-<payout id>``."""
        authorize(ctx, Action.MANAGE_PAYOUTS)
        prefix = clean_text(reference_prefix, "The reference prefix", max_length=60, required=False)
        prefix = prefix or f"RUN-{self.clock.today():%Y%m%d}"

        def run(session: Session) -> list[WriterPaymentOut]:
            now, today = self.clock.now(), self.clock.today()
            due = views.payouts(session, writer_id=None, status=WriterPayoutStatus.SCHEDULED, due_by=due_by)
            paid_ids = []
            # Lock bundles in id order so two runs (or a run and a payment) never deadlock.
            for bundle_id in sorted({item.bundle_id for item in due}):
                state = locked_state(session, bundle_id, now, today)
                bundle_payouts = [item.id for item in due if item.bundle_id == bundle_id]
                for payout_id in bundle_payouts:
                    mark_paid(session, get_payout(session, payout_id), f"{prefix}-{payout_id}", method, now)
                recompute_writer(session, state.bundle, state.payment)
                record_event(
                    session,
                    ctx,
                    now,
                    "writer_payment.run",
                    "bundle",
                    bundle_id,
                    after={"due_by": due_by.isoformat(), "reference_prefix": prefix, "payouts": bundle_payouts},
                )
                paid_ids.extend(bundle_payouts)
            session.flush()
            paid = {item.id: item for item in views.payouts(session, writer_id=None, status=None, due_by=due_by)}
            return [paid[payout_id] for payout_id in paid_ids]

        return self._write_retrying(run)

    def set_payout_mode(self, ctx: OperatorContext, mode: str | None, *, bundle_id: int | None = None) -> str:
        """The office's payout mode, or one bundle's (``None`` there goes back to the office's)."""
        authorize(ctx, Action.SET_PAYOUT_MODE)
        try:
            wanted = PayoutMode(mode) if mode is not None else None
        except ValueError:
            choices = ", ".join(m.value for m in PayoutMode)
            raise InvalidInput(f"{mode!r} is not a payout mode; use one of {choices}.") from None
        if bundle_id is None:
            if wanted is None:
                raise InvalidInput("The office needs a payout mode; name one.")
            with self.db.write() as session:
                settings = office_settings(session)
                before = settings.payout_mode.value
                settings.payout_mode = wanted
                record_event(
                    session,
                    ctx,
                    self.clock.now(),
                    "settings.payout_mode",
                    "settings",
                    1,
                    before={"payout_mode": before},
                    after={"payout_mode": wanted.value},
                )
            return wanted.value

        def change(session: Session, state: BundleState) -> None:
            state.bundle.payout_mode = wanted

        self._write_bundle(ctx, bundle_id, change, action="bundle.payout_mode")
        return self.payout_mode(ctx, bundle_id)

    def payout_mode(self, ctx: OperatorContext, bundle_id: int | None = None) -> str:
        """The payout mode in force for the office, or for one bundle."""
        authorize(ctx, Action.READ_PAYMENTS)
        with self.db.read() as session:
            settings = office_settings(session)
            if bundle_id is None:
                return settings.payout_mode.value
            return payout_mode(get_bundle(session, bundle_id), settings).value

    def writer_totals(self, ctx: OperatorContext) -> list[WriterTotals]:
        """Per writer: compensation earned, paid, scheduled, not yet scheduled, owed back.
        A writer sees only their own line."""
        if ctx.role is Role.WRITER:
            authorize_writer_view(ctx, ctx.writer_id or 0)
        else:
            authorize(ctx, Action.READ_PAYOUTS)
        with self.db.read() as session:
            totals = views.writer_totals(session)
        return [t for t in totals if ctx.role is not Role.WRITER or t.writer_id == ctx.writer_id]

    def _bundle_of_payout(self, payout_id: int) -> int:
        with self.db.read() as session:
            bundle_id = session.scalar(
                select(ClassPayment.bundle_id)
                .join(ClassWriterPayment, ClassWriterPayment.class_payment_id == ClassPayment.id)
                .where(ClassWriterPayment.id == payout_id)
            )
        if bundle_id is None:
            raise NotFound(f"There is no writer payout {payout_id}.")
        return bundle_id
