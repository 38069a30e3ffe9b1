"""Database work off the UI thread.

:func:`in_thread` runs a service call in a thread worker and hands the result back on
the UI thread. A newer call in the same group makes the older one's result be dropped,
so a slow page never overwrites a newer one. A refusal from the service arrives as its
one sentence; anything else as a short sentence, never a traceback.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TypeVar

from textual.dom import DOMNode
from textual.worker import Worker, get_current_worker

from classpay_tui.tui.failures import describe_failure
from classpay_tui.tui.notices import toast

T = TypeVar("T")


def in_thread(
    node: DOMNode,
    call: Callable[[], T],
    done: Callable[[T], None],
    *,
    group: str,
    failed: Callable[[str], None] | None = None,
    exclusive: bool = True,
) -> Worker[None]:
    """Run ``call`` in a thread; then ``done(result)`` or ``failed(sentence)`` on the UI thread."""

    def report(sentence: str) -> None:
        if failed is not None:
            failed(sentence)
        else:
            toast(node, sentence, error=True)

    def deliver(worker: Worker[None], outcome: Callable[[], None]) -> None:
        if not worker.is_cancelled and node.is_attached:
            outcome()

    def job() -> None:
        worker = get_current_worker()
        try:
            result = call()
        except Exception as error:  # one sentence for people; the log keeps the rest
            node.app.log.error(repr(error))
            sentence = describe_failure(error)

            def outcome() -> None:
                report(sentence)
        else:

            def outcome() -> None:
                done(result)

        with contextlib.suppress(RuntimeError):  # the app closed while the query ran
            node.app.call_from_thread(deliver, worker, outcome)

    return node.run_worker(job, thread=True, exclusive=exclusive, group=group, exit_on_error=False)
