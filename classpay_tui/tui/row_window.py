"""The rows of a long list that a screen holds: one block of positions ``start`` to
``end`` of ``total``, grown a page at a time from the database as the cursor moves.

:meth:`RowWindow.wanted` names the page to fetch for the rows a table paints: the rows
after the block's last key or before its first (keyset), either end of the list, or a
position for a jump far away. Pages say where they start, so :meth:`RowWindow.merge`
places them. Pure arithmetic, tested on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from classpay_tui.services.writer_page_schemas import LARGEST_PAGE, PageFrom, WriterPageRequest

PAGE = 100  # rows fetched at a time
KEEP = 400  # rows held at most

T = TypeVar("T")


@dataclass
class RowWindow(Generic[T]):
    key_of: Callable[[T], int]
    total: int = 0
    start: int = 0
    rows: list[T] = field(default_factory=list)

    @property
    def end(self) -> int:
        return self.start + len(self.rows)

    def row(self, position: int) -> T | None:
        return self.rows[position - self.start] if self.start <= position < self.end else None

    def wanted(self, top: int, bottom: int) -> WriterPageRequest | None:
        """The page to fetch so rows ``top`` to ``bottom`` (exclusive) are held, or None."""
        top, bottom = max(0, top), min(self.total, bottom)
        if bottom <= top or (self.rows and self.start <= top and bottom <= self.end):
            return None
        if self.rows and self.start <= top <= self.end:
            return self._page(PageFrom.AFTER, bottom - self.end, key=self.key_of(self.rows[-1]))
        if self.rows and self.start <= bottom <= self.end:
            return self._page(PageFrom.BEFORE, self.start - top, key=self.key_of(self.rows[0]))
        if top < PAGE:
            return self._page(PageFrom.FIRST, bottom)
        if bottom > self.total - PAGE:
            return self._page(PageFrom.LAST, self.total - top)
        return self._page(PageFrom.OFFSET, bottom - top, offset=top)

    def _page(self, start: PageFrom, rows: int, *, key: int | None = None, offset: int = 0) -> WriterPageRequest:
        return WriterPageRequest(start=start, key=key, offset=offset, limit=min(LARGEST_PAGE, max(PAGE, rows)))

    def first(self) -> WriterPageRequest:
        return WriterPageRequest(limit=PAGE)

    def reload(self) -> WriterPageRequest:
        """The rows held again (or the first page): after a change, keeping the place."""
        if not self.rows:
            return self.first()
        return WriterPageRequest(start=PageFrom.OFFSET, offset=self.start, limit=max(PAGE, len(self.rows)))

    def merge(self, total: int, start: int, page: Sequence[T], *, keep_near: int) -> None:
        """Add a fetched page, positions ``start``… of a list now ``total`` long (it wins
        where it overlaps); then keep at most :data:`KEEP` rows, those around ``keep_near``."""
        rows = list(page)
        self.total = total
        if self.rows and start <= self.end and start + len(rows) >= self.start:
            before = self.rows[: max(0, start - self.start)]
            after = self.rows[max(0, start + len(rows) - self.start) :]
            self.rows, self.start = before + rows + after, min(self.start, start)
        else:
            self.rows, self.start = rows, start
        if self.end > self.total:  # the list got shorter than the rows held say
            self.rows = self.rows[: max(0, self.total - self.start)]
        if len(self.rows) > KEEP:
            low = min(max(self.start, keep_near - KEEP // 2), self.end - KEEP)
            self.rows, self.start = self.rows[low - self.start : low - self.start + KEEP], low
