"""``classpay`` with no command: the terminal app on the configured database."""

from __future__ import annotations

from classpay_tui.cli.main import Runtime


def open_app(runtime: Runtime) -> None:
    from classpay_tui.tui.app import ClasspayApp

    ClasspayApp(runtime.service(), runtime.operator()).run()
