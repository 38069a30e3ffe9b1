"""Writers and bundles: adding them, assigning writers, prices and compensation."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from classpay_tui.db.models import (
    Writer,
)
from classpay_tui.domain.errors import Refused
from classpay_tui.domain.money import ZERO, check_amount, format_money
from classpay_tui.services import catalog
from classpay_tui.services.audit import record_event
from classpay_tui.services.context import OperatorContext
from classpay_tui.services.core import ServiceCore, audit_summary
from classpay_tui.services.ledger import BundleState
from classpay_tui.services.permissions import Action, authorize, authorize_writer_view
from classpay_tui.services.records import (
    bundle_compensation,
    create_payment_record,
    office_settings,
)
from classpay_tui.services.schemas import (
    BundleIn,
    PaymentDetails,
    WriterIn,
    WriterOut,
)


class BundleOperations(ServiceCore):
    def add_writer(self, ctx: OperatorContext, data: WriterIn) -> WriterOut:
        authorize(ctx, Action.ADD_WRITER)
        now = self.clock.now()
        with self.db.write() as session:
            writer = catalog.add_writer(session, data, now)
            out = catalog.writer_out(writer)
            record_event(session, ctx, now, "writer.add", "writer", writer.id, after=out.model_dump(mode="json"))
            return out

    def list_writers(self, ctx: OperatorContext) -> list[WriterOut]:
        authorize(ctx, Action.READ_PAYMENTS)
        with self.db.read() as session:
            return [catalog.writer_out(w) for w in session.scalars(select(Writer).order_by(Writer.username))]

    def get_writer(self, ctx: OperatorContext, ref: str | int) -> WriterOut:
        with self.db.read() as session:
            writer = catalog.find_writer(session, ref)
            authorize_writer_view(ctx, writer.id)
            return catalog.writer_out(writer)

    def create_bundle(self, ctx: OperatorContext, data: BundleIn) -> PaymentDetails:
        """A bundle, its installment plan and its payment record, with the writer's compensation."""
        authorize(ctx, Action.CREATE_BUNDLE)
        now, today = self.clock.now(), self.clock.today()
        with self.db.write() as session:
            bundle = catalog.add_bundle(session, data, now, today)
            create_payment_record(session, bundle, now, today)
            details = self._details(session, bundle.id)
            record_event(session, ctx, now, "bundle.create", "bundle", bundle.id, after=audit_summary(details))
            return details

    def create_payment_for_bundle(
        self, ctx: OperatorContext, bundle_id: int, writer: str | int | None = None
    ) -> PaymentDetails:
        """The seed's entry point: make sure the bundle has its payment record, and assign
        the writer if one is named."""
        if writer is not None:
            return self.assign_writer(ctx, bundle_id, writer)
        authorize(ctx, Action.ASSIGN_WRITER)
        return self._write_bundle(ctx, bundle_id, lambda session, state: None, action=None)

    def assign_writer(self, ctx: OperatorContext, bundle_id: int, writer_ref: str | int) -> PaymentDetails:
        """Assign or reassign the writer; the compensation is computed for the new writer."""
        authorize(ctx, Action.ASSIGN_WRITER)

        def assign(session: Session, state: BundleState) -> None:
            writer = catalog.find_writer(session, writer_ref)
            if not writer.active:
                raise Refused(f"Writer {writer.username} is inactive and cannot be assigned.")
            bundle, payment = state.bundle, state.payment
            bundle.writer_id = writer.id
            bundle.updated_at = self.clock.now()
            payment.writer_id = writer.id
            payment.writer_compensation_amount = bundle_compensation(bundle, writer, office_settings(session))

        return self._write_bundle(ctx, bundle_id, assign, action="bundle.assign_writer")

    def reprice(
        self, ctx: OperatorContext, bundle_id: int, *, total: Decimal | None = None, deposit: Decimal | None = None
    ) -> PaymentDetails:
        """Change the price or deposit. Once money has been received only an admin may, and
        only the unpaid installments are re-planned (paid and part-paid ones keep their amounts)."""
        authorize(ctx, Action.CREATE_BUNDLE)

        def change(session: Session, state: BundleState) -> None:
            if state.payment.amount_paid > ZERO or state.payment.refunded_amount > ZERO:
                authorize(ctx, Action.REPRICE_AFTER_PAYMENT)
            new_total = check_amount(total, what="The total") if total is not None else state.bundle.total_amount
            new_deposit = (
                check_amount(deposit, allow_zero=True, what="The deposit")
                if deposit is not None
                else state.bundle.deposit_amount
            )
            catalog.reprice(session, state, new_total, new_deposit)
            writer = session.get(Writer, state.bundle.writer_id) if state.bundle.writer_id else None
            state.payment.writer_compensation_amount = bundle_compensation(
                state.bundle, writer, office_settings(session)
            )
            _refuse_compensation_below_payouts(state)

        return self._write_bundle(ctx, bundle_id, change, action="bundle.reprice")

    def set_compensation(self, ctx: OperatorContext, bundle_id: int, amount: Decimal | None) -> PaymentDetails:
        """An admin fixes the writer's compensation for this bundle (``None`` goes back to the rules)."""
        authorize(ctx, Action.SET_COMPENSATION)

        def change(session: Session, state: BundleState) -> None:
            state.bundle.compensation_override = (
                None if amount is None else check_amount(amount, allow_zero=True, what="The compensation")
            )
            writer = session.get(Writer, state.bundle.writer_id) if state.bundle.writer_id else None
            state.payment.writer_compensation_amount = bundle_compensation(
                state.bundle, writer, office_settings(session)
            )
            _refuse_compensation_below_payouts(state)

        return self._write_bundle(ctx, bundle_id, change, action="bundle.set_compensation")


def _refuse_compensation_below_payouts(state: BundleState) -> None:
    payment = state.payment
    committed = payment.writer_paid_amount + payment.writer_scheduled_amount
    if payment.writer_id is not None and payment.writer_compensation_amount < committed:
        raise Refused(
            f"The compensation would be {format_money(payment.writer_compensation_amount)}, less than the "
            f"{format_money(committed)} already paid or scheduled to the writer; cancel a payout first."
        )
