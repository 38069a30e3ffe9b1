"""The ``classpay`` command group: database selection, identity, and error handling."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import click
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from classpay_tui.config import resolve_database, sqlite_path
from classpay_tui.domain.errors import ClasspayError
from classpay_tui.services import ClassPaymentService, OperatorContext
from classpay_tui.services.context import os_login


@dataclass
class Runtime:
    """What every command needs, opened lazily so ``--help`` never touches the database."""

    target: str
    debug: bool = False
    _service: ClassPaymentService | None = field(default=None, repr=False)

    def service(self, *, must_exist: bool = True) -> ClassPaymentService:
        if self._service is None:
            from classpay_tui.db.engine import Database

            path = sqlite_path(self.target)
            if must_exist and path is not None and not path.exists():
                raise ClasspayError(
                    f"There is no database at {path}; run `classpay init` (or `classpay demo`), "
                    "or point --db or CLASSPAY_DB at one."
                )
            self._service = ClassPaymentService(Database(self.target))
            if must_exist:
                self._service.require_current_schema()
        return self._service

    def operator(self) -> OperatorContext:
        return self.service().operator(os_login())


class ClasspayGroup(click.Group):
    """Turns every refusal into one sentence on stderr and a non-zero exit, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ClasspayError as error:
            _fail(ctx, str(error))
        except OperationalError as error:
            _fail(ctx, f"The database could not be used: {_first_line(error)}.", error)
        except SQLAlchemyError as error:
            _fail(ctx, f"The database refused the change: {_first_line(error)}.", error)


def _first_line(error: SQLAlchemyError) -> str:
    return str(getattr(error, "orig", error)).splitlines()[0].rstrip(".")


def _fail(ctx: click.Context, sentence: str, error: Exception | None = None) -> None:
    runtime = ctx.find_object(Runtime)
    if error is not None and runtime is not None and runtime.debug:
        raise error
    click.echo(f"classpay: {sentence}", err=True)
    sys.exit(1)


@click.group(cls=ClasspayGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "database",
    metavar="URL_OR_PATH",
    help="SQLAlchemy URL or SQLite file (default: $CLASSPAY_DB, then the user data directory).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks for database errors.")
@click.version_option(package_name="classpay")
@click.pass_context
def cli(ctx: click.Context, database: str | None, debug: bool) -> None:
    """Client payments for class bundles, and what writers are owed and paid.

    Run without a command to open the terminal app.
    """
    ctx.obj = Runtime(resolve_database(database), debug)
    if ctx.invoked_subcommand is None:
        from classpay_tui.cli.app_launcher import open_app

        open_app(ctx.obj)


def main() -> None:
    from classpay_tui.cli import (
        admin_commands,
        catalog_commands,
        export_commands,
        import_commands,
        payment_commands,
        payout_commands,
        reminder_commands,
        report_commands,
        setup_commands,
    )

    for module in (
        setup_commands,
        catalog_commands,
        payment_commands,
        payout_commands,
        admin_commands,
        import_commands,
        report_commands,
        reminder_commands,
        export_commands,
    ):
        module.register(cli)
    try:
        cli.main(prog_name="classpay", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("classpay: Stopped; nothing was changed.", err=True)
        sys.exit(1)
    except click.ClickException as error:
        # One line instead of click's usage block; `-h` shows the full usage.
        hint = f" (see `{error.ctx.command_path} -h`)" if getattr(error, "ctx", None) else ""
        click.echo(f"classpay: {error.format_message().rstrip('.')}{hint}.", err=True)
        sys.exit(error.exit_code)
