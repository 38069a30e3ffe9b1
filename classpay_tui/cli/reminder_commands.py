"""``reminders template|make``: the office's reminder text, and batches of reminders as a
.txt, .csv or .eml file for the office's mail system (classpay sends no mail)."""

from __future__ import annotations

import sys
from collections import Counter
from datetime import date
from pathlib import Path

import click

from classpay_tui.cli.days import day_option
from classpay_tui.cli.main import Runtime
from classpay_tui.cli.output import emit_id, emit_json, tell
from classpay_tui.domain.errors import InvalidInput, NotFound
from classpay_tui.services.reminder_files import reminder_format, write_batch
from classpay_tui.services.reminders import PLACEHOLDERS, template_text
from classpay_tui.services.schemas import ReminderBatchOut


@click.group()
def reminders() -> None:
    """Payment reminders for overdue installments, escalating 1, 2, 3 from batch to batch."""


def _read_template(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    path = Path(source)
    if not path.is_file():
        raise NotFound(f"There is no file {path}.")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is not UTF-8 text.") from None


@reminders.command("template")
@click.option("--set", "source", metavar="FILE", help="Replace the template with this file ('-' for stdin) (admin).")
@click.option("--reset", is_flag=True, help="Go back to the built-in template (admin).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def template(runtime: Runtime, source: str | None, reset: bool, as_json: bool) -> None:
    """Show the reminder template, or replace it.

    The template is a Subject: line (and optionally a From: line), a blank line, then the
    text. Placeholders: {client_name} {course} {amount} {currency} {due_date} {days_late}
    {bundle_id} {installment_number} {level}; write {{ and }} for literal braces.
    """
    service = runtime.service()
    if source is not None and reset:
        raise InvalidInput("Choose --set or --reset, not both.")
    if source is not None:
        current = service.set_reminder_template(runtime.operator(), _read_template(source))
        tell("The reminder template is replaced; the next batch uses it.")
    elif reset:
        current = service.set_reminder_template(runtime.operator(), None)
        tell("The reminder template is back to the built-in one.")
    else:
        current = service.reminder_template(runtime.operator())
    if as_json:
        emit_json(current)
    elif source is None and not reset:
        click.echo(template_text(current), nl=False)
        origin = "built-in" if current.is_default else f"set by {current.updated_by} on {current.updated_at:%Y-%m-%d}"
        tell(f"({origin}; placeholders: {' '.join('{' + p + '}' for p in PLACEHOLDERS)})")


@reminders.command("make")
@day_option("--as-of", "Installments overdue on this day (default today).")
@click.option("--bundle", "bundle_ids", type=int, multiple=True, help="Only this bundle (repeat for more).")
@click.option(
    "--out",
    "target",
    required=True,
    type=click.Path(path_type=Path),
    help="FILE.txt, FILE.csv or FILE.eml (messages concatenated mbox-style).",
)
@click.option("--preview", is_flag=True, help="Write the file but record nothing (levels do not move).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def make(
    runtime: Runtime, as_of: date | None, bundle_ids: tuple[int, ...], target: Path, preview: bool, as_json: bool
) -> None:
    """Write a reminder for every overdue installment and record that it was sent.

    Each installment's reminder is one level above the last one made for it (1, 2, 3, and
    3 after that). Prints the batch id. Nothing is recorded if the file cannot be written.
    """
    reminder_format(target)  # a bad name is refused before anything is recorded
    service = runtime.service()
    operator = runtime.operator()
    wanted = list(bundle_ids) or None
    if preview:
        batch = service.preview_reminders(operator, as_of, bundle_ids=wanted)
        if batch.reminders:
            write_batch(target, batch)
    else:
        batch = service.make_reminders(
            operator, as_of, bundle_ids=wanted, deliver=lambda made: write_batch(target, made)
        )
    if not batch.reminders:
        tell(f"Nothing is overdue on {batch.as_of.isoformat()}; no reminders made, nothing written.")
        if as_json:
            emit_json(batch)
        return
    if as_json:
        emit_json(batch)
    elif batch.id is not None:
        emit_id(batch.id)
    tell(_summary(batch, target, preview))


def _summary(batch: ReminderBatchOut, target: Path, preview: bool) -> str:
    levels = Counter(r.level for r in batch.reminders)
    by_level = ", ".join(f"level {level}: {count}" for level, count in sorted(levels.items()))
    bundles = len({r.bundle_id for r in batch.reminders})
    no_email = sum(1 for r in batch.reminders if not r.email)
    count = len(batch.reminders)
    done = "Previewed (nothing recorded)" if preview else f"Batch {batch.id}:"
    sentence = (
        f"{done} {count} reminder{'s' if count != 1 else ''} ({by_level}) on {bundles} "
        f"bundle{'s' if bundles != 1 else ''} overdue on {batch.as_of.isoformat()}, written to {target}."
    )
    if no_email:
        sentence += f" {no_email} of them {'has' if no_email == 1 else 'have'} no email address."
    return sentence
