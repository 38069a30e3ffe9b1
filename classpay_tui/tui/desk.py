"""What every screen works with: the service, who is signed in, and the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from classpay_tui.domain.statuses import Role
from classpay_tui.services.context import Clock, OperatorContext
from classpay_tui.services.list_schemas import BundleListPage, ListQuery, PageRequest
from classpay_tui.services.permissions import Action, can
from classpay_tui.tui.opening import Opening

if TYPE_CHECKING:
    from classpay_tui.services.class_payment_service import ClassPaymentService


@dataclass(frozen=True)
class Desk:
    opening: Opening

    @property
    def signed_in(self) -> bool:
        """Whether who is signed in is known yet (at start-up it is read by a second process
        while the first screen is built)."""
        return self.opening.signed_in.done()

    @property
    def operator(self) -> OperatorContext:
        """Who is signed in; asking before :attr:`signed_in` waits for it."""
        return self.opening.signed_in.result().operator

    @property
    def clock(self) -> Clock:
        return self.opening.clock

    @property
    def service(self) -> ClassPaymentService:
        """The service. For a moment after start-up it may still be being built; asking for
        it then waits, so ask from a worker thread (``jobs.in_thread``), not the UI thread."""
        self.opening.start_service()
        return self.opening.service.result()

    def bundle_list_page(self, query: ListQuery, request: PageRequest) -> BundleListPage:
        """A page of the bundle list (in a worker thread): the one read at start-up, if that
        is the page asked for and it came, else from the service."""
        first = self.opening.take_first_page(query, request)
        if first is not None:
            try:
                return first.result()
            except Exception:  # the page could not be read at start-up: read it here
                pass
        if self.is_writer:  # the list was built before the role was known; it is never shown
            return BundleListPage(rows=[], total=0)
        return self.service.bundle_list_page(self.operator, query, request)

    def today(self) -> date:
        return self.clock.today()

    def can(self, action: Action) -> bool:
        return can(self.operator, action)

    @property
    def is_writer(self) -> bool:
        return self.operator.role is Role.WRITER

    def allow(self, action: Action) -> bool | None:
        """For ``check_action``: allowed, or shown dimmed (``None``) for a role that cannot.
        Until who is signed in is known, allowed (the service refuses what a role may not
        do; the keys are checked again once signed in)."""
        if not self.signed_in:
            return True
        return True if self.can(action) else None
