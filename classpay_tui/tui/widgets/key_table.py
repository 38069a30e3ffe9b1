"""A row-cursor table with j/k, filled with keyed rows, that keeps its cursor on the same key."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.widgets import DataTable


class KeyTable(DataTable[object]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="table.down", tooltip="Move down (or ↓)"),
        Binding("k", "cursor_up", "Up", show=False, id="table.up", tooltip="Move up (or ↑)"),
    ]

    def __init__(self, columns: Sequence[tuple[str, str]], *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.column_spec = list(columns)
        self.keys: list[str] = []

    def on_mount(self) -> None:
        for key, label in self.column_spec:
            self.add_column(label, key=key)

    async def _on_idle(self, event: events.Idle) -> None:
        # Textual (8.2) widens the columns for new or changed cells here, when idle, but keeps
        # the lines it painted since with the old widths (their cache key does not change):
        # a header painted between ``add_row`` and now stayed narrower than its rows.
        widening = self._require_update_dimensions or bool(self._updated_cells)
        await super()._on_idle(event)
        if widening:
            self._clear_caches()
            self.refresh()

    @property
    def current_key(self) -> str | None:
        return self.keys[self.cursor_row] if 0 <= self.cursor_row < len(self.keys) else None

    def fill(self, rows: Sequence[tuple[str, Sequence[object]]], *, cursor_on: str | None = None) -> None:
        """Replace the rows; the cursor goes to ``cursor_on`` (or stays on its key)."""
        wanted = cursor_on if cursor_on is not None else self.current_key
        new_keys = [key for key, _ in rows]
        if new_keys == self.keys:
            for key, cells in rows:
                for (column, _), cell in zip(self.column_spec, cells, strict=True):
                    self.update_cell(key, column, cell, update_width=True)
        else:
            self.clear()
            for key, cells in rows:
                self.add_row(*cells, key=key)
            self.keys = new_keys
        if wanted in self.keys:
            self.move_cursor(row=self.keys.index(wanted))
