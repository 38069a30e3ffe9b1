"""What ``classpay`` imports before it can show anything: only what the command being run
needs. Each check runs a fresh interpreter (this one has imported everything already)
and compares its ``sys.modules`` with lists of modules that must not be there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from classpay_tui.cli.main import COMMANDS, cli
from classpay_tui.db.engine import Database
from classpay_tui.services import ClassPaymentService
from classpay_tui.services.context import os_login
from classpay_tui.tui.frame_rate import FRAMES_PER_SECOND

COMMAND_MODULES = {
    "classpay_tui.cli.admin_commands",
    "classpay_tui.cli.catalog_commands",
    "classpay_tui.cli.export_commands",
    "classpay_tui.cli.import_commands",
    "classpay_tui.cli.payment_commands",
    "classpay_tui.cli.payout_commands",
    "classpay_tui.cli.reminder_commands",
    "classpay_tui.cli.report_commands",
    "classpay_tui.cli.setup_commands",
}
# Never needed to open the app or to run an everyday command.
NOT_AT_START = {
    "alembic",
    "mako",
    "classpay_tui.services.importing",
    "classpay_tui.services.bulk",
    "classpay_tui.services.demo",
    "classpay_tui.services.reports",
}
# Screens the app opens later: only the bundle list is needed to start.
LATER_SCREENS = {
    "classpay_tui.tui.screens.details",
    "classpay_tui.tui.screens.writers",
    "classpay_tui.tui.screens.overdue",
    "classpay_tui.tui.screens.reports",
    "classpay_tui.tui.modals.help",
}

APP_START = """
import json, sys
import textual.app

def started(app, *args, **kwargs):
    app._bundles_screen()  # the first screen, made as the app makes it when it mounts
    painting = sorted(sys.modules)  # all the app's process needs until the first rows are painted
    page = app.opening.first_page.result(timeout=60)  # read meanwhile by the second process
    app.opening.start_service()  # as the app does once those rows are up
    app.opening.service.result(timeout=60)
    print(json.dumps({"painting": painting, "then": sorted(sys.modules), "rows": len(page.rows)}))

textual.app.App.run = started
from classpay_tui.cli import main
sys.argv = ["classpay", "--db", sys.argv[1]]
main()
"""

FRAME_RATE = """
import json, sys
import classpay_tui.tui.quick_start as quick_start

def begin(*args, **kwargs):  # the app's start, where Textual is first imported
    import textual.constants
    print(json.dumps(textual.constants.MAX_FPS))
    raise SystemExit(0)

quick_start.begin = begin
from classpay_tui.cli import main
sys.argv = ["classpay", "--db", sys.argv[1]]
main()
"""

COMMAND = """
import atexit, json, sys
atexit.register(lambda: print(json.dumps(sorted(sys.modules))))
from classpay_tui.cli import main
sys.argv = ["classpay", "--db", *sys.argv[1:]]
main()
"""


def printed_by(code: str, *args: str, cwd: Path, env: dict[str, str] | None = None) -> object:
    """What ``code`` printed as JSON on its last line, run by a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False, env=env
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def loaded_by(code: str, *args: str, cwd: Path) -> set[str]:
    """The modules a fresh interpreter had loaded, as ``code`` printed them."""
    return set(printed_by(code, *args, cwd=cwd))  # type: ignore[call-overload]


def within(modules: set[str], packages: set[str]) -> set[str]:
    return {name for name in modules if any(name == p or name.startswith(p + ".") for p in packages)}


@pytest.fixture
def office_db(sqlite_url: str) -> str:
    """A set-up database whose admin is the login running the tests."""
    service = ClassPaymentService(Database(sqlite_url))
    service.add_first_admin(os_login())
    service.db.dispose()
    return sqlite_url


def test_the_command_group_alone_imports_no_database_or_terminal_library(tmp_path):
    modules = loaded_by("import json, sys, classpay_tui.cli; print(json.dumps(sorted(sys.modules)))", cwd=tmp_path)
    assert "classpay_tui.cli.main" in modules
    heavy = {"sqlalchemy", "pydantic", "textual", "platformdirs"}
    assert within(modules, heavy | NOT_AT_START | COMMAND_MODULES) == set()


def test_the_app_paints_its_first_rows_without_sqlalchemy_and_loads_the_service_after(office_db, tmp_path):
    seen = printed_by(APP_START, office_db, cwd=tmp_path)
    assert isinstance(seen, dict)
    painting, then = set(seen["painting"]), set(seen["then"])
    assert {"classpay_tui.tui.app", "classpay_tui.tui.screens.bundles"} <= painting
    # Who is signed in and the first page come from the second process (quick_start).
    assert within(painting, {"sqlalchemy", "classpay_tui.db", "classpay_tui.services.class_payment_service"}) == set()
    assert seen["rows"] == 0  # the office database has no bundles, but the page was read
    # Then this process builds its own service, and still nothing that comes later.
    assert {"sqlalchemy.orm", "classpay_tui.services.class_payment_service"} <= then
    assert within(then, NOT_AT_START | COMMAND_MODULES | LATER_SCREENS) == set()


def test_a_command_imports_its_own_module_only(office_db, tmp_path):
    modules = loaded_by(COMMAND, office_db, "payments", "list", "--json", cwd=tmp_path)
    assert "classpay_tui.cli.payment_commands" in modules
    assert within(modules, (COMMAND_MODULES - {"classpay_tui.cli.payment_commands"}) | NOT_AT_START) == set()
    assert within(modules, {"textual"}) == set()


def test_every_command_in_the_table_resolves_to_itself():
    context = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(context, name)
        assert isinstance(command, click.Command) and command.name == name


def test_the_app_may_paint_120_frames_a_second_unless_the_office_sets_its_own_rate(office_db, tmp_path):
    quiet = {name: value for name, value in os.environ.items() if name != "TEXTUAL_FPS"}
    assert printed_by(FRAME_RATE, office_db, cwd=tmp_path, env=quiet) == FRAMES_PER_SECOND == 120
    assert printed_by(FRAME_RATE, office_db, cwd=tmp_path, env={**quiet, "TEXTUAL_FPS": "30"}) == 30
