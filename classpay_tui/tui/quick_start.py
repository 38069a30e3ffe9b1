"""Start-up in two processes: the first rows on the screen sooner.

Importing Textual and importing SQLAlchemy, the models and the service each take a good
part of a second's processor time, one after the other in one interpreter. Instead,
``classpay`` forks before it imports either: the child builds the service, reads who is
signed in and the bundle list's first page, sends them down a pipe as JSON and exits;
meanwhile the parent imports Textual and lays out the screen, then paints the rows it
receives. The parent builds its own service once those rows are up (``start_service``),
in a thread; until then only the rows already there can be shown.

Where ``os.fork`` does not exist, or the child dies without an answer, the parent does
the work itself (slower, same result). Nothing here imports SQLAlchemy or Textual.
"""

from __future__ import annotations

import gc
import json
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, TextIO

from classpay_tui.domain.errors import ClasspayError
from classpay_tui.domain.statuses import Role
from classpay_tui.services.context import OperatorContext
from classpay_tui.services.list_schemas import BundleListPage
from classpay_tui.tui.failures import describe_failure
from classpay_tui.tui.opening import FIRST_QUERY, Opening, SignedIn, first_request

if TYPE_CHECKING:
    from classpay_tui.services.class_payment_service import ClassPaymentService
    from classpay_tui.services.first_screen import FirstScreenReads

# Build the service (or the part of it the first screen reads) and say who is signed in;
# raise ClasspayError with the sentence for a person (no database there, an unknown
# login, an old schema).
Load = Callable[[], "tuple[ClassPaymentService, OperatorContext]"]
LoadFirstScreen = Callable[[], "tuple[FirstScreenReads, OperatorContext]"]


class ServiceBuilder:
    """Runs ``load`` once, in a thread of its own, when first asked to."""

    def __init__(self, load: Load) -> None:
        self._load = load
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.service: Future[ClassPaymentService] = Future()
        self.operator: OperatorContext | None = None

    def start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._build, name="classpay-service", daemon=True)
                self._thread.start()

    def _build(self) -> None:
        # Importing the service makes objects that live as long as the process and little
        # garbage: the collector is paused meanwhile, then they are frozen out of its
        # later passes (as ``tui.app.resume_collector`` does for the rest of start-up).
        gc.disable()
        try:
            service, self.operator = self._load()
        except BaseException as error:  # whoever waits on the service gets it
            self.service.set_exception(error)
        else:
            self.service.set_result(service)
        finally:
            gc.freeze()
            gc.enable()


def begin(load: Load, *, first_screen: LoadFirstScreen) -> Opening:
    """The opening of the app: a child process reads it (with ``first_screen``) while this
    one goes on; this one builds its own service with ``load`` when asked to."""
    builder = ServiceBuilder(load)
    opening = Opening(signed_in=Future(), service=builder.service, start_service=builder.start, first_page=Future())
    if not hasattr(os, "fork"):
        threading.Thread(target=_here, args=(builder, opening), daemon=True).start()
        return opening
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # the child: never returns
        os.close(read_end)
        _read_for_parent(first_screen, write_end)
    os.close(write_end)
    threading.Thread(target=_receive, args=(read_end, child, builder, opening), daemon=True).start()
    return opening


# ---- the child ----------------------------------------------------------------------


def _read_for_parent(load: LoadFirstScreen, write_end: int) -> None:
    """Builds the service, sends who is signed in, then the first page (for a role that
    has the bundle list), or one failure sentence; then leaves without running anything
    of the parent's (no exit handlers, no buffers flushed twice)."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for stream in (0, 1, 2):  # whatever goes wrong here, the parent's screen stays clean
        os.dup2(devnull, stream)
    try:
        with os.fdopen(write_end, "w", encoding="utf-8") as pipe:
            try:
                reads, operator = load()
                _send(pipe, {"signed_in": _operator_json(operator), "database": reads.db.describe()})
                if operator.role is not Role.WRITER:
                    page = reads.bundle_list_page(operator, FIRST_QUERY, first_request())
                    _send(pipe, page.model_dump(mode="json"))
                reads.db.dispose()  # a PostgreSQL server sees the connection closed, not dropped
            except BaseException as error:  # the parent says it to the person
                _send(pipe, {"failure": describe_failure(error)})
    finally:
        os._exit(0)


def _send(pipe: TextIO, message: dict[str, object]) -> None:
    pipe.write(json.dumps(message) + "\n")
    pipe.flush()


def _operator_json(operator: OperatorContext) -> dict[str, object]:
    return {"login": operator.login, "role": operator.role.value, "writer_id": operator.writer_id}


# ---- the parent ---------------------------------------------------------------------


def _receive(read_end: int, child: int, builder: ServiceBuilder, opening: Opening) -> None:
    try:
        _hand_over(read_end, child, builder, opening)
    except BaseException as error:  # never leave the app waiting for an answer
        for future in (opening.signed_in, opening.first_page):
            if future is not None and not future.done():
                future.set_exception(error)


def _hand_over(read_end: int, child: int, builder: ServiceBuilder, opening: Opening) -> None:
    """Hands what the child sends to the opening's futures as each line comes (who is
    signed in lets the screen be built while the child still reads the page); when the
    child sends nothing usable, the work is done here instead."""
    first_page = opening.first_page
    assert first_page is not None
    with os.fdopen(read_end, encoding="utf-8") as pipe:
        head = _message(pipe.readline())
        if head is not None and "signed_in" in head:
            opening.signed_in.set_result(SignedIn(_operator(head["signed_in"]), str(head["database"])))
            page_line = pipe.readline()
            try:
                first_page.set_result(BundleListPage.model_validate_json(page_line))
            except ValueError as error:  # no page (a writer), or a broken one: the screen reads its own
                first_page.set_exception(error)
    os.waitpid(child, 0)
    if head is None:  # the child died before it could say anything
        _here(builder, opening)
    elif "signed_in" not in head:
        failure = ClasspayError(str(head.get("failure", "The app could not open.")))
        opening.signed_in.set_exception(failure)
        first_page.set_exception(failure)


def _here(builder: ServiceBuilder, opening: Opening) -> None:
    """Everything in this process: build the service now and say who is signed in."""
    assert opening.first_page is not None
    builder.start()
    try:
        service = builder.service.result()
    except BaseException as error:  # the app says it and closes
        opening.signed_in.set_exception(error)
        opening.first_page.set_exception(error)
        return
    assert builder.operator is not None
    opening.signed_in.set_result(SignedIn(builder.operator, service.db.describe()))
    opening.first_page.set_exception(LookupError("no page was read at start-up"))


def _message(line: str) -> dict[str, object] | None:
    try:
        message = json.loads(line)
    except ValueError:
        return None
    return message if isinstance(message, dict) else None


def _operator(fields: object) -> OperatorContext:
    assert isinstance(fields, dict)
    writer_id = fields.get("writer_id")
    return OperatorContext(
        login=str(fields["login"]),
        role=Role(fields["role"]),
        writer_id=int(writer_id) if writer_id is not None else None,
    )
