"""Reminder texts: the office's template, its placeholders, and filling it in for one late
installment. The template is text with a few header lines on top, like a mail:

    Subject: Payment reminder: {course}
    From: Office <office@example.com>        (optional)

    Dear {client_name}, ...
"""

from __future__ import annotations

import re
import string
import unicodedata
from datetime import datetime
from email.utils import parseaddr

from sqlalchemy.orm import Session

from classpay_tui.db.models import ReminderTemplate
from classpay_tui.domain.errors import InvalidInput
from classpay_tui.domain.money import format_money
from classpay_tui.services.schemas import OverdueInstallment, ReminderOut, ReminderTemplateOut

MAX_LEVEL = 3
PLACEHOLDERS = (
    "client_name",
    "course",
    "amount",
    "currency",
    "due_date",
    "days_late",
    "bundle_id",
    "installment_number",
    "level",
)
DEFAULT_SUBJECT = "Payment reminder {level}: {course}, {currency} {amount} overdue"
DEFAULT_BODY = """Dear {client_name},

Our records show that {currency} {amount} for {course} (bundle {bundle_id}, installment {installment_number}) \
was due on {due_date} and is now {days_late} days late.

Please pay it at your earliest convenience, quoting bundle {bundle_id}. If you have paid in the meantime, \
thank you, and please disregard this reminder.

Kind regards,
The office
"""
MAX_BODY = 10_000
MAX_SUBJECT = 200
_HEADER = re.compile(r"^(?P<name>subject|from)\s*:\s*(?P<value>.*)$", re.IGNORECASE)


def next_level(last_sent: int) -> int:
    """Each batch escalates one level, up to the last."""
    return min(last_sent + 1, MAX_LEVEL)


def _clean_multiline(text: str) -> str:
    """Newlines kept (as \\n), tabs kept, every other control character dropped."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")


def parse_template(text: str) -> tuple[str, str | None, str]:
    """``(subject, sender, body)`` from template text; refuses what could not be filled in."""
    lines = _clean_multiline(text).split("\n")
    headers: dict[str, str] = {}
    while lines and (match := _HEADER.match(lines[0])):
        headers[match["name"].lower()] = match["value"].strip()
        lines.pop(0)
    if headers and lines and not lines[0].strip():
        lines.pop(0)  # the blank line between the headers and the body
    body = "\n".join(lines).strip("\n").rstrip() + "\n"
    subject = headers.get("subject") or DEFAULT_SUBJECT
    sender = headers.get("from") or None
    check_template(subject, sender, body)
    return subject, sender, body


def check_template(subject: str, sender: str | None, body: str) -> None:
    if not body.strip():
        raise InvalidInput("The reminder template has no text after its header lines.")
    if len(body) > MAX_BODY:
        raise InvalidInput(f"The reminder text is {len(body)} characters long; the limit is {MAX_BODY}.")
    if len(subject) > MAX_SUBJECT:
        raise InvalidInput(f"The reminder subject is {len(subject)} characters long; the limit is {MAX_SUBJECT}.")
    if sender is not None and (len(sender) > 254 or "@" not in parseaddr(sender)[1]):
        raise InvalidInput(f"The From line {sender!r} is not a mail address such as Office <office@example.com>.")
    for part, text in (("subject", subject), ("text", body)):
        try:
            fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(text)]
        except ValueError:
            raise InvalidInput(
                f"The reminder {part} has a single {{ or }}; write {{{{ or }}}} for a literal brace."
            ) from None
        for name, spec, conversion in fields:
            if name is None:
                continue
            if name not in PLACEHOLDERS or spec or conversion:
                shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
                raise InvalidInput(
                    f"The reminder {part} uses {shown}, which is not a placeholder; "
                    f"use {', '.join('{' + p + '}' for p in PLACEHOLDERS)}."
                )


def template_text(template: ReminderTemplateOut) -> str:
    """The template as a person edits it: header lines, a blank line, the text."""
    sender = f"From: {template.sender}\n" if template.sender else ""
    return f"Subject: {template.subject}\n{sender}\n{template.body}"


def load_template(session: Session) -> ReminderTemplateOut:
    stored = session.get(ReminderTemplate, 1)
    if stored is None:
        return ReminderTemplateOut(
            subject=DEFAULT_SUBJECT, sender=None, body=DEFAULT_BODY, is_default=True, updated_at=None, updated_by=None
        )
    return ReminderTemplateOut(
        subject=stored.subject,
        sender=stored.sender,
        body=stored.body,
        is_default=False,
        updated_at=stored.updated_at,
        updated_by=stored.updated_by,
    )


def save_template(session: Session, subject: str, sender: str | None, body: str, at: datetime, login: str) -> None:
    stored = session.get(ReminderTemplate, 1, with_for_update=True)
    if stored is None:
        stored = ReminderTemplate(id=1)
        session.add(stored)
    stored.subject, stored.sender, stored.body = subject, sender, body
    stored.updated_at, stored.updated_by = at, login
    session.flush()


def reset_template(session: Session) -> None:
    """Back to the built-in default."""
    stored = session.get(ReminderTemplate, 1, with_for_update=True)
    if stored is not None:
        session.delete(stored)
        session.flush()


def render(template: ReminderTemplateOut, row: OverdueInstallment, level: int, currency: str) -> ReminderOut:
    values = {
        "client_name": row.client_name,
        "course": row.course,
        "amount": format_money(row.amount_owed),
        "currency": currency,
        "due_date": row.due_date.isoformat(),
        "days_late": str(row.days_late),
        "bundle_id": str(row.bundle_id),
        "installment_number": str(row.installment_number),
        "level": str(level),
    }
    return ReminderOut(
        bundle_id=row.bundle_id,
        installment_id=row.installment_id,
        installment_number=row.installment_number,
        client_name=row.client_name,
        email=row.email,
        phone=row.phone,
        course=row.course,
        amount_owed=row.amount_owed,
        due_date=row.due_date,
        days_late=row.days_late,
        level=level,
        subject=" ".join(template.subject.format_map(values).split()),
        body=template.body.format_map(values),
    )
