"""Settle many bundles at once: what the importer's per-bundle loop did, set-based.

For every touched bundle: a payment record if it has none (the seed's migration path),
its installments linked, its unallocated ledger entries allocated oldest received first
(deposit first, then installments, as a single payment would), the summary recomputed,
imported bonuses turned into payouts and the payout the mode says is due scheduled.

The bundles are worked out a batch at a time, and each batch's statements are submitted
as soon as it is done (with a :class:`~classpay_tui.db.bulk.StatementThread`, they run
while the next batch is worked out). Once a bundle cannot be settled nothing more is
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

from classpay_tui.db.bulk import Statements
from classpay_tui.db.models import OfficeSettings
from classpay_tui.domain.compensation import next_payout_day
from classpay_tui.services.bulk.allocate import Money
from classpay_tui.services.bulk.client import ClientOutcome, settle_client
from classpay_tui.services.bulk.load import LARGEST_ID, Loaded, load
from classpay_tui.services.bulk.state import BonusPayout, Entry
from classpay_tui.services.bulk.write import Batch, write_batch
from classpay_tui.services.bulk.writer import CompensationExceeded, Compensations, WriterOutcome, settle_writer
from classpay_tui.services.records import UnallocatablePayment, office_settings

BATCH = 2000  # bundles worked out (and written) together


@dataclass(frozen=True)
class SettleProblem:
    """``reference``: the ledger entry that could not be allocated, if that was the problem."""

    reference: str | None
    where: str
    why: str


@dataclass(frozen=True)
class Loading:
    """The reads the settle needs, submitted: the office settings and the bundles, a batch at a time."""

    settings: Future[OfficeSettings]
    batches: list[Future[Loaded]]


def start_loading(
    statements: Statements, session: Session, bundle_ids: Iterable[int], new_entries: Sequence[Entry] = ()
) -> Loading:
    """Submit the reads of everything the settle needs about these bundles (:func:`.load.load`),
    :data:`BATCH` bundles at a time, so that the first batch can be settled while the next
    ones are read. ``new_entries``: as for :func:`settle_bundles`."""
    ids = sorted(set(bundle_ids))
    lock = session.get_bind().dialect.name != "sqlite"
    stored_up_to = min((entry.id for entry in new_entries), default=LARGEST_ID + 1) - 1
    entries_of: dict[int, list[Entry]] = {}
    for entry in new_entries:
        entries_of.setdefault(entry.bundle_id, []).append(entry)

    def batch(part: list[int]) -> Loaded:
        entries = [entry for bundle_id in part for entry in entries_of.get(bundle_id, ())]
        return load(session, part, lock=lock, new_entries=entries, stored_up_to=stored_up_to)

    return Loading(
        statements.submit(office_settings, session),
        [statements.submit(batch, ids[start : start + BATCH]) for start in range(0, len(ids), BATCH)],
    )


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
    ledger entries the caller has inserted into those bundles (or is about to, once the
    reads are submitted), so they need not be read back."""
    statements = statements or Statements()
    loading = start_loading(statements, session, bundle_ids, new_entries)
    return settle_loaded(statements, session, loading, now=now, today=today, bonuses=bonuses)


def settle_loaded(
    statements: Statements,
    session: Session,
    loading: Loading,
    *,
    now: datetime,
    today: date,
    bonuses: Sequence[BonusPayout] = (),
) -> list[SettleProblem]:
    """:func:`settle_bundles` on reads already submitted, batch after batch as they arrive."""
    settings = loading.settings.result()
    scheduled_for = next_payout_day(today, settings.payout_weekday)
    by_bundle: dict[int, list[BonusPayout]] = {}
    for bonus in bonuses:
        by_bundle.setdefault(bonus.bundle_id, []).append(bonus)
    money = Money()
    known_writers: dict[tuple[Any, ...], WriterOutcome] = {}
    client_problems: list[SettleProblem] = []
    writer_problems: list[SettleProblem] = []
    for pending in loading.batches:
        loaded = pending.result()
        works = loaded.works
        part = sorted(works)
        clients: dict[int, ClientOutcome] = {}
        for bundle_id in part:
            try:
                clients[bundle_id] = settle_client(works[bundle_id], loaded.reversed_allocations, money)
            except UnallocatablePayment as error:
                client_problems.append(SettleProblem(error.reference, f"bundle {bundle_id}", str(error).rstrip(".")))
        if client_problems:  # the writer half is only worked out where the client half holds
            continue
        compensations = Compensations(loaded.writers, settings)
        writers: dict[int, WriterOutcome] = {}
        for bundle_id in part:
            work = works[bundle_id]
            try:
                writers[bundle_id] = settle_writer(
                    work,
                    clients[bundle_id].summary,
                    compensations,
                    by_bundle.get(bundle_id, []),
                    settings,
                    known_writers,
                )
            except CompensationExceeded as error:
                writer_problems.append(
                    SettleProblem(None, f"bundle {work.bundle.external_ref or bundle_id}", str(error))
                )
        if not writer_problems:
            batch = Batch(part, works, clients, writers, by_bundle)
            write_batch(statements, session, batch, scheduled_for=scheduled_for, now=now)
    statements.drain()
    return client_problems or writer_problems
