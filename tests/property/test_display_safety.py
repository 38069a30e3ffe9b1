"""What people type is shown as text, never as markup, and never with a control character:
names and notes full of ``[``, ``[/]``, ``[bold]``, ESC sequences and C1 characters go
through the service and the display helpers without an exception or a raw control byte."""

from __future__ import annotations

import contextlib
import io
import re
import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from classpay_tui.cli.output import table
from classpay_tui.db.engine import Database
from classpay_tui.domain.errors import InvalidInput
from classpay_tui.services import ClassPaymentService, OperatorContext
from classpay_tui.services.context import FixedClock
from classpay_tui.services.schemas import BundleIn, PaymentIn
from classpay_tui.tui.safe import safe_text

CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
NASTY = [
    "[",
    "]",
    "[/]",
    "[bold]",
    "[red]",
    "[/bold]",
    "\x1b[31m",
    "\x1b]0;owned\x07",
    "\x1b[2J",
    "\x9b1m",
    "\x85",
    "\x00",
    "\r",
    "\t",
    "\u202e",
    "Ann",
    " ",
    "é",
    "漢",
]
nasty_text = st.lists(st.sampled_from(NASTY) | st.text(max_size=3), min_size=1, max_size=12).map("".join)


def render(value: object) -> str:
    console = Console(file=io.StringIO(), width=60, color_system=None, force_terminal=False)
    console.print(safe_text(value))
    return console.file.getvalue()


@given(nasty_text)
@settings(max_examples=300, deadline=None)
def test_safe_text_never_lets_markup_or_controls_through(value):
    shown = render(value)
    assert not CONTROL.search(shown.replace("\n", ""))
    assert safe_text(value).spans == []  # no style came from the value itself


@given(name=nasty_text, note=nasty_text)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_nasty_names_through_the_service_and_the_screens(name, note):
    with tempfile.TemporaryDirectory() as folder:
        service = ClassPaymentService(Database(str(Path(folder) / "f.db")), FixedClock())
        service.initialize()
        admin = OperatorContext("alice")
        try:
            details = service.create_bundle(
                admin,
                BundleIn(client_name=name, title=name, number_of_classes=1, total_amount=Decimal("10.00")),
            )
        except InvalidInput as refusal:  # a name of nothing but control characters is empty once cleaned
            assert "empty" in str(refusal)
            return
        result = service.record_payment(
            admin, details.bundle_id, PaymentIn(amount=Decimal("5.00"), reference="R-1", note=note)
        )
        stored = result.details
        for value in (stored.client_name, stored.title, stored.ledger[0].note or ""):
            assert not CONTROL.search(value)
            assert not CONTROL.search(render(value).replace("\n", ""))
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            table(["client", "course"], [(stored.client_name, stored.title)])
        assert not CONTROL.search(out.getvalue().replace("\n", ""))
        service.db.dispose()
