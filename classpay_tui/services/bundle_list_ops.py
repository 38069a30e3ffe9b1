"""The terminal app's bundle list: keyset pages of light rows (see :mod:`.bundle_list`)."""

from __future__ import annotations

from classpay_tui.domain.errors import InvalidInput
from classpay_tui.services import bundle_list, listing
from classpay_tui.services.context import OperatorContext
from classpay_tui.services.core import ServiceCore
from classpay_tui.services.list_schemas import BundleListPage, ListQuery, PageFrom, PageRequest
from classpay_tui.services.permissions import Action, authorize


class BundleListOperations(ServiceCore):
    def bundle_list_page(self, ctx: OperatorContext, query: ListQuery, request: PageRequest) -> BundleListPage:
        """One page of the bundle list where ``request`` places it: the start, the end, next
        to a row already shown (by its key), or at an offset; ``payments list``'s filters and
        orders, the same rows in the same order."""
        authorize(ctx, Action.READ_PAYMENTS)
        listing.check_arguments(status=query.status, order=query.order, limit=request.limit)
        if request.offset < 0:
            raise InvalidInput("The offset cannot be negative.")
        if request.count_limit is not None and request.count_limit < 1:
            raise InvalidInput(f"The count limit must be at least 1, not {request.count_limit}.")
        if request.key is None and request.start in (PageFrom.AFTER, PageFrom.AT, PageFrom.BEFORE):
            raise InvalidInput(f"A page {request.start.value} a row needs that row's key.")
        with self.db.read() as session:
            return bundle_list.page(session, query, request, today=self.clock.today())
