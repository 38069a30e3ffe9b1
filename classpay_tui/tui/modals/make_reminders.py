"""Make reminders (``m`` on the overdue screen) for the picked installments: a file for the
office's mail system (.txt, .csv or .eml by its name; classpay sends no mail), and the
level sent recorded so the next batch escalates.

Before asking, it previews the batch through the service (in a worker): how many
reminders at which levels, who has no email address, and the first subject line."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from classpay_tui.services.reminder_files import reminder_format, write_batch
from classpay_tui.services.schemas import ReminderBatchOut
from classpay_tui.tui.desk import Desk
from classpay_tui.tui.jobs import in_thread
from classpay_tui.tui.modals.confirm import ConfirmModal
from classpay_tui.tui.modals.form import FormModal, Review, field_row
from classpay_tui.tui.safe import clean, safe_text, truncate
from classpay_tui.tui.widgets.field import Field

FORMATS = "Its ending says the format: .txt, .csv or .eml (for a mail program)."
NAMES_SHOWN = 3


@dataclass(frozen=True)
class Made:
    """A recorded batch and the file it was written to."""

    batch: ReminderBatchOut
    target: Path

    def sentence(self) -> str:
        """``Batch 2: 3 reminders (level 1 × 2, level 2 × 1) written to …``."""
        levels = Counter(item.level for item in self.batch.reminders)
        by_level = ", ".join(f"level {level} × {count}" for level, count in sorted(levels.items()))
        count = plural(len(self.batch.reminders), "reminder")
        return f"Batch {self.batch.id}: {count} ({by_level}) written to {truncate(str(self.target), 60)}."


@dataclass(frozen=True)
class Planned:
    """The batch as it would be made, and whether the file is already there."""

    batch: ReminderBatchOut
    replaces: bool


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def default_target(as_of: date, folder: Path | None = None) -> Path:
    """``reminders-20240115.txt`` in the current directory, or ``-2``, ``-3``… when it is taken."""
    folder = folder or Path.cwd()
    target = folder / f"reminders-{as_of:%Y%m%d}.txt"
    number = 2
    while target.exists() and number < 100:
        target = folder / f"reminders-{as_of:%Y%m%d}-{number}.txt"
        number += 1
    return target


def describe(planned: Planned, target: Path) -> list[object]:
    """The confirmation: count and levels, who has no address, the first subject, the file."""
    reminders = planned.batch.reminders
    levels = Counter(item.level for item in reminders)
    by_level = ", ".join(f"level {level} × {count}" for level, count in sorted(levels.items()))
    clients = len({item.client_name for item in reminders})
    lines: list[object] = [
        Text(f"{plural(len(reminders), 'reminder')} to {plural(clients, 'client')}: {by_level}", style="bold")
    ]
    no_email = sorted({item.client_name for item in reminders if not item.email})
    if no_email:
        names = ", ".join(clean(name) for name in no_email[:NAMES_SHOWN])
        more = f" and {len(no_email) - NAMES_SHOWN} more" if len(no_email) > NAMES_SHOWN else ""
        lines.append(safe_text(f"No email address: {names}{more} (phone or post)", width=74))
    lines.append(safe_text(f"Subject: {reminders[0].subject}", width=74))
    where = Text("Written to ", end="")
    where.append_text(safe_text(str(target), width=60))
    if planned.replaces:
        where.append(" (replaces the file there)", style="bold")
    lines.append(where)
    lines.append(Text("Recorded as sent: the next batch for these goes one level up.", style="dim"))
    return lines


class MakeRemindersModal(FormModal[Made]):
    heading = "Make reminders"

    def __init__(self, desk: Desk, as_of: date, installment_ids: Sequence[int], summary: Text) -> None:
        super().__init__(desk)
        self.as_of = as_of
        self.installment_ids = list(installment_ids)
        self.summary = summary

    def body(self) -> ComposeResult:
        yield Static(self.summary, classes="line")
        yield from field_row("File", Field(str(default_target(self.as_of)), id="target"), error="target-error")
        yield Static(FORMATS, classes="line")
        yield Static("classpay sends no mail itself: hand the file to the office's mail system.", classes="line")

    def on_mount(self) -> None:
        self.query_one("#target", Field).focus()

    def _target(self) -> Path | None:
        text = clean(self.query_one("#target", Field).value).strip()
        if not text:
            self.error("target-error", "The file name is empty; type where the reminders go.")
            return None
        self.error("target-error", None)
        return Path(text).expanduser()

    def action_submit(self) -> None:
        """Check the file and preview the batch (in a worker), then confirm."""
        if self.busy:
            return
        target = self._target()
        if target is None:
            return
        desk, as_of, ids = self.desk, self.as_of, self.installment_ids

        def plan() -> Planned:
            reminder_format(target)  # a bad name or directory is refused before anything is recorded
            batch = desk.service.preview_reminders(desk.operator, as_of, installment_ids=ids)
            return Planned(batch, target.exists())

        in_thread(self, plan, lambda planned: self._confirm(planned, target), group="plan", failed=self._not_planned)

    def _not_planned(self, sentence: str) -> None:
        self.error("target-error" if "directory" in sentence or ".txt" in sentence else "form-error", sentence)

    def _confirm(self, planned: Planned, target: Path) -> None:
        if not planned.batch.reminders:
            self.error("form-error", f"None of these is overdue on {self.as_of.isoformat()} any more; nothing to do.")
            return
        desk, as_of, ids = self.desk, self.as_of, self.installment_ids
        checked = Review(
            title=f"Make {plural(len(planned.batch.reminders), 'reminder')}?",
            lines=describe(planned, target),
            call=lambda: Made(
                desk.service.make_reminders(
                    desk.operator, as_of, installment_ids=ids, deliver=lambda made: write_batch(target, made)
                ),
                target,
            ),
            confirm_hint="Enter writes the file and records them",
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._run(checked)

        self.app.push_screen(ConfirmModal(checked.title, checked.lines, confirm=checked.confirm_hint), answered)

    def review(self) -> Review[Made] | None:  # confirmed through action_submit
        return None
