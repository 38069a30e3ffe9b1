"""Settle many bundles at once: what the importer's per-bundle loop did, set-based.

For every touched bundle: a payment record if it has none (the seed's migration path),
its installments linked, its unallocated ledger entries allocated oldest received first
(deposit first, then installments, as a single payment would), the summary recomputed,
imported bonuses turned into payouts and the payout the mode says is due scheduled.

The bundles are read a batch at a time (:class:`Loading`) and worked out a group at a
time (:class:`Settlement`: the importer settles the bundles whose payments are all taken
while it checks the rest of the file); each group's statements are submitted as soon as
it is done (with a :class:`~classpay_tui.db.statement_thread.StatementThread`, they run
while the next group is worked out). Once a bundle cannot be settled nothing more is
submitted, and the problems are returned, bundle by bundle, as the per-bundle path
reported them; what was already written must then be rolled back by the caller (the
importer and the demo both raise inside their transaction).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from classpay_tui.db.models import OfficeSettings
from classpay_tui.db.statement_thread import Statements
from classpay_tui.domain.compensation import next_payout_day
from classpay_tui.services.bulk.allocate import Money
from classpay_tui.services.bulk.client import ClientOutcome, settle_client
from classpay_tui.services.bulk.load import LARGEST_ID, Loaded, Raw, attach_new_entries, build, fetch
from classpay_tui.services.bulk.state import BonusPayout, BundleWork, Entry
from classpay_tui.services.bulk.write import Batch, write_batch
from classpay_tui.services.bulk.writer import CompensationExceeded, Compensations, WriterOutcome, settle_writer
from classpay_tui.services.records import UnallocatablePayment, office_settings

BATCH = 2000  # bundles read together (and, for a caller that settles them all at once, worked out together)


@dataclass(frozen=True)
class SettleProblem:
    """``reference``: the ledger entry that could not be allocated, if that was the problem."""

    reference: str | None
    where: str
    why: str


class Loading:
    """The reads the settle needs, submitted through ``statements`` as the caller learns
    which bundles it touches (:meth:`add`): the office settings, then the bundles in
    batches of at most :data:`BATCH`, so that the first batch can be settled while the
    next ones are read. A bundle must be added before any of its new ledger entries is
    written, unless those have ids above ``stored_up_to``."""

    def __init__(self, statements: Statements, session: Session, *, stored_up_to: int = LARGEST_ID) -> None:
        self.statements, self.session, self.stored_up_to = statements, session, stored_up_to
        self.lock = session.get_bind().dialect.name != "sqlite"
        self.settings: Future[OfficeSettings] = statements.submit(office_settings, session)
        self._batches: list[Future[Raw]] = []  # as read: converted when first needed (:func:`.load.build`)
        self._batch_of: dict[int, int] = {}  # bundle → its batch
        self._built: dict[int, Loaded] = {}

    def add(self, bundle_ids: Iterable[int]) -> None:
        new = sorted(set(bundle_ids) - self._batch_of.keys())
        for start in range(0, len(new), BATCH):
            part = new[start : start + BATCH]
            for bundle_id in part:
                self._batch_of[bundle_id] = len(self._batches)
            self._batches.append(
                self.statements.submit(
                    lambda part=part: fetch(self.session, part, lock=self.lock, stored_up_to=self.stored_up_to)
                )
            )

    @property
    def added(self) -> set[int]:
        return set(self._batch_of)

    def loaded(self, bundle_ids: Iterable[int]) -> list[Loaded]:
        """The batches holding these bundles (added before), read and converted."""
        needed = sorted({self._batch_of[bundle_id] for bundle_id in bundle_ids})
        for index in needed:
            if index not in self._built:
                self._built[index] = build(self.session, self._batches[index].result())
        return [self._built[index] for index in needed]


class Settlement:
    """Settling the touched bundles a group at a time, as the caller knows each group is
    complete (every new entry of its bundles given): each group's statements are submitted
    as soon as it is worked out. Once a bundle cannot be settled nothing more is written,
    and :attr:`problems` has them, bundle by bundle, as the per-bundle path reported them
    (the client half's problems, or else the writer half's); the caller then rolls back."""

    def __init__(
        self,
        statements: Statements,
        session: Session,
        loading: Loading,
        *,
        now: datetime,
        today: date,
        bonuses: Sequence[BonusPayout] = (),
    ) -> None:
        self.statements, self.session, self.loading, self.now = statements, session, loading, now
        self.settings = loading.settings.result()
        self.scheduled_for = next_payout_day(today, self.settings.payout_weekday)
        self.bonuses: dict[int, list[BonusPayout]] = {}
        for bonus in bonuses:
            self.bonuses.setdefault(bonus.bundle_id, []).append(bonus)
        self.money = Money()
        self.known_writers: dict[tuple[Any, ...], WriterOutcome] = {}
        self.client_problems: list[SettleProblem] = []
        self.writer_problems: list[SettleProblem] = []
        self.settled: set[int] = set()

    @property
    def problems(self) -> list[SettleProblem]:
        return self.client_problems or self.writer_problems

    def add_bonuses(self, bonuses: Iterable[BonusPayout]) -> None:
        """Imported bonuses for bundles not settled yet (each becomes its bundle's payout)."""
        for bonus in bonuses:
            if bonus.bundle_id in self.settled:
                raise ValueError(f"bundle {bonus.bundle_id} is settled already")
            self.bonuses.setdefault(bonus.bundle_id, []).append(bonus)

    def settle(self, bundle_ids: Iterable[int], entries_of: dict[int, list[Entry]]) -> None:
        """Settle these bundles (loaded or being loaded), ``entries_of`` holding all their new entries."""
        wanted = set(bundle_ids) - self.settled
        if not wanted:
            return
        self.settled |= wanted
        for loaded in self.loading.loaded(wanted):
            works = {bundle_id: work for bundle_id, work in loaded.works.items() if bundle_id in wanted}
            attach_new_entries(works, entries_of)
            self._settle(works, loaded)

    def _settle(self, works: dict[int, BundleWork], loaded: Loaded) -> None:
        part = sorted(works)
        clients: dict[int, ClientOutcome] = {}
        for bundle_id in part:
            try:
                clients[bundle_id] = settle_client(works[bundle_id], loaded.reversed_allocations, self.money)
            except UnallocatablePayment as error:
                problem = SettleProblem(error.reference, f"bundle {bundle_id}", str(error).rstrip("."))
                self.client_problems.append(problem)
        if self.client_problems:  # the writer half is only worked out where the client half holds
            return
        compensations = Compensations(loaded.writers, self.settings)
        writers: dict[int, WriterOutcome] = {}
        for bundle_id in part:
            work = works[bundle_id]
            try:
                writers[bundle_id] = settle_writer(
                    work,
                    clients[bundle_id].summary,
                    compensations,
                    self.bonuses.get(bundle_id, []),
                    self.settings,
                    self.known_writers,
                )
            except CompensationExceeded as error:
                problem = SettleProblem(None, f"bundle {work.bundle.external_ref or bundle_id}", str(error))
                self.writer_problems.append(problem)
        if not self.writer_problems:
            batch = Batch(part, works, clients, writers, self.bonuses)
            write_batch(self.statements, self.session, batch, scheduled_for=self.scheduled_for, now=self.now)


def settle_bundles(
    session: Session,
    bundle_ids: Iterable[int],
    *,
    now: datetime,
    today: date,
    bonuses: Sequence[BonusPayout] = (),
    new_entries: Sequence[Entry] = (),
    statements: Statements | None = None,
) -> list[SettleProblem]:
    """Settle every bundle in ``bundle_ids`` in the caller's transaction; returns the
    problems if any bundle cannot be settled (the caller rolls back). ``new_entries``:
    ledger entries the caller has inserted into those bundles, so they need not be read back."""
    statements = statements or Statements()
    stored_up_to = min((entry.id for entry in new_entries), default=LARGEST_ID + 1) - 1
    loading = Loading(statements, session, stored_up_to=stored_up_to)
    loading.add(bundle_ids)
    settlement = Settlement(statements, session, loading, now=now, today=today, bonuses=bonuses)
    settlement.settle(loading.added, entries_by_bundle(new_entries))
    statements.drain()
    return settlement.problems


def entries_by_bundle(entries: Iterable[Entry]) -> dict[int, list[Entry]]:
    grouped: dict[int, list[Entry]] = {}
    for entry in entries:
        grouped.setdefault(entry.bundle_id, []).append(entry)
    return grouped
