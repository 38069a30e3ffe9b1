"""The ``classpay`` command group: database selection, identity, and error handling.

Nothing heavy is imported here: the service (and SQLAlchemy with it) when a command
first asks for it, each command's module when that command runs (see ``COMMANDS``).
"""

from __future__ import annotations

import gc
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import click

from classpay_tui.cli.lazy_group import LazyGroup
from classpay_tui.config import resolve_database, sqlite_path
from classpay_tui.domain.errors import ClasspayError

if TYPE_CHECKING:
    from classpay_tui.services import ClassPaymentService, OperatorContext
    from classpay_tui.services.first_screen import FirstScreenReads

# Every command: its name, and the module and attribute that define it.
COMMANDS = {
    "init": "classpay_tui.cli.setup_commands:init",
    "demo": "classpay_tui.cli.setup_commands:demo",
    "writers": "classpay_tui.cli.catalog_commands:writers",
    "bundles": "classpay_tui.cli.catalog_commands:bundles",
    "pay": "classpay_tui.cli.payment_commands:pay",
    "payments": "classpay_tui.cli.payment_commands:payments",
    "check": "classpay_tui.cli.payment_commands:check",
    "refund": "classpay_tui.cli.payout_commands:refund",
    "reverse": "classpay_tui.cli.payout_commands:reverse",
    "payouts": "classpay_tui.cli.payout_commands:payouts",
    "users": "classpay_tui.cli.admin_commands:users",
    "audit": "classpay_tui.cli.admin_commands:audit",
    "backup": "classpay_tui.cli.admin_commands:backup",
    "import": "classpay_tui.cli.import_commands:import_files",
    "overdue": "classpay_tui.cli.report_commands:overdue",
    "report": "classpay_tui.cli.report_commands:report",
    "reminders": "classpay_tui.cli.reminder_commands:reminders",
    "export": "classpay_tui.cli.export_commands:export",
}


@dataclass
class Runtime:
    """What every command needs, opened lazily so ``--help`` never touches the database."""

    target: str
    debug: bool = False
    _service: ClassPaymentService | None = field(default=None, repr=False)

    def require_database_file(self) -> None:
        """A SQLite file that is not there is said at once (nothing imported for it)."""
        path = sqlite_path(self.target)
        if path is not None and not path.exists():
            raise ClasspayError(
                f"There is no database at {path}; run `classpay init` (or `classpay demo`), "
                "or point --db or CLASSPAY_DB at one."
            )

    def service(self, *, must_exist: bool = True) -> ClassPaymentService:
        if self._service is None:
            from classpay_tui.db.engine import Database
            from classpay_tui.services import ClassPaymentService

            if must_exist:
                self.require_database_file()
            self._service = ClassPaymentService(Database(self.target))
            if must_exist:
                self._service.require_current_schema()
        return self._service

    def first_screen_reads(self) -> tuple[FirstScreenReads, OperatorContext]:
        """The part of the service the app's first screen reads, and who is signed in."""
        from classpay_tui.db.engine import Database
        from classpay_tui.services.context import os_login
        from classpay_tui.services.first_screen import FirstScreenReads

        self.require_database_file()
        reads = FirstScreenReads(Database(self.target))
        reads.require_current_schema()
        return reads, reads.operator(os_login())

    def operator(self) -> OperatorContext:
        from classpay_tui.services.context import os_login

        return self.service().operator(os_login())


class ClasspayGroup(LazyGroup):
    """Turns every refusal into one sentence on stderr and a non-zero exit, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ClasspayError as error:
            _fail(ctx, str(error))
        except Exception as error:
            sentence = _database_failure(error)
            if sentence is None:
                raise
            _fail(ctx, sentence, error)


def _database_failure(error: Exception) -> str | None:
    """The sentence for a database error, or None for any other error. SQLAlchemy is not
    imported for this: when it has not been imported, the error cannot be one of its own."""
    errors = sys.modules.get("sqlalchemy.exc")
    if errors is None:
        return None
    if isinstance(error, errors.OperationalError):
        return f"The database could not be used: {_first_line(error)}."
    if isinstance(error, errors.SQLAlchemyError):
        return f"The database refused the change: {_first_line(error)}."
    return None


def _first_line(error: Exception) -> str:
    return str(getattr(error, "orig", error)).splitlines()[0].rstrip(".")


def _fail(ctx: click.Context, sentence: str, error: Exception | None = None) -> None:
    runtime = ctx.find_object(Runtime)
    if error is not None and runtime is not None and runtime.debug:
        raise error
    click.echo(f"classpay: {sentence}", err=True)
    sys.exit(1)


@click.group(
    cls=ClasspayGroup,
    lazy_commands=COMMANDS,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
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

        open_app(ctx.obj)  # the app resumes the garbage collector once its first screen is up
    else:
        gc.enable()  # the command's module is imported; its work may be long


def main() -> None:
    # Starting up makes many objects that live as long as the process (modules, classes,
    # the first screen) and little garbage: collecting while importing is wasted work
    # (about a tenth of the app's start-up).
    gc.disable()
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
    finally:
        gc.enable()
