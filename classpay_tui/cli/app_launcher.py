"""``classpay`` with no command."""

from __future__ import annotations

import click

from classpay_tui.cli.main import Runtime


def open_app(runtime: Runtime) -> None:
    """Until the terminal app lands, show the newest bundles as text."""
    from classpay_tui.cli.payment_commands import payments_list

    ctx = click.get_current_context()
    ctx.invoke(payments_list, status=None, writer=None, search=None, limit=20, offset=0, as_json=False)
