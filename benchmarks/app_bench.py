"""The terminal app's figures: start-up to the first painted bundle list (the real
``classpay`` command in a pseudo-terminal, beside a bare Textual app started the same
way), keys in the bundle list, opening details, the record-payment modal's round trip,
and peak memory. Keys are driven headless (``App.run_test`` and ``Pilot``); a key's time
runs from the press until its database work is done and the screen has been refreshed."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path
from typing import ClassVar

from benchmarks import database
from benchmarks.bare_app import SHOWN as BARE_SHOWN
from benchmarks.results import Figure, show
from benchmarks.terminal import Shown, time_until_text

CHILD = Path(__file__).with_name("app_child.py")
BARE_APP = Path(__file__).with_name("bare_app.py")
SIZE = (120, 40)


def app_available() -> bool:
    return (Path(__file__).resolve().parents[1] / "classpay_tui" / "tui" / "app.py").exists()


def not_there() -> list[Figure]:
    """What is reported when ``classpay_tui/tui/app.py`` does not exist yet."""
    why = "the terminal app is not there yet"
    return [
        Figure(what, None, note=why)
        for what in (
            "app start to first painted bundle list",
            "keys in the bundle list",
            "opening a bundle's details",
            "record payment, the modal's round trip",
            "app peak memory",
        )
    ]


def classpay_command() -> list[str]:
    """The ``classpay`` console script people run, or ``python -m classpay_tui`` without it."""
    script = Path(sys.executable).with_name("classpay")
    return [str(script)] if script.exists() else [sys.executable, "-m", "classpay_tui"]


def newest_client(path: Path) -> str:
    """What the first row of the list shows first and nothing else on the screen does: the
    start of the newest bundle's client name (five characters survive a narrow column)."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        (name,) = connection.execute(
            "SELECT c.name FROM class_bundles b JOIN clients c ON c.id = b.client_id ORDER BY b.id DESC LIMIT 1"
        ).fetchone()
    return str(name)[:5]


def terminal_env(bytecode_cache: Path | None) -> dict[str, str]:
    """The environment of a person's terminal. With ``bytecode_cache``, compiled modules are
    kept there (as an installed package keeps its ``.pyc`` files; the checkout is not
    written); without it, classpay's own modules are compiled at every start."""
    env = {name: value for name, value in os.environ.items() if name not in ("PYTHONDONTWRITEBYTECODE",)}
    env.update(TERM="xterm-256color", COLORTERM="truecolor")
    if bytecode_cache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    else:
        env["PYTHONPYCACHEPREFIX"] = str(bytecode_cache)
    return env


# A bare Textual app's first paint on the machine the start-up target was set on.
REFERENCE_BARE_START = 0.33


def start_up(path: Path, runs: int) -> list[Figure]:
    """``classpay --db PATH`` from its spawn, in a 120x40 pseudo-terminal, until the screen
    shows the newest bundle's row; the floor is a bare Textual app showing one line, spawned
    and timed the same way, in turn with it."""
    first_row = newest_client(path)
    app = [*classpay_command(), "--db", str(path)]
    bare = [sys.executable, str(BARE_APP)]
    with tempfile.TemporaryDirectory() as folder:
        cases = {
            "app": (app, first_row, terminal_env(Path(folder) / "pycache")),
            "bare": (bare, BARE_SHOWN, terminal_env(Path(folder) / "pycache")),
            "app, no bytecode": (app, first_row, terminal_env(None)),
            "bare, no bytecode": (bare, BARE_SHOWN, terminal_env(None)),
        }
        for argv, text, env in cases.values():  # compiles into the cache; reads the database into memory
            time_until_text(argv, text, env)
        shown: dict[str, list[Shown]] = {name: [] for name in cases}
        for _ in range(runs):
            for name, (argv, text, env) in cases.items():
                shown[name].append(time_until_text(argv, text, env))
    median = {name: statistics.median(run.seconds for run in runs_of) for name, runs_of in shown.items()}
    cpu = {name: _median_cpu(runs_of) for name, runs_of in shown.items()}
    return [
        Figure(
            "app start to first painted bundle list (`classpay --db`, in a terminal)",
            median["app"],
            median["bare"],
            "bare Textual app, same terminal",
            "≤ 0.6 s and ≤ bare + 0.3 s",
            median["app"] <= 0.6 and median["app"] <= median["bare"] + 0.3,
            note=(
                f"processor time until then {cpu['app']}, both processes (bare app {cpu['bare']}): "
                "moves less with other load"
            ),
            reference=REFERENCE_BARE_START,
        ),
        Figure(
            "the same, modules compiled at every start (PYTHONDONTWRITEBYTECODE)",
            median["app, no bytecode"],
            median["bare, no bytecode"],
            "bare Textual app, same terminal",
            "—",
        ),
    ]


