"""A quick look at two screens of the terminal app, apart from the whole suite: payment
details opened over the bundle list (a new screen pushed for sample bundles spread over
the database; the kept screen refilled for them by ``open_details``; with Enter on the
list, then Esc back), and the writer payouts screen: opening it, choosing the writer with
about 1,000 bundles, and moving through that writer's bundles (page down, end).

Same harness as ``app_bench``: headless at 120x40, animations off, on a copy of the
benchmark database; a step's time runs from its start to the last frame painted for it
(``watch_paints``), once its database work is done. Each row also shows how many frames
the step painted and the processor time the step took (this process, to the end of the
step's waiting, so a little more than the work itself).

    .venv/bin/python -m benchmarks.screens_bench [--runs N] [--profile STEP]

``--profile`` needs pyinstrument importable; it profiles the steps whose name contains
STEP and prints the call tree.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from benchmarks import database
from benchmarks.app_bench import SIZE, _settle, since, watch_paints

Steps = dict[str, tuple[list[float], list[int], list[float]]]  # step: its times, frames, processor times


async def measure(path: Path, runs: int, profile: str | None) -> Steps:
    from classpay_tui.tui.app import ClasspayApp
    from classpay_tui.tui.screens.details import DetailsScreen, open_details

    bundles = database.sample_bundles(path, runs)
    writer_id, writer_bundles = database.writer_near(path)
    service = database.service_for(path)
    app = ClasspayApp(service, database.ADMIN, cursor_blink=False)
    app.animation_level = "none"
    paints = watch_paints(app)
    times: dict[str, list[float]] = {}
    frames: dict[str, list[int]] = {}
    cpu: dict[str, list[float]] = {}
    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(async_mode="disabled", interval=0.001)

    async def timed(name: str, step: Callable[[], Awaitable[object]]) -> None:
        profiling = profiler is not None and profile in name
        if profiling:
            profiler.start()
        start, used, painted = time.perf_counter(), time.process_time(), len(paints)
        await step()
        await _settle(pilot)
        times.setdefault(name, []).append(since(paints, start))
        frames.setdefault(name, []).append(len(paints) - painted)
        cpu.setdefault(name, []).append(time.process_time() - used)
        if profiling:
            profiler.stop()

    async def press(*keys: str) -> None:
        for key in keys:
            await pilot.press(key)
            await _settle(pilot)

    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        for bundle_id in bundles:

            async def push(bundle_id: int = bundle_id) -> None:
                app.push_screen(DetailsScreen(app.desk, bundle_id))
                await pilot.pause()

            await timed("details: new screen pushed for a sample bundle", push)
            assert isinstance(app.screen, DetailsScreen)
            await press("escape")
        for bundle_id in bundles:

            async def refill(bundle_id: int = bundle_id) -> None:
                open_details(app.screen, app.desk, bundle_id)
                await pilot.pause()

            await timed("details: kept screen refilled (open_details)", refill)
            assert isinstance(app.screen, DetailsScreen) and app.screen.bundle_id == bundle_id
            await press("escape")
        for _ in range(runs):
            await timed("details: enter on the bundle list", lambda: pilot.press("enter"))
            assert isinstance(app.screen, DetailsScreen)
            await timed("details: back to the list (esc)", lambda: pilot.press("escape"))
            await press("down", "down", "down")  # another bundle next time

        for _ in range(max(1, runs // 3)):
            await timed("writers screen: open (2), totals and first writer", lambda: pilot.press("2"))
            await press("1")
        await press("2")
        writers = app.screen.query_one("#writers")
        others = [key for key in writers.keys if key != str(writer_id)]
        for run in range(runs):

            async def choose(key: str) -> None:
                writers.move_cursor(row=writers.keys.index(key))
                await pilot.pause()

            await timed(f"writer with {writer_bundles} bundles: chosen", lambda: choose(str(writer_id)))
            other = others[run % len(others)]
            await timed("another writer: chosen", lambda key=other: choose(key))
        await choose(str(writer_id))
        await _settle(pilot)
        await press("tab")  # to the writer's bundles
        for _ in range(runs):
            await timed("writer's bundles: page down", lambda: pilot.press("pagedown"))
        for _ in range(runs):
            await timed("writer's bundles: end (last of 1,000)", lambda: pilot.press("end"))
            await press("home")
    service.db.dispose()
    if profiler is not None:
        print(profiler.output_text(show_all=True, unicode=True, color=False))
    return {name: (values, frames[name], cpu[name]) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--profile", help="profile the steps whose name contains this")
    parser.add_argument("--db", type=Path, default=database.default_path(100_000))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        copy = database.copy(args.db, Path(folder), "screens.db")
        before = Path("/proc/loadavg").read_text().split()[:3]
        times = asyncio.run(measure(copy, args.runs, args.profile))
    after = Path("/proc/loadavg").read_text().split()[:3]
    print(f"load average {' '.join(before)} before, {' '.join(after)} after")
    for name, (values, painted, used) in times.items():
        median, least = statistics.median(values) * 1000, min(values) * 1000
        print(
            f"{name:52} median {median:7.1f} ms   min {least:7.1f} ms   "
            f"frames {statistics.median(painted):4.1f}   processor {statistics.median(used) * 1000:6.1f} ms   "
            f"(n={len(values)})"
        )


if __name__ == "__main__":
    main()
