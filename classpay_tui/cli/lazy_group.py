"""A click group whose commands are imported when they are run, not when ``classpay`` starts.

``classpay pay ...`` imports the payment commands only, and ``classpay`` with no command
(the terminal app) none of them. ``--help`` imports them all, for their one-line help.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping

import click


class LazyGroup(click.Group):
    """``lazy_commands`` maps a command's name to ``"module:attribute"``, the command object."""

    def __init__(self, *args: object, lazy_commands: Mapping[str, str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy_commands = dict(lazy_commands)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy_commands:
            module_name, attribute = self.lazy_commands[cmd_name].split(":")
            command = getattr(importlib.import_module(module_name), attribute)
            if not isinstance(command, click.Command) or command.name != cmd_name:
                raise TypeError(f"{self.lazy_commands[cmd_name]} is not the {cmd_name!r} command")
            self.add_command(command)
        return super().get_command(ctx, cmd_name)
