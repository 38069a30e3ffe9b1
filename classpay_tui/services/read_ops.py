"""Reads: payment details, lists and the writer dashboard, and the integrity check."""

from __future__ import annotations

from classpay_tui.domain.errors import InvalidInput
from classpay_tui.services import catalog, listing, view_rows, views
from classpay_tui.services.context import OperatorContext
from classpay_tui.services.core import ServiceCore
from classpay_tui.services.integrity import run_check
from classpay_tui.services.permissions import Action, authorize, authorize_writer_view
from classpay_tui.services.records import (
    create_payment_record,
    get_bundle,
    payment_record,
)
from classpay_tui.services.schemas import (
    CheckReport,
    PaymentDetails,
    PaymentSummary,
    WriterClassPayment,
)

MAX_PAGE, LIST_STATUSES, LIST_ORDERS, DEFAULT_ORDER = (
    listing.MAX_PAGE,
    listing.LIST_STATUSES,
    listing.LIST_ORDERS,
    listing.DEFAULT_ORDER,
)


class ReadOperations(ServiceCore):
    def get_payment_details(self, ctx: OperatorContext, bundle_id: int) -> PaymentDetails:
        """The seed's bundle details. A bundle without a payment record gets one now."""
        authorize(ctx, Action.READ_PAYMENTS)
        with self.db.read() as session:
            details = views.details(session, bundle_id, self.currency(), self.clock.today())
        if details is not None:
            return details
        now, today = self.clock.now(), self.clock.today()
        with self.db.write() as session:
            bundle = get_bundle(session, bundle_id, lock=True)
            if payment_record(session, bundle_id) is None:
                create_payment_record(session, bundle, now, today)
            return self._details(session, bundle_id)

    def get_payment_record(self, ctx: OperatorContext, payment_id: int) -> PaymentDetails:
        return self.get_payment_details(ctx, self._bundle_of_payment(payment_id))

    def list_payments(
        self,
        ctx: OperatorContext,
        *,
        status: str | None = None,
        writer: str | int | None = None,
        search: str | None = None,
        limit: int = 50,
        offset: int = 0,
        order: str = DEFAULT_ORDER,
    ) -> list[PaymentSummary]:
        """Newest bundle first, or by ``order`` (a key of :data:`LIST_ORDERS`, ``-`` in front
        for descending; ties newest first), filtered and sorted in SQL."""
        authorize(ctx, Action.READ_PAYMENTS)
        listing.check_arguments(status=status, order=order, limit=limit)
        if offset < 0:
            raise InvalidInput("The offset cannot be negative.")
        today = self.clock.today()
        with self.db.read() as session:
            writer_id = catalog.find_writer(session, writer).id if writer is not None else None
            ids = listing.page_ids(
                session,
                status=status,
                writer_id=writer_id,
                search=search,
                order=order,
                limit=limit,
                offset=offset,
                today=today,
            )
            rows = view_rows.summaries_by_id(session, ids)
            return views.summaries(session, rows, self.currency(), today)

    def get_writer_class_payments(self, ctx: OperatorContext, writer_ref: str | int) -> list[WriterClassPayment]:
        """The seed's writer dashboard: the writer's bundles, without client amounts."""
        with self.db.read() as session:
            writer = catalog.find_writer(session, writer_ref)
            authorize_writer_view(ctx, writer.id)
            return views.writer_class_payments(session, writer.id, self.clock.today())

    def check(self, ctx: OperatorContext) -> CheckReport:
        """Prove every stored summary equals the ledger and the audit chain is unbroken."""
        authorize(ctx, Action.CHECK)
        with self.db.read() as session:
            return run_check(session)
