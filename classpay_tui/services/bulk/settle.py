"""Settle many bundles at once: what the importer's per-bundle loop did, set-based.

For every touched bundle: a payment record if it has none (the seed's migration path),
its installments linked, its unallocated ledger entries allocated oldest received first
(deposit first, then installments, as a single payment would), the summary recomputed,
imported bonuses turned into payouts and the payout the mode says is due scheduled.
Nothing is written unless every bundle settles; otherwise the problems are returned,
bundle by bundle, like the per-bundle path reported them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from classpay_tui.services.bulk.allocate import Money
from classpay_tui.services.bulk.client import ClientOutcome, settle_client
from classpay_tui.services.bulk.load import load
from classpay_tui.services.bulk.state import BonusPayout, Entry
from classpay_tui.services.bulk.write import Settled, write
from classpay_tui.services.bulk.writer import CompensationExceeded, Compensations, WriterOutcome, settle_writer
from classpay_tui.services.records import UnallocatablePayment, office_settings


@dataclass(frozen=True)
class SettleProblem:
    """``reference``: the ledger entry that could not be allocated, if that was the problem."""

    reference: str | None
    where: str
    why: str


def settle_bundles(
    session: Session,
    bundle_ids: Iterable[int],
    *,
    now: datetime,
    today: date,
    bonuses: Sequence[BonusPayout] = (),
    new_entries: Sequence[Entry] = (),
) -> list[SettleProblem]:
    """Settle every bundle in ``bundle_ids`` in the caller's transaction; returns the
    problems (and writes nothing) if any bundle cannot be settled. ``new_entries``: ledger
    entries the caller has just inserted into those bundles, so they need not be read back."""
    settings = office_settings(session)
    is_sqlite = session.get_bind().dialect.name == "sqlite"
    loaded = load(session, list(bundle_ids), lock=not is_sqlite, new_entries=new_entries)
    works = loaded.works
    order = sorted(works)
    problems: list[SettleProblem] = []
    clients: dict[int, ClientOutcome] = {}
    money = Money()
    for bundle_id in order:
        try:
            clients[bundle_id] = settle_client(works[bundle_id], loaded.reversed_allocations, money)
        except UnallocatablePayment as error:
            problems.append(SettleProblem(error.reference, f"bundle {bundle_id}", str(error).rstrip(".")))
    if problems:
        return problems
    by_bundle: dict[int, list[BonusPayout]] = {}
    for bonus in bonuses:
        by_bundle.setdefault(bonus.bundle_id, []).append(bonus)
    writers: dict[int, WriterOutcome] = {}
    compensations = Compensations(loaded.writers, settings)
    for bundle_id in order:
        work = works[bundle_id]
        try:
            writers[bundle_id] = settle_writer(
                work, clients[bundle_id].summary, compensations, by_bundle.get(bundle_id, []), settings
            )
        except CompensationExceeded as error:
            problems.append(SettleProblem(None, f"bundle {work.bundle.external_ref or bundle_id}", str(error)))
    if problems:
        return problems
    write(session, Settled(loaded, clients, writers, bonuses), settings, now, today)
    return []
