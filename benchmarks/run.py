"""classpay's performance suite: ``python benchmarks/run.py [--bundles 100000] [--db PATH]``.

Builds the database with ``classpay demo --bundles N`` (or reuses it), measures every
figure of issue 7 with medians over several runs, each beside its floor measured in the
same run, and prints one table (Markdown). Targets are checked here, not in the tests.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from classpay_tui.tui.frame_rate import use_frame_rate  # noqa: E402

use_frame_rate()  # as ``classpay`` does, before Textual is imported (here and in every child)

from benchmarks import app_bench, database, service_bench  # noqa: E402
from benchmarks.results import Figure, machine_speed, show, table  # noqa: E402


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import sqlalchemy
    import textual

    return (
        f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"SQLAlchemy {sqlalchemy.__version__}, Textual {textual.__version__}"
    )


def load() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundles", type=int, default=100_000, help="bundles in the database (default 100000)")
    parser.add_argument("--db", type=Path, help="the database to build or reuse (default benchmarks/data/...)")
    parser.add_argument("--runs", type=int, default=5, help="runs of the slow figures; fast ones take 5× as many")
    parser.add_argument("--skip", nargs="*", default=[], choices=["app", "import", "check", "reads", "record"])
    args = parser.parse_args()
    path = (args.db or database.default_path(args.bundles)).resolve()
    print(f"machine: {machine()}", flush=True)
    print(f"load average before: {load()}", flush=True)
    built = database.build_or_reuse(path, args.bundles)
    figures: list[Figure] = []
    if built is not None:
        figures.append(
            Figure(
                f"classpay demo --bundles {args.bundles:,} (built in this run)",
                built,
                target="≤ 60 s",
                ok=built <= 60,
            )
        )
        print(f"built {path} in {show(built, 's')}", flush=True)
    else:
        print(f"reusing {path}", flush=True)
    fast = args.runs * 5
    steps = [
        ("record", lambda: [service_bench.record(path, fast)]),
        ("reads", lambda: service_bench.reads(path, fast)),
        ("check", lambda: [service_bench.check(path, args.runs)]),
        ("import", lambda: [service_bench.import_payments(path, args.runs)]),
    ]
    if app_bench.app_available():
        steps += [
            ("app", lambda: app_bench.start_up(path, args.runs)),
            ("app", lambda: app_bench.keys(path, args.runs)),
            ("app", lambda: [app_bench.peak_memory(path)]),
        ]
    else:
        figures += app_bench.not_there()
    for name, step in steps:
        if name in args.skip:
            continue
        started = time.perf_counter()
        done = step()
        figures += done
        print(f"... {', '.join(f.what for f in done)} ({time.perf_counter() - started:.0f} s)", flush=True)
    print(f"load average after: {load()}\n", flush=True)
    print(table(figures))
    speed = machine_speed(figures)
    if speed:
        print(f"\n{speed}")
    missed = [figure.what for figure in figures if figure.ok is False]
    print(f"\n{len(missed)} target(s) missed" + (": " + "; ".join(missed) if missed else "."))


if __name__ == "__main__":
    main()
