"""The bundle list's window: which slice of the (possibly huge) list the table holds.

The table never holds every bundle: it holds ``SIZE`` rows starting at ``offset`` and
asks the service for a window further on (or back) when the cursor comes within
``EDGE`` rows of either end. Pure arithmetic, so it is tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from classpay_tui.services import ClassPaymentService, OperatorContext
from classpay_tui.services.schemas import PaymentSummary

SIZE = 100
STEP = 50
EDGE = 10


@dataclass(frozen=True)
class Query:
    """What the list shows: the filter text, a status, and the sort order (service terms)."""

    search: str = ""
    status: str | None = None
    order: str = "-id"


@dataclass
class Window:
    query: Query = field(default_factory=Query)
    offset: int = 0
    rows: list[PaymentSummary] = field(default_factory=list)
    has_more: bool = False

    def shift_for(self, cursor: int) -> int | None:
        """The offset of the window to fetch for the cursor at table row ``cursor``, if any."""
        if self.has_more and cursor >= len(self.rows) - EDGE:
            return self.offset + STEP
        if self.offset > 0 and cursor < EDGE:
            return max(0, self.offset - STEP)
        return None

    def index_of(self, bundle_id: int | None) -> int | None:
        for index, row in enumerate(self.rows):
            if row.bundle_id == bundle_id:
                return index
        return None


def fetch(service: ClassPaymentService, operator: OperatorContext, query: Query, offset: int) -> Window:
    """One window from the service (runs in a worker): ``SIZE + 1`` rows tell whether more follow."""
    rows = service.list_payments(
        operator, search=query.search or None, status=query.status, order=query.order, limit=SIZE + 1, offset=offset
    )
    return Window(query=query, offset=offset, rows=rows[:SIZE], has_more=len(rows) > SIZE)
