"""What the dialogs that change something share: fields, an error in place, a
confirmation, the work in a thread, and a submit that cannot run twice."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import ClassVar, Generic, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

from classpay_tui.tui.desk import Desk
from classpay_tui.tui.jobs import in_thread
from classpay_tui.tui.modals.confirm import ConfirmModal
from classpay_tui.tui.safe import safe_text
from classpay_tui.tui.widgets.field import FieldError

T = TypeVar("T")


@dataclass
class Review(Generic[T]):
    """A checked form: what the confirmation says, and the service call that does it."""

    title: str
    lines: list[object]
    call: Callable[[], T]
    confirm: bool = True
    confirm_hint: str = "Enter confirms"
    extra: dict[str, object] = field(default_factory=dict)


def field_row(label: str, widget: Widget, *, error: str | None = None) -> Iterator[Widget]:
    """A labelled one-line field, and the sentence under it when it is refused."""
    row = Horizontal(Label(label, classes="label"), widget, classes="row")
    yield row
    if error is not None:
        yield FieldError(id=error)


class FormModal(ModalScreen[T | None]):
    """Subclasses give ``heading``, ``body()`` and ``review()``."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="form.cancel")]
    heading = ""
    hint = "Enter reviews · Tab next field · Esc cancels"

    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.heading, classes="title")
            yield from self.body()
            yield FieldError(id="form-error")
            yield Static(self.hint, classes="hint", id="hint")

    def body(self) -> ComposeResult:
        yield from ()

    def review(self) -> Review[T] | None:
        """Check the fields (showing what is wrong in place); ``None`` when something is."""
        raise NotImplementedError

    def ready_again(self) -> None:
        """As a dialog just made: not saving, every field enabled, no message (a kept one)."""
        self.busy = False
        self._enable(True)
        self.query_one("#hint", Static).update(self.hint)
        self.error("form-error", None)

    def error(self, widget_id: str, message: str | None) -> None:
        self.query_one(f"#{widget_id}", FieldError).show(message)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        if self.busy:
            return
        self.error("form-error", None)
        checked = self.review()
        if checked is None:
            return
        if not checked.confirm:
            self._run(checked)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._run(checked)

        self.app.push_screen(
            ConfirmModal(checked.title, checked.lines, confirm=checked.confirm_hint), callback=answered
        )

    def _run(self, checked: Review[T]) -> None:
        if self.busy:
            return
        self.busy = True
        self._enable(False)
        self.query_one("#hint", Static).update("Saving…")
        in_thread(self, checked.call, self.dismiss, failed=self._refused, group="submit", exclusive=False)

    def _refused(self, sentence: str) -> None:
        self.busy = False
        self._enable(True)
        self.query_one("#hint", Static).update(self.hint)
        self.error("form-error", sentence)
        self.focus_first()

    def _enable(self, enabled: bool) -> None:
        for widget in self.query("Input, Select, OptionList"):
            widget.disabled = not enabled

    def focus_first(self) -> None:
        inputs = [widget for widget in self.query(Input) if not widget.disabled]
        if inputs:
            inputs[0].focus()

    def action_cancel(self) -> None:
        if not self.busy:  # while saving, the outcome is on its way: wait for it
            self.dismiss(None)

    @staticmethod
    def text(value: object) -> Static:
        return Static(safe_text(value), classes="line")

    @staticmethod
    def select_value(select: Select[str]) -> str | None:
        value = select.value
        return value if isinstance(value, str) else None
