"""One line of bulk entry: bundle #, amount, reference and method, and under them who the
bundle is and what the payment would do, or the one sentence saying what is wrong."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Static

from classpay_tui.domain.money import format_money
from classpay_tui.tui.batch import Checked, Typed
from classpay_tui.tui.safe import safe_text
from classpay_tui.tui.widgets.field import Field

FIELDS = ("bundle", "amount", "reference", "method")
PLACEHOLDERS = {"bundle": "#", "amount": "amount", "reference": "reference", "method": "cash"}


def describe(checked: Checked | None, *, strict: bool, typed: Typed) -> tuple[Text, bool]:
    """The line under the fields, and whether it is a problem. An empty field is only
    called out once the batch was reviewed (``strict``); a wrong value at once."""
    if checked is None:
        return Text("", end=""), False
    if checked.problem is not None:
        empty = not getattr(typed, checked.field or "bundle", "").strip()
        if strict or not empty:
            return Text(f"✗ {checked.problem}", end=""), True
    if checked.waiting:
        return Text(f"looking up bundle {checked.bundle_id}…", style="dim", end=""), False
    summary = checked.summary
    if summary is None:
        return Text("", end=""), False
    text = Text(end="")
    text.append_text(safe_text(summary.client_name, "bold", width=22))
    owed = summary.balance_remaining if checked.owed is None else checked.owed
    text.append(f" · owes {format_money(owed)}")
    if checked.effect:
        text.append(" → ")
        text.append(checked.effect, style="bold")
    elif owed == 0:
        text.append(" · paid in full", style="dim")
    else:
        text.append(" · type the amount", style="dim")
    text.append(" · ", style="dim")
    text.append_text(safe_text(summary.title, "dim", width=30))
    return text, False


class BatchLine(Vertical):
    def __init__(self, number: int) -> None:
        super().__init__(classes="batch-line")
        self.number = number
        self.auto_reference = ""  # the reference we suggested, while the person has not changed it
        self.refused: str | None = None  # the service's sentence about this line, until it is edited
        self._shown: tuple[str, bool] | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(classes="batch-fields"):
            yield Label(f"{self.number:>3}", classes="line-no")
            for name in FIELDS:
                yield Field(placeholder=PLACEHOLDERS[name], classes=name)
        yield Static("", classes="batch-info")

    def field(self, name: str) -> Field:
        return self.query_one(f".{name}", Field)

    def field_name(self, field: Field) -> str | None:
        return next((name for name in FIELDS if field.has_class(name)), None)

    @property
    def typed(self) -> Typed:
        return Typed(*(self.field(name).value for name in FIELDS))

    def renumber(self, number: int) -> None:
        self.number = number
        self.query_one(".line-no", Label).update(f"{number:>3}")

    def show(self, checked: Checked | None, *, strict: bool) -> None:
        if self.refused is not None:
            text, problem = Text(f"✗ {self.refused}", end=""), True
        else:
            text, problem = describe(checked, strict=strict, typed=self.typed)
        key = (text.markup, problem)
        if key == self._shown:  # an update costs a layout pass: only when it changes
            return
        self._shown = key
        self.query_one(".batch-info", Static).update(text)
        self.set_class(problem, "-problem")
        self.set_class(self.refused is not None, "-refused")
        for name in FIELDS:
            self.field(name).set_class(problem and checked is not None and checked.field == name, "-wrong")