def _median_cpu(runs: list[Shown]) -> str:
    used = [run.cpu_seconds for run in runs if run.cpu_seconds is not None]
    return show(statistics.median(used), "s") if used else "?"


def peak_memory(path: Path) -> Figure:
    output = subprocess.run(
        [sys.executable, str(CHILD), "peak", str(path)], check=True, capture_output=True, text=True
    ).stdout
    kilobytes = int(output.strip().splitlines()[-1])
    megabytes = kilobytes / 1024
    return Figure(
        "app peak memory (RSS, after 40 pages, end, sort, filter, details)",
        megabytes,
        None,
        target="≤ 100 MB",
        ok=megabytes <= 100,
        unit="MB",
    )


def watch_paints(app) -> list[float]:  # type: ignore[no-untyped-def]
    """The times the app painted a frame. The headless driver renders every frame
    (``App._display``, Textual 8.2) but writes it nowhere; a key's time is from the press
    to the last frame painted for it, so the test harness's own waiting is not counted."""
    paints: list[float] = []
    display = app._display

    def painted(screen, renderable) -> None:  # type: ignore[no-untyped-def]
        display(screen, renderable)
        if renderable is not None:
            paints.append(time.perf_counter())

    app._display = painted
    return paints


def since(paints: list[float], start: float) -> float:
    after = [moment for moment in paints if moment >= start]
    return (after[-1] if after else time.perf_counter()) - start


async def _settle(pilot) -> None:  # type: ignore[no-untyped-def]
    from textual.worker import WorkerState

    app = pilot.app
    for _ in range(500):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.state in (WorkerState.PENDING, WorkerState.RUNNING) for worker in app.workers):
            return
    raise RuntimeError("workers never settled")


async def _keys(path: Path, runs: int) -> dict[str, list[float]]:
    from classpay_tui.tui.app import ClasspayApp
    from classpay_tui.tui.modals.record_payment import RecordPaymentModal
    from classpay_tui.tui.screens.bundles import BundlesScreen
    from classpay_tui.tui.screens.details import DetailsScreen

    service = database.service_for(path)
    app = ClasspayApp(service, database.ADMIN, cursor_blink=False)
    app.animation_level = "none"  # a key's time is to its repaint, not to the end of a scroll animation
    paints = watch_paints(app)
    times: dict[str, list[float]] = {}

    async def timed(name: str, *keys: str) -> None:
        start = time.perf_counter()
        for key in keys:
            await pilot.press(key)
            await _settle(pilot)
        times.setdefault(name, []).append(since(paints, start))

    def rows_painted_at(start: float, search: str) -> float:
        """When the first frame showing the list filtered by ``search`` was painted."""
        for moment, shown in painted_lists:
            if moment >= start and shown == search:
                return moment - start
        return since(paints, start)

    painted_lists: list[tuple[float, str | None]] = []
    display = app._display

    def remember(screen, renderable) -> None:  # type: ignore[no-untyped-def]
        display(screen, renderable)
        current = app.screen
        if renderable is not None and isinstance(current, BundlesScreen) and current.grid.rows_on_screen:
            painted_lists.append((time.perf_counter(), current.grid.window.query.search))

    app._display = remember

    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        total = app.screen.grid.window.total
        for _ in range(runs):
            await timed("cursor key (↓)", "down")
        for _ in range(runs):
            await timed("page down", "pagedown")
        for _ in range(runs):
            await timed(f"end (the last of {total:,} bundles)", "end")
            assert app.screen.grid.cursor == total - 1 and app.screen.grid.current is not None
            await timed("home (back to the first)", "home")
        for _ in range(runs):
            await timed("sort change (s)", "s")
        for _ in range(runs):
            await pilot.press("slash")
            await _settle(pilot)
            typed = ""
            for letter in "ada":
                typed += letter
                start = time.perf_counter()
                await pilot.press(letter)
                await _settle(pilot)
                times.setdefault("type-to-filter keystroke: matching rows painted", []).append(
                    rows_painted_at(start, typed)
                )
                times.setdefault("type-to-filter keystroke: matches counted too", []).append(since(paints, start))
            await pilot.press("escape")
            await _settle(pilot)
            await pilot.press("escape")
            await _settle(pilot)
        for _ in range(runs):
            await timed("opening a bundle's details (enter)", "enter")
            assert isinstance(app.screen, DetailsScreen)
            await pilot.press("escape")
            await _settle(pilot)
        for _ in range(runs):
            await pilot.press("f")  # show partly paid bundles: each has something owed
            await _settle(pilot)
            start = time.perf_counter()
            await pilot.press("p")
            await _settle(pilot)
            assert isinstance(app.screen, RecordPaymentModal)
            for key in ("enter", "enter"):  # review, record
                await pilot.press(key)
                await _settle(pilot)
            times.setdefault("record payment, the modal's round trip (p ⏎ ⏎)", []).append(time.perf_counter() - start)
            assert isinstance(app.screen, BundlesScreen)
            await pilot.press("escape")
            await _settle(pilot)
    service.db.dispose()
    return times


