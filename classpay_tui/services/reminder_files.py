"""A batch of reminders as a file to hand to the office's mail system (classpay sends nothing):

- ``.txt``: every reminder as To / Phone / Subject lines, a blank line and the text, separated by a rule;
- ``.csv``: one row per reminder (spreadsheet-safe cells), the text in the last column;
- ``.eml``: one RFC 5322 message per reminder, concatenated mbox-style (each starts with a
  ``From `` line; ``From `` at the start of a body line is quoted as ``>From ``), which mail
  programs import as a folder and Python reads with ``mailbox.mbox``.

Files are written next to the target and renamed into place, so a failed write leaves nothing.
"""

from __future__ import annotations

import mailbox
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import TextIO

from classpay_tui.domain.errors import InvalidInput
from classpay_tui.domain.money import money_str
from classpay_tui.services.export import write_csv
from classpay_tui.services.files import check_target, replace_atomically
from classpay_tui.services.schemas import ReminderBatchOut, ReminderOut

FORMATS = (".txt", ".csv", ".eml")
RULE = "-" * 72
CSV_HEADERS = [
    "bundle_id",
    "installment_number",
    "client_name",
    "email",
    "phone",
    "course",
    "amount_owed",
    "due_date",
    "days_late",
    "level",
    "subject",
    "text",
]


def reminder_format(target: Path) -> str:
    """The batch format a target file name asks for; refused before anything is recorded."""
    suffix = target.suffix.lower()
    if suffix not in FORMATS:
        raise InvalidInput(f"{target.name} must end in .txt, .csv or .eml to say which format to write.")
    check_target(target)
    return suffix


def write_batch(target: Path, batch: ReminderBatchOut) -> None:
    suffix = reminder_format(target)
    if suffix == ".eml":
        replace_atomically(target, lambda path: _write_mbox(path, batch))
    else:
        writer = _write_text if suffix == ".txt" else _write_rows

        def write(path: Path) -> None:
            with path.open("w", encoding="utf-8", newline="") as stream:
                writer(stream, batch)

        replace_atomically(target, write)


def _write_text(stream: TextIO, batch: ReminderBatchOut) -> None:
    for index, item in enumerate(batch.reminders):
        if index:
            stream.write(f"\n{RULE}\n\n")
        to = f"{item.client_name} <{item.email}>" if item.email else f"{item.client_name} (no email address)"
        stream.write(f"To: {to}\n")
        if item.phone:
            stream.write(f"Phone: {item.phone}\n")
        stream.write(f"Subject: {item.subject}\n\n{item.body.rstrip()}\n")


def _write_rows(stream: TextIO, batch: ReminderBatchOut) -> None:
    write_csv(
        stream,
        CSV_HEADERS,
        (
            (
                r.bundle_id,
                r.installment_number,
                r.client_name,
                r.email or "",
                r.phone or "",
                r.course,
                money_str(r.amount_owed),
                r.due_date.isoformat(),
                r.days_late,
                r.level,
                r.subject,
                r.body,
            )
            for r in batch.reminders
        ),
    )


def message(item: ReminderOut, batch: ReminderBatchOut) -> EmailMessage:
    """One RFC 5322 message; ``To`` is left out when the client has no usable address."""
    mail = EmailMessage()
    if batch.sender:
        sender = _address(*parseaddr(batch.sender))
        if sender is not None:
            mail["From"] = sender
    recipient = _address(item.client_name, item.email) if item.email else None
    if recipient is not None:
        mail["To"] = recipient
    mail["Subject"] = item.subject
    mail["Date"] = format_datetime(batch.made_at)
    mail["Message-ID"] = make_msgid(idstring=f"b{item.bundle_id}i{item.installment_number}l{item.level}")
    mail["X-Classpay-Bundle"] = str(item.bundle_id)
    mail["X-Classpay-Installment"] = str(item.installment_number)
    mail["X-Classpay-Reminder-Level"] = str(item.level)
    mail.set_content(item.body)
    return mail


def _address(name: str, address: str) -> Address | None:
    try:
        return Address(display_name=name, addr_spec=address.strip())
    except (ValueError, IndexError, TypeError, HeaderParseError):
        return None


def _write_mbox(path: Path, batch: ReminderBatchOut) -> None:
    box = mailbox.mbox(path, create=True)
    try:
        box.lock()
        for item in batch.reminders:
            entry = mailbox.mboxMessage(message(item, batch))
            entry.set_from("classpay", batch.made_at.utctimetuple())
            box.add(entry)
        box.flush()
    finally:
        box.unlock()
        box.close()
