"""``export``: bundles, payments, payouts or the audit log as CSV or JSON."""

from __future__ import annotations

from pathlib import Path

import click

from classpay_tui.cli.main import Runtime
from classpay_tui.cli.output import tell


@click.command("export")
@click.argument("kind", metavar="bundles|payments|payouts|audit")
@click.option("--out", "target", required=True, type=click.Path(path_type=Path), help="The file to write.")
@click.option("--format", "fmt", metavar="csv|json", help="Default: json for a .json file, else csv.")
@click.pass_obj
def export(runtime: Runtime, kind: str, target: Path, fmt: str | None) -> None:
    """Write every bundle, ledger payment, writer payout or audit event (admin) to a file.

    CSV cells that a spreadsheet would run as a formula (starting with = + - @, tab or CR)
    get a leading apostrophe. The file is replaced only once it is complete.
    """
    rows = runtime.service().export_data(runtime.operator(), kind, target, fmt)
    tell(f"Wrote {rows} row{'s' if rows != 1 else ''} ({kind}) to {target}.")