async def _bare_keys(runs: int) -> dict[str, list[float]]:
    """The floor: a bare Textual app with a DataTable of one window (100 rows, 11 columns),
    driven by the same harness; reloading its rows stands for a new page, pushing a screen
    of text for opening details, a modal dismissed with two keys for the payment dialog."""
    from textual.app import App, ComposeResult
    from textual.binding import Binding, BindingType
    from textual.screen import ModalScreen, Screen
    from textual.widgets import DataTable, Static

    def fill(table: DataTable[str], start: int) -> None:
        table.clear()
        for row in range(start, start + 100):
            table.add_row(*(f"cell {row}.{column}" for column in range(11)), key=str(row))

    class Text(Screen[None]):
        BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen")]

        def compose(self) -> ComposeResult:
            yield Static("\n".join(f"line {n} of the details" for n in range(40)))

    class Dialog(ModalScreen[None]):
        BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "next")]
        presses = 0

        def compose(self) -> ComposeResult:
            yield Static("Record payment")

        def action_next(self) -> None:
            self.presses += 1
            if self.presses == 2:
                self.dismiss()

    class Bare(App[None]):
        BINDINGS: ClassVar[list[BindingType]] = [Binding("s", "reload"), Binding("o", "open"), Binding("p", "dialog")]

        def compose(self) -> ComposeResult:
            yield DataTable(cursor_type="row")

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns(*(f"column {n}" for n in range(11)))
            fill(table, 0)

        def action_reload(self) -> None:
            fill(self.query_one(DataTable), 100)

        def action_open(self) -> None:
            self.push_screen(Text())

        def action_dialog(self) -> None:
            self.push_screen(Dialog())

    times: dict[str, list[float]] = {}
    app = Bare()
    app.animation_level = "none"
    paints = watch_paints(app)
    async with app.run_test(size=SIZE) as pilot:

        async def timed(name: str, *keys: str) -> None:
            start = time.perf_counter()
            for key in keys:
                await pilot.press(key)
                await _settle(pilot)
            times.setdefault(name, []).append(since(paints, start))

        await _settle(pilot)
        for _ in range(runs):
            await timed("down", "down")
            await timed("pagedown", "pagedown")
            await timed("end", "end")
            await pilot.press("home")
            await timed("reload", "s")
            await timed("open", "o")
            await pilot.press("escape")
            await timed("dialog", "p", "enter", "enter")
    return times


FLOORS = {
    "cursor key (↓)": "down",
    "page down": "pagedown",
    "end": "end",
    "home (back to the first)": "end",
    "sort change (s)": "reload",
    "type-to-filter keystroke: matching rows painted": "reload",
    "type-to-filter keystroke: matches counted too": "reload",
    "opening a bundle's details (enter)": "open",
    "record payment, the modal's round trip (p ⏎ ⏎)": "dialog",
}
FLOOR_WHAT = {
    "down": "bare DataTable",
    "pagedown": "bare DataTable",
    "end": "bare DataTable",
    "reload": "bare DataTable, 100 rows re-added",
    "open": "bare app, screen of text pushed",
    "dialog": "bare app, modal, 3 keys",
}


def keys(path: Path, runs: int) -> list[Figure]:
    with tempfile.TemporaryDirectory() as folder:
        copy = database.copy(path, Path(folder), "app.db")
        times = asyncio.run(_keys(copy, runs))
    bare = asyncio.run(_bare_keys(runs))
    figures = []
    for name, values in times.items():
        value = statistics.median(values)
        floor_key = FLOORS[name.split(" (the last")[0]]
        limit = 0.05 if "round trip" not in name else None
        figures.append(
            Figure(
                name,
                value,
                statistics.median(bare[floor_key]),
                FLOOR_WHAT[floor_key],
                target="≤ 50 ms" if limit else "—",
                ok=None if limit is None else value <= limit,
            )
        )
    return figures
