"""Reads for the office's reports: overdue installments, receivables aging, collections.
(Writer liabilities are ``writer_totals``, with the payouts.) The report queries are
imported when a report is asked for, not with the service (the app starts without them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from classpay_tui.domain.errors import InvalidInput
from classpay_tui.domain.plans import add_months
from classpay_tui.services.context import OperatorContext
from classpay_tui.services.core import ServiceCore
from classpay_tui.services.overdue import overdue_installments, require_bundles
from classpay_tui.services.permissions import Action, authorize
from classpay_tui.services.schemas import AgingReport, CollectionsReport, OverdueInstallment

MAX_MONTHS = 240


class ReportOperations(ServiceCore):
    def overdue(
        self, ctx: OperatorContext, as_of: date | None = None, *, bundle_ids: Sequence[int] | None = None
    ) -> list[OverdueInstallment]:
        """Every installment past due and not fully paid at the end of ``as_of`` (default
        today), oldest due date first; payments received after ``as_of`` count as not yet
        received. A bundle is overdue as soon as any of its installments is."""
        authorize(ctx, Action.READ_PAYMENTS)
        day = as_of or self.clock.today()
        with self.db.read() as session:
            require_bundles(session, bundle_ids)
            return overdue_installments(session, day, bundle_ids=bundle_ids)

    def aging_report(self, ctx: OperatorContext, as_of: date | None = None) -> AgingReport:
        """Receivables at the end of ``as_of`` (default today) by days past due: not due,
        1–30, 31–60, 61–90, over 90, and deposits or balances with no due date."""
        from classpay_tui.services import reports

        authorize(ctx, Action.READ_REPORTS)
        with self.db.read() as session:
            return reports.aging(session, as_of or self.clock.today())

    def collections_report(
        self, ctx: OperatorContext, date_from: date | None = None, date_to: date | None = None
    ) -> CollectionsReport:
        """Money received per calendar month, net of refunds and reversals (default: the 12
        months up to today), and per week for the 12 weeks up to ``date_to``."""
        from classpay_tui.services import reports

        authorize(ctx, Action.READ_REPORTS)
        end = date_to or self.clock.today()
        start = date_from or add_months(date(end.year, end.month, 1), -11)
        if start > end:
            raise InvalidInput(f"The report starts on {start.isoformat()}, after it ends on {end.isoformat()}.")
        if (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
            raise InvalidInput(f"A collections report covers at most {MAX_MONTHS} months; choose a shorter range.")
        with self.db.read() as session:
            return reports.collections(session, start, end)
