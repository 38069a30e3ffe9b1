"""``import``: the migration path from CSV and JSON files."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from classpay_tui.cli.main import Runtime
from classpay_tui.cli.output import emit_json, tell
from classpay_tui.services.import_ops import ImportRejected


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def import_files(runtime: Runtime, files: tuple[Path, ...], as_json: bool) -> None:
    """Import clients, writers, bundles, installments, payments and bonuses (admin).

    Each file is named after what it holds (clients.csv, payments.json, ...). Every row is
    checked first; any bad row in any file and nothing is imported. Importing the same
    files again changes nothing.
    """
    try:
        report = runtime.service().import_files(runtime.operator(), list(files))
    except ImportRejected as rejected:
        for problem in rejected.problems:
            click.echo(problem, err=True)
        click.echo(f"classpay: {rejected}", err=True)
        sys.exit(1)
    if as_json:
        emit_json(report)
        return
    kinds = sorted(set(report.added) | set(report.unchanged))
    summary = ", ".join(
        f"{kind}: {report.added.get(kind, 0)} added, {report.unchanged.get(kind, 0)} already there" for kind in kinds
    )
    tell(f"Imported {', '.join(report.files)}: {summary or 'nothing to import'}.")
