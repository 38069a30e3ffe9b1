"""What every group of service operations shares: the database, the clock, the
one-transaction write helpers and the summary recomputation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from classpay_tui.db.engine import Database
from classpay_tui.db.models import (
    ClassPayment,
)
from classpay_tui.domain.allocation import Allocation
from classpay_tui.domain.errors import InvalidInput, NotFound
from classpay_tui.domain.money import ZERO
from classpay_tui.domain.statuses import WriterPayoutStatus
from classpay_tui.services import views
from classpay_tui.services.audit import record_event
from classpay_tui.services.context import Clock, OperatorContext
from classpay_tui.services.ledger import (
    BundleState,
    apply_writer_summary,
    load_state,
    payout_sums,
    recompute_client,
    recompute_writer,
    with_allocations,
)
from classpay_tui.services.payouts import schedule_due_payouts, take_back_uncovered
from classpay_tui.services.records import (
    get_bundle,
    locked_state,
    office_settings,
)
from classpay_tui.services.schemas import (
    PaymentDetails,
)

T = TypeVar("T")


class ServiceCore:
    """Database, clock and the transaction helpers every operation shares."""

    def __init__(self, database: Database, clock: Clock | None = None) -> None:
        self.db = database
        self.clock = clock or Clock()
        self._currency: str | None = None

    def currency(self) -> str:
        if self._currency is None:
            with self.db.read() as session:
                self._currency = office_settings(session).currency
        return self._currency

    def _details(self, session: Session, bundle_id: int) -> PaymentDetails:
        details = views.details(session, bundle_id, self.currency(), self.clock.today())
        if details is None:
            get_bundle(session, bundle_id)  # raises NotFound for an unknown bundle
            raise NotFound(f"Bundle {bundle_id} has no payment record yet.")
        return details

    def _bundle_of_payment(self, payment_id: int) -> int:
        with self.db.read() as session:
            bundle_id = session.scalar(select(ClassPayment.bundle_id).where(ClassPayment.id == payment_id))
        if bundle_id is None:
            raise NotFound(f"There is no payment record {payment_id}.")
        return bundle_id

    def _received_at(self, received_on: date | None) -> datetime:
        today = self.clock.today()
        if received_on is None or received_on == today:
            return self.clock.now()
        if received_on > today:
            raise InvalidInput(f"The payment date {received_on.isoformat()} is in the future.")
        # Noon UTC keeps the calendar date the same in every office time zone.
        return datetime.combine(received_on, time(12, 0), tzinfo=UTC)

    def _settle(
        self,
        session: Session,
        state: BundleState,
        *,
        take_back: str | None = None,
        added: list[Allocation] | None = None,
    ) -> BundleState:
        """Recompute the summary from the ledger and schedule a writer payout if one is due.

        ``take_back`` (why money went back to the client) also cancels scheduled payouts
        that collected money no longer covers. ``added``: the allocations just written on
        ``state``'s slots (a new ledger entry), so the state need not be read again.
        """
        now, today = self.clock.now(), self.clock.today()
        settings = office_settings(session)
        state = load_state(session, state.bundle, state.payment) if added is None else with_allocations(state, added)
        bundle, payment = state.bundle, state.payment
        # The queries below read the ledger and payouts, never the summary being changed:
        # the changes are written once, at the end (payouts scheduled are flushed as added).
        with session.no_autoflush:
            recompute_client(session, state, today)
            sums = payout_sums(session, payment)
            apply_writer_summary(bundle, payment, sums)
        if take_back is not None:
            take_back_uncovered(session, payment, settings, now, today, f"no longer covered after {take_back}")
        scheduled = schedule_due_payouts(session, bundle, payment, settings, now, today)
        if take_back is None:  # only new scheduled payouts changed the sums
            for payout in scheduled:
                sums[WriterPayoutStatus.SCHEDULED] = sums.get(WriterPayoutStatus.SCHEDULED, ZERO) + payout.amount
            apply_writer_summary(bundle, payment, sums)
        else:
            recompute_writer(session, bundle, payment)
        payment.updated_at = now
        session.flush()
        return state

    def _write_bundle(
        self,
        ctx: OperatorContext,
        bundle_id: int,
        change: Callable[[Session, BundleState], None],
        *,
        action: str | None,
    ) -> PaymentDetails:
        """Lock the bundle, apply ``change``, recompute, audit what changed, in one transaction."""

        def run(session: Session) -> PaymentDetails:
            now, today = self.clock.now(), self.clock.today()
            state = locked_state(session, bundle_id, now, today)
            before = audit_summary(self._details(session, bundle_id))
            change(session, state)
            self._settle(session, state)
            details = self._details(session, bundle_id)
            after = audit_summary(details)
            if action is not None and after != before:
                record_event(session, ctx, now, action, "bundle", bundle_id, before=before, after=after)
            return details

        return self._write_retrying(run)

    def _write_retrying(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in one write transaction. A unique-key race lost to another
        operator (PostgreSQL) is retried once, when the winner's row is visible."""
        try:
            with self.db.write() as session:
                return work(session)
        except IntegrityError:
            with self.db.write() as session:
                return work(session)


def audit_summary(details: PaymentDetails) -> dict[str, object]:
    keys = (
        "amount_paid",
        "balance_remaining",
        "deposit_paid",
        "client_payment_status",
        "paid_installments",
        "assigned_writer_username",
        "writer_compensation_amount",
        "writer_paid_amount",
        "writer_scheduled_amount",
        "writer_payment_status",
        "writer_owed_back",
        "total_amount",
        "deposit_amount",
        "payout_mode_override",
        "compensation_override",
    )
    dumped = details.model_dump(mode="json", include=set(keys))
    return {key: dumped[key] for key in keys}
