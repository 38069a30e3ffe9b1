"""The bundle list's window: the slice of the (possibly huge) list the screen holds.

The list widget shows rows by their position in the whole list (row 0 to ``total``), but
holds at most :data:`KEEP` of them, one contiguous block. When the rows it must paint
(plus a margin) reach past the block, :meth:`ListWindow.wanted` names the page to fetch:
the rows after the block's last key, before its first key, the end of the list, or, for a
jump far away (the scroll bar), a page at an offset. Pure arithmetic, tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from classpay_tui.services.list_schemas import BundleListPage, BundleListRow, ListQuery, PageFrom, PageRequest

PAGE = 100  # rows fetched at a time
LARGEST = 500  # the service's largest page
MARGIN = 40  # rows beyond the painted ones that should already be there
KEEP = 400  # rows held at most
COUNT_LIMIT = 1000  # a search is counted this far with its first rows (then "1,000+")


def first_request(query: ListQuery, screen_rows: int) -> PageRequest:
    """The list's first page for ``query``, counted. A search reads bundles until its page
    is full: it asks for a screen's worth and is counted up to :data:`COUNT_LIMIT`."""
    if query.search:
        limit = min(PAGE, screen_rows + MARGIN // 2)
        return PageRequest(start=PageFrom.FIRST, limit=limit, count=True, count_limit=COUNT_LIMIT)
    return PageRequest(start=PageFrom.FIRST, limit=PAGE, count=True)


@dataclass
class ListWindow:
    query: ListQuery = field(default_factory=ListQuery)
    total: int = 0
    more: bool = False  # ``total`` is only a lower bound: the count stopped at a limit
    start: int = 0
    rows: list[BundleListRow] = field(default_factory=list)

    @property
    def end(self) -> int:
        return self.start + len(self.rows)

    def row(self, index: int) -> BundleListRow | None:
        if self.start <= index < self.end:
            return self.rows[index - self.start]
        return None

    def index_of(self, bundle_id: int | None) -> int | None:
        for offset, row in enumerate(self.rows):
            if row.bundle_id == bundle_id:
                return self.start + offset
        return None

    def holds(self, top: int, bottom: int) -> bool:
        """Whether every row from ``top`` to ``bottom`` (exclusive) that the list has is held."""
        bottom = min(bottom, self.total)
        return bottom <= top or (self.start <= top and bottom <= self.end)

    def wanted(self, top: int, bottom: int) -> PageRequest | None:
        """The page to fetch so rows ``top`` to ``bottom`` (exclusive) and a margin around
        them are held, or None when they are."""
        low, high = max(0, top - MARGIN), min(self.total, bottom + MARGIN)
        if high <= low or (self.rows and self.start <= low and high <= self.end):
            return None
        if self.rows and self.end < high and top <= self.end + PAGE and low >= self.start:
            return PageRequest(start=PageFrom.AFTER, key=self.rows[-1].key, limit=PAGE)
        if self.rows and low < self.start and bottom >= self.start - PAGE and high <= self.end:
            return PageRequest(start=PageFrom.BEFORE, key=self.rows[0].key, limit=PAGE)
        if low < PAGE:
            return PageRequest(start=PageFrom.FIRST, limit=min(LARGEST, max(PAGE, high)))
        if high > self.total - PAGE:
            return PageRequest(start=PageFrom.LAST, limit=min(LARGEST, max(PAGE, self.total - low)), count=True)
        return PageRequest(start=PageFrom.OFFSET, offset=low, limit=min(LARGEST, max(PAGE, high - low)))

    def merge(self, request: PageRequest, page: BundleListPage, *, keep_near: int) -> None:
        """Add a fetched page; then drop rows far from ``keep_near`` beyond :data:`KEEP`."""
        if page.total is not None:
            self.total, self.more = page.total, page.more
        rows = page.rows
        if request.start is PageFrom.AFTER:
            if len(rows) < request.limit:  # the list ends here (sooner than counted, if bundles went)
                self.total, self.more = self.end + len(rows), False
            self.rows = self.rows + rows
        elif request.start is PageFrom.BEFORE:
            start = self.start - len(rows)
            if len(rows) < request.limit or start < 0:  # the list starts sooner than counted
                self.total, start = self.total - start, 0
            self.rows, self.start = rows + self.rows, start
        elif request.start is PageFrom.LAST:
            self.rows, self.start = rows, max(0, self.total - len(rows))
        else:  # FIRST, OFFSET, or AT (a reload from the first held row, which keeps its place)
            start = {PageFrom.FIRST: 0, PageFrom.OFFSET: request.offset}.get(request.start, self.start)
            self.rows, self.start = rows, start
            if len(rows) < request.limit:
                self.total, self.more = start + len(rows), False
        self.total = max(self.total, self.end)
        self._trim(keep_near)

    def _trim(self, near: int) -> None:
        if len(self.rows) <= KEEP:
            return
        first = min(max(self.start, near - KEEP // 2), self.end - KEEP)
        self.rows = self.rows[first - self.start : first - self.start + KEEP]
        self.start = first


def reload_request(window: ListWindow, rows: int) -> PageRequest:
    """The page that reads the held rows again, with a fresh count: from the top when the
    window starts there (so bundles added since show up), else from its first row's key."""
    if not window.rows or window.start == 0:
        return PageRequest(start=PageFrom.FIRST, limit=min(LARGEST, max(PAGE, rows)), count=True)
    return PageRequest(start=PageFrom.AT, key=window.rows[0].key, limit=min(LARGEST, max(PAGE, rows)), count=True)
