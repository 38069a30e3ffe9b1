"""``users add|list|disable|enable`` and ``audit``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from classpay_tui.cli.main import Runtime
from classpay_tui.cli.output import emit_id, emit_json, table, tell
from classpay_tui.domain.statuses import Role


@click.group()
def users() -> None:
    """Operators: the logins that may use this database, and their roles (admin)."""


@users.command("add")
@click.argument("login")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--writer", help="For role writer: the writer id or username this login is.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def users_add(runtime: Runtime, login: str, role: str, writer: str | None, as_json: bool) -> None:
    """Let an operating-system login use this database; prints the operator id."""
    added = runtime.service().add_operator(runtime.operator(), login, role, writer=writer)
    if as_json:
        emit_json(added)
        return
    emit_id(added.id)
    tell(f"{added.login} can now use classpay as {added.role.value}.")


@users.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def users_list(runtime: Runtime, as_json: bool) -> None:
    """Every operator with role and status."""
    found = runtime.service().list_operators(runtime.operator())
    if as_json:
        emit_json(found)
        return
    table(
        ["login", "role", "writer", "active", "since"],
        [
            (o.login, o.role.value, o.writer_username or "", "yes" if o.active else "no", o.created_at.date())
            for o in found
        ],
    )


@users.command("disable")
@click.argument("login")
@click.pass_obj
def users_disable(runtime: Runtime, login: str) -> None:
    """Stop a login from using this database (its history stays)."""
    runtime.service().set_operator_active(runtime.operator(), login, False)
    tell(f"{login} is disabled.")


@users.command("enable")
@click.argument("login")
@click.pass_obj
def users_enable(runtime: Runtime, login: str) -> None:
    """Let a disabled login use this database again."""
    runtime.service().set_operator_active(runtime.operator(), login, True)
    tell(f"{login} is enabled.")


@click.command()
@click.option("--entity", help="KIND:ID, e.g. bundle:12 or operator:3.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Events on or after this date (UTC).")
@click.option("--limit", type=click.IntRange(1, 100_000), default=1000, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def audit(runtime: Runtime, entity: str | None, since: datetime | None, limit: int, as_json: bool) -> None:
    """The audit log, oldest first (admin)."""
    events = runtime.service().audit_events(
        runtime.operator(), entity=entity, since=since.date() if since else None, limit=limit
    )
    if as_json:
        emit_json(events)
        return
    table(
        ["event", "when (UTC)", "who", "action", "entity"],
        [(e.id, e.occurred_at.strftime("%Y-%m-%d %H:%M:%S"), e.actor, e.action, e.entity) for e in events],
        right={0},
    )


@click.command()
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def backup(runtime: Runtime, target: Path) -> None:
    """Copy the SQLite database to TARGET safely while others work (admin)."""
    pages = runtime.service().backup(runtime.operator(), target)
    tell(f"Backed up {runtime.service().db.describe()} to {target} ({pages} pages, integrity ok).")
