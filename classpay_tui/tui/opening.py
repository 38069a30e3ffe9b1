"""What the app opens with: who is signed in, the service, and perhaps the bundle list's
first page, each of them possibly still on its way.

``classpay`` paints its first screen sooner by having a second process read who is
signed in and the first page while this one imports Textual (:mod:`quick_start`); this
process builds its own service once those rows are on the screen. Tests and other callers
hand over a service that is ready (:meth:`Opening.ready`). Nothing here imports the
service: the futures carry it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from classpay_tui.services.context import Clock, OperatorContext
from classpay_tui.services.list_schemas import BundleListPage, ListQuery, PageRequest
from classpay_tui.tui import paging

if TYPE_CHECKING:
    from classpay_tui.services.class_payment_service import ClassPaymentService

FIRST_QUERY = ListQuery()  # the bundle list as a person first sees it


def first_request() -> PageRequest:
    """What the bundle list first asks for, unfiltered (``BundlesScreen.requery``)."""
    return paging.first_request(FIRST_QUERY, screen_rows=0)


@dataclass(frozen=True)
class SignedIn:
    operator: OperatorContext
    database: str  # as the header shows it


@dataclass
class Opening:
    signed_in: Future[SignedIn]
    service: Future[ClassPaymentService]
    # Starts building the service in a thread if nothing has yet; returns at once.
    start_service: Callable[[], None] = lambda: None
    # The first page of the list as a person first sees it, read elsewhere: taken once.
    first_page: Future[BundleListPage] | None = None
    clock: Clock = field(default_factory=Clock)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def ready(cls, service: ClassPaymentService, operator: OperatorContext, clock: Clock | None = None) -> Opening:
        signed_in: Future[SignedIn] = Future()
        signed_in.set_result(SignedIn(operator, service.db.describe()))
        built: Future[ClassPaymentService] = Future()
        built.set_result(service)
        return cls(signed_in=signed_in, service=built, clock=clock or service.clock)

    def take_first_page(self, query: ListQuery, request: PageRequest) -> Future[BundleListPage] | None:
        """The page read at start-up if it is the one asked for, once; later asks go to the service."""
        with self._lock:
            page, self.first_page = self.first_page, None
        if page is None or query != FIRST_QUERY or request != first_request():
            return None
        return page
