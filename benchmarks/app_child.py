"""Runs in a fresh process for the terminal app's memory figure (start-up is timed on the
real ``classpay`` command in a terminal: ``terminal.py``).

``memory DB``: the app on DB, used for a while (pages, end, filter, sort, details); exits.
``peak DB``: runs ``memory DB`` as a child and prints the child's peak RSS in kB
(``resource.getrusage(RUSAGE_CHILDREN)``; only that one child has run in this process).
"""

from __future__ import annotations

import asyncio
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZE = (120, 40)


def say(word: str) -> None:
    sys.stdout.write(word + "\n")
    sys.stdout.flush()


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    from textual.worker import WorkerState

    app = pilot.app
    for _ in range(200):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.state in (WorkerState.PENDING, WorkerState.RUNNING) for worker in app.workers):
            return
    raise RuntimeError("workers never settled")


def make_app(db: str):  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(ROOT))
    from classpay_tui.db.engine import Database
    from classpay_tui.domain.statuses import Role
    from classpay_tui.services import ClassPaymentService, OperatorContext
    from classpay_tui.services.context import os_login
    from classpay_tui.tui.app import ClasspayApp

    service = ClassPaymentService(Database(db))
    return ClasspayApp(service, OperatorContext(login=os_login(), role=Role.ADMIN), cursor_blink=False)


async def memory(db: str) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in ["pagedown"] * 40 + ["end", "home", "s", "s", "f", "f", "enter", "escape"]:
            await pilot.press(key)
            await settle(pilot)
        for key in ["slash", "a", "d", "a", "escape"]:
            await pilot.press(key)
            await settle(pilot)
        say("done")


def peak(db: str) -> None:
    subprocess.run([sys.executable, __file__, "memory", db], check=True, stdout=subprocess.DEVNULL)
    say(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))


if __name__ == "__main__":
    mode, *rest = sys.argv[1:]
    if mode == "memory":
        asyncio.run(memory(rest[0]))
    elif mode == "peak":
        peak(rest[0])
    else:
        raise SystemExit(f"unknown mode {mode}")
