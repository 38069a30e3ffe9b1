"""Payment status and writer payouts."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from classpay_tui.domain.errors import Refused
from classpay_tui.domain.money import ZERO, check_amount, format_money
from classpay_tui.domain.statuses import WriterPaymentType
from classpay_tui.services.context import OperatorContext
from classpay_tui.services.core import ServiceCore
from classpay_tui.services.ledger import BundleState
from classpay_tui.services.payouts import schedule_payout, unscheduled_compensation
from classpay_tui.services.permissions import Action, authorize
from classpay_tui.services.records import (
    office_settings,
)
from classpay_tui.services.schemas import (
    PaymentDetails,
    WriterPaymentOut,
)


class PayoutOperations(ServiceCore):
    def refresh_status(self, ctx: OperatorContext, payment_id: int) -> PaymentDetails:
        """The seed's ``refresh_status``: recompute the summary from the ledger and schedule
        any writer payout that is due. Running it again changes nothing."""
        authorize(ctx, Action.REFRESH_STATUS)
        return self._write_bundle(
            ctx, self._bundle_of_payment(payment_id), lambda s, st: None, action="payment.refresh"
        )

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
