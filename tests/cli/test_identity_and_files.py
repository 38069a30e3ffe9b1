"""Identity comes from the kernel, never from $USER or $LOGNAME; the database file is
created without world access; tampering with the file is caught by `classpay check`."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from classpay_tui.services.context import os_login


def classpay(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "classpay_tui", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


@pytest.fixture
def office(tmp_path: Path) -> Path:
    path = tmp_path / "office" / "classpay.db"
    result = classpay("--db", str(path), "init")
    assert result.returncode == 0, result.stderr
    return path


def test_init_creates_file_and_directory_without_world_access(office: Path):
    assert stat.S_IMODE(office.stat().st_mode) & 0o007 == 0
    assert stat.S_IMODE(office.parent.stat().st_mode) & 0o007 == 0
    assert office.parent.stat().st_mode & stat.S_ISGID  # new files keep the office group


def test_environment_variables_do_not_change_who_you_are(office: Path):
    me = os_login()
    # Make someone else the admin and take the caller out: then $USER=admin must not help.
    with sqlite3.connect(office) as db:
        db.execute("UPDATE operators SET login = 'boss' WHERE login = ?", (me,))
    result = classpay("--db", str(office), "payments", "list", env={"USER": "boss", "LOGNAME": "boss"})
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"classpay: {me} is not an operator of this database; an admin can add it with "
        f"`classpay users add {me} --role staff`."
    )


def test_editing_the_ledger_or_the_audit_log_makes_check_fail(office: Path):
    assert classpay("--db", str(office), "demo", "--bundles", "3").returncode == 0
    assert classpay("--db", str(office), "check").returncode == 0
    with sqlite3.connect(office) as db:
        db.execute("UPDATE audit_events SET actor = 'nobody' WHERE id = 3")
    result = classpay("--db", str(office), "check")
    assert result.returncode == 1
    assert result.stdout.startswith("audit event 3 ")
    with sqlite3.connect(office) as db:
        db.execute("UPDATE order_payments SET amount = amount + 1 WHERE id = 1")
    result = classpay("--db", str(office), "check")
    assert result.returncode == 1
    assert "payment 1 on bundle" in result.stdout
