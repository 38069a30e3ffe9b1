"""Figures from the race tests, printed in the run's summary (processes, outcomes, rows)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

FIGURES: list[str] = []


@pytest.fixture
def report(request: pytest.FixtureRequest) -> Callable[..., None]:
    def add(name: str, **figures: object) -> None:
        backend = request.node.callspec.params.get("db_url", "") if hasattr(request.node, "callspec") else ""
        FIGURES.append(f"{name} [{backend}]: " + ", ".join(f"{k}={v}" for k, v in figures.items()))

    return add


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.section("concurrency figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
