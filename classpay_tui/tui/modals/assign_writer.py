"""Assign or reassign a bundle's writer (``w``): pick from the active writers."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from classpay_tui.services.schemas import PaymentDetails, PaymentSummary, WriterOut
from classpay_tui.tui.desk import Desk
from classpay_tui.tui.jobs import in_thread
from classpay_tui.tui.modals.form import FormModal, Review
from classpay_tui.tui.safe import safe_text


class AssignWriterModal(FormModal[PaymentDetails]):
    heading = "Assign writer"
    hint = "↑/↓ choose · Enter assigns · Esc cancels"

    def __init__(self, desk: Desk, summary: PaymentSummary) -> None:
        super().__init__(desk)
        self.summary = summary

    def body(self) -> ComposeResult:
        line = Text(f"Bundle #{self.summary.bundle_id} · ", end="")
        line.append_text(safe_text(self.summary.title, width=40))
        line.append(" · now: ")
        line.append_text(safe_text(self.summary.assigned_writer_username or "nobody"))
        yield Static(line, classes="line")
        yield OptionList(id="writers")

    def on_mount(self) -> None:
        desk = self.desk
        in_thread(self, lambda: desk.service.list_writers(desk.operator), self._show, group="writers")

    def _show(self, writers: list[WriterOut]) -> None:
        options = self.query_one("#writers", OptionList)
        for writer in writers:
            if not writer.active:
                continue
            prompt = safe_text(writer.username, "bold")
            prompt.append_text(safe_text(f"  {writer.display_name} · {writer.compensation_rule}", width=60))
            if writer.id == self.summary.assigned_writer_id:
                prompt.append("  (current)", style="dim")
            options.add_option(Option(prompt, id=str(writer.id)))
        if options.option_count:
            options.highlighted = 0
        else:
            self.error("form-error", "There are no active writers; add one with `classpay writers add`.")
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_submit()

    def review(self) -> Review[PaymentDetails] | None:
        options = self.query_one("#writers", OptionList)
        if options.highlighted is None:
            return None
        writer_id = int(options.get_option_at_index(options.highlighted).id or 0)
        desk, bundle_id = self.desk, self.summary.bundle_id
        return Review(
            title="",
            lines=[],
            call=lambda: desk.service.assign_writer(desk.operator, bundle_id, writer_id),
            confirm=False,
        )
