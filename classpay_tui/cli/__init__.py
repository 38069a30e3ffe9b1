"""The ``classpay`` command: parses, calls the service, prints. Never touches the ORM."""

from classpay_tui.cli.main import main

__all__ = ["main"]
