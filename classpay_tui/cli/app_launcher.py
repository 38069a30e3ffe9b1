"""``classpay`` with no command: the terminal app on the configured database."""

from __future__ import annotations

from classpay_tui.cli.main import Runtime
from classpay_tui.domain.errors import ClasspayError


def open_app(runtime: Runtime) -> None:
    runtime.require_database_file()
    # Before Textual is imported: the frame rate it reads then, and a second process that
    # starts reading the first screen's rows.
    from classpay_tui.tui.frame_rate import use_frame_rate
    from classpay_tui.tui.quick_start import begin

    use_frame_rate()
    opening = begin(lambda: (runtime.service(), runtime.operator()), first_screen=runtime.first_screen_reads)
    from classpay_tui.tui.app import ClasspayApp

    app = ClasspayApp(opening=opening)
    app.run()
    if app.failure is not None:
        raise ClasspayError(app.failure)
