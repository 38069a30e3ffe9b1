"""Writing checked rows in one transaction: new records are added, records already there
with the same content are left alone (so a second import changes nothing), and a record
that clashes with what is stored is reported like any other bad row.

Set-based throughout: stored records are looked up many keys per query, new rows are
written with bulk inserts, and the touched bundles are settled together
(:mod:`classpay_tui.services.bulk`), so the cost grows with the rows, not with queries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import cache
from itertools import repeat
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from classpay_tui.db.bulk import insert_rows, insert_rows_returning_ids, insert_values_returning_ids
from classpay_tui.db.models import (
    ClassBundle,
    ClassInstallment,
    Client,
    OrderPayment,
    Writer,
    WriterBonus,
)
from classpay_tui.db.statement_thread import Statements, reserve_ids, submit_insert
from classpay_tui.domain.compensation import CompensationRule
from classpay_tui.domain.errors import ClasspayError
from classpay_tui.domain.money import ZERO
from classpay_tui.domain.statuses import PaymentKind
from classpay_tui.services.bulk import BonusPayout, Entry, Loading, Settlement
from classpay_tui.services.importing.files import ImportFiles
from classpay_tui.services.importing.lookups import Lookup, LookupQuery, chunks, existing, lookup_query
from classpay_tui.services.importing.rows import (
    BonusRow,
    BundleRow,
    ClientRow,
    InstallmentRow,
    PaymentRow,
    WriterRow,
)


@dataclass
class Outcome:
    added: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def count(self, kind: str, added: bool, how_many: int = 1) -> None:
        target = self.added if added else self.unchanged
        target[kind] = target.get(kind, 0) + how_many


_PAYMENT_COLUMNS = (
    "bundle_id",
    "kind",
    "amount",
    "method",
    "reference",
    "target_installment",
    "received_at",
    "recorded_at",
    "recorded_by",
    "note",
)


@cache
def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


class Importer:
    """The session is only ever used through ``statements`` (which may run the statements
    in a second thread, the payments being written while the next rows are checked)."""

    def __init__(
        self, session: Session, login: str, now: datetime, today: date, statements: Statements | None = None
    ) -> None:
        self.session, self.login, self.now, self.today = session, login, now, today
        self.files = ImportFiles([])  # the files being imported (:meth:`run`)
        self.statements = statements or Statements()
        self.sql = self.statements.call
        self.outcome = Outcome()
        self.client_ids: dict[str, int] = {}
        self.writer_ids: dict[str, int] = {}
        self.bundle_ids: dict[str, int] = {}
        self.bundle_money: dict[int, tuple[Decimal, Decimal]] = {}  # total, deposit
        self.touched: set[int] = set()
        self.payment_where: dict[str, str] = {}
        self.new_bonuses: list[BonusPayout] = []
        self.new_entries: dict[int, list[Entry]] = {}  # the new payments by bundle, written as they are taken
        self.loading: Loading | None = None  # the touched bundles' reads, submitted as they become known
        self.settlement: Settlement | None = None
        self.settle_last: set[int] = set()  # bundles settled only once every row is taken (bonuses name them)
        self._asked: set[str] = set()  # bundle keys looked up (or being looked up)

    def problem(self, where: str, why: str) -> None:
        self.outcome.problems.append(f"{where}: {why}")

    def run(self, files: ImportFiles) -> Outcome:
        """Every row of every file tried; the touched bundles settled if no row is bad.
        The good rows are still tried against the database when some are bad, so that one
        run reports every bad row (unknown bundles, clashes, overpayments), not just the
        malformed ones; the caller then rolls back whatever was written."""
        self.files = files
        self.clients(files.rows("clients"))
        self.writers(files.rows("writers"))
        self.bundles(files.rows("bundles"))
        installments, bonuses = files.rows("installments"), files.rows("bonuses")
        self.find_bundles(row.bundle for rows in (installments, bonuses) for row in rows if row.bundle)
        self.settle_last = {self.bundle_ids[row.bundle] for row in bonuses if row.bundle in self.bundle_ids}
        self.installments(installments)
        self.payments(files.chunks("payments"), files.last_parts)
        self.bonuses(bonuses)
        if not self.outcome.problems and not files.problems:
            self.settle_bundles()
        return self.outcome

    @property
    def writing(self) -> bool:
        """No bad row so far: what is taken is written (otherwise only checked)."""
        settling = self.settlement is None or not self.settlement.problems
        return settling and not self.outcome.problems and not self.files.problems

    # ---- clients and writers ------------------------------------------------------

    def clients(self, rows: list[ClientRow]) -> None:
        stored = self.sql(existing, self.session, Client.external_ref, [r.ref for r in rows], Client.id, Client.name)
        new: dict[str, ClientRow] = {}
        for row in rows:
            if row.ref in stored:
                _, client_id, name = stored[row.ref]
                if name != row.name:
                    self.problem(row.where, f"client {row.ref} is already stored as {name!r}, not {row.name!r}")
                self.client_ids[row.ref] = client_id
                self.outcome.count("clients", False)
            elif row.ref in new:
                self.problem(row.where, f"client {row.ref} appears twice")
            else:
                new[row.ref] = row
        values = [
            dict(
                external_ref=row.ref,
                name=row.name,
                email=row.email,
                phone=row.phone,
                notes=row.notes,
                created_at=self.now,
            )
            for row in new.values()
        ]
        for ref, client_id in zip(new, self.sql(insert_rows_returning_ids, self.session, Client, values), strict=True):
            self.client_ids[ref] = client_id
        if new:
            self.outcome.count("clients", True, len(new))

    def writers(self, rows: list[WriterRow]) -> None:
        stored = self.sql(existing, self.session, Writer.username, [r.username for r in rows], Writer.id)
        seen: set[str] = set()
        new: dict[str, dict[str, Any]] = {}
        for row in rows:
            if row.username in seen:
                self.problem(row.where, f"writer {row.username} appears twice")
                continue
            seen.add(row.username)
            if row.username in stored:
                self.writer_ids[row.username] = stored[row.username][1]
                self.outcome.count("writers", False)
                continue
            rule = None
            try:
                if row.percent is not None:
                    rule = CompensationRule.percent(row.percent)
                elif row.per_class is not None:
                    rule = CompensationRule.per_class(row.per_class)
            except ClasspayError as error:
                self.problem(row.where, str(error).rstrip("."))
                continue
            new[row.username] = dict(
                username=row.username,
                display_name=row.name or row.username,
                email=row.email,
                rule_kind=rule.kind if rule else None,
                rule_value=rule.value if rule else None,
                active=True,
                created_at=self.now,
            )
        ids = self.sql(insert_rows_returning_ids, self.session, Writer, list(new.values()))
        for username, writer_id in zip(new, ids, strict=True):
            self.writer_ids[username] = writer_id
        if new:
            self.outcome.count("writers", True, len(new))

    def find_writers(self, usernames: Any) -> None:
        missing = {name for name in usernames if name and name not in self.writer_ids}
        for username, (_, writer_id) in self.sql(existing, self.session, Writer.username, missing, Writer.id).items():
            self.writer_ids[username] = writer_id

    def writer_id(self, username: str, where: str) -> int | None:
        if username not in self.writer_ids:
            self.problem(where, f"there is no writer {username!r} in this import or in classpay")
            return None
        return self.writer_ids[username]

    # ---- bundles and their plans ---------------------------------------------------

    def bundles(self, rows: list[BundleRow]) -> None:
        stored = existing(
            self.session, ClassBundle.external_ref, [r.ref for r in rows], ClassBundle.id, ClassBundle.total_amount
        )
        missing_clients = {r.client_ref for r in rows if r.client_ref not in self.client_ids}
        for ref, (_, client_id) in self.sql(
            existing, self.session, Client.external_ref, missing_clients, Client.id
        ).items():
            self.client_ids[ref] = client_id
        self.find_writers(row.writer for row in rows)
        seen: set[str] = set()
        new: dict[str, dict[str, Any]] = {}
        for row in rows:
            if row.ref in seen:
                self.problem(row.where, f"bundle {row.ref} appears twice")
                continue
            seen.add(row.ref)
            if row.ref in stored:
                _, bundle_id, total = stored[row.ref]
                if total != row.total:
                    self.problem(row.where, f"bundle {row.ref} is already stored with total {total}, not {row.total}")
                self.bundle_ids[row.ref] = bundle_id
                self.outcome.count("bundles", False)
                continue
            client_id = self.client_ids.get(row.client_ref)
            if client_id is None:
                self.problem(row.where, f"there is no client {row.client_ref!r} in this import or in classpay")
                continue
            writer_id = self.writer_id(row.writer, row.where) if row.writer else None
            if row.writer and writer_id is None:
                continue
            new[row.ref] = dict(
                external_ref=row.ref,
                client_id=client_id,
                title=row.title,
                number_of_classes=row.classes,
                total_amount=row.total,
                deposit_amount=row.deposit,
                status=row.status,
                writer_id=writer_id,
                compensation_override=row.compensation,
                start_date=row.start_date,
                created_at=self.now,
                updated_at=self.now,
            )
        ids = self.sql(insert_rows_returning_ids, self.session, ClassBundle, list(new.values()))
        for (ref, values), bundle_id in zip(new.items(), ids, strict=True):
            self.bundle_ids[ref] = bundle_id
            self.bundle_money[bundle_id] = (values["total_amount"], values["deposit_amount"])
            self.touched.add(bundle_id)
        if new:
            self.outcome.count("bundles", True, len(new))

    def find_bundles(self, keys: Any) -> None:
        """Stored bundles named by the other files: by ref, or "#<id>" for a bundle already in classpay."""
        missing = {key for key in keys if key not in self.bundle_ids}
        self.bundle_ids.update(self.sql(_stored_bundles, self.session, missing))

    def bundle_id(self, key: str, where: str) -> int | None:
        if key not in self.bundle_ids:
            self.problem(where, f"there is no bundle {key!r} in this import or in classpay")
            return None
        return self.bundle_ids[key]

    def installments(self, rows: list[InstallmentRow]) -> None:
        by_bundle: dict[int, list[InstallmentRow]] = {}
        for row in rows:
            bundle_id = self.bundle_id(row.bundle, row.where)
            if bundle_id is not None:
                by_bundle.setdefault(bundle_id, []).append(row)
        if not by_bundle:
            return
        stored_plans = self._stored_plans(list(by_bundle))
        new: list[dict[str, Any]] = []
        for bundle_id, plan in by_bundle.items():
            stored = stored_plans.get(bundle_id, {})
            numbers: set[int] = set()
            for row in plan:
                if row.number in numbers:
                    self.problem(row.where, f"installment {row.number} of bundle {row.bundle} appears twice")
                    continue
                numbers.add(row.number)
                if row.number in stored:
                    amount, due = stored[row.number]
                    if (amount, due) != (row.amount, row.due_date):
                        self.problem(
                            row.where,
                            f"installment {row.number} of bundle {row.bundle} is already stored as {amount} due {due}",
                        )
                    self.outcome.count("installments", False)
                    continue
                stored[row.number] = (row.amount, row.due_date)
                new.append(
                    dict(bundle_id=bundle_id, installment_number=row.number, amount=row.amount, due_date=row.due_date)
                )
                self.touched.add(bundle_id)
                self.outcome.count("installments", True)
            total, deposit = self.bundle_money[bundle_id]
            planned = sum((amount for amount, _ in stored.values()), ZERO)
            if planned != total - deposit:
                self.problem(
                    plan[-1].where,
                    f"the installments of bundle {plan[-1].bundle} add up to {planned}, "
                    f"not the balance {total - deposit}",
                )
        self.sql(insert_rows, self.session, ClassInstallment, new)

    def _stored_plans(self, bundle_ids: list[int]) -> dict[int, dict[int, tuple[Decimal, date]]]:
        """The installments already stored for these bundles (number → amount, due date);
        also notes the total and deposit of bundles stored before this import."""
        stored_before = [b for b in bundle_ids if b not in self.bundle_money]
        for bundle_id, total, deposit in existing(
            self.session, ClassBundle.id, stored_before, ClassBundle.total_amount, ClassBundle.deposit_amount
        ).values():
            self.bundle_money[bundle_id] = (total, deposit)
        plans: dict[int, dict[int, tuple[Decimal, date]]] = {}
        for part in chunks(sorted(stored_before)):
            query = select(
                ClassInstallment.bundle_id,
                ClassInstallment.installment_number,
                ClassInstallment.amount,
                ClassInstallment.due_date,
            ).where(ClassInstallment.bundle_id.in_(part))
            for bundle_id, number, amount, due in self.sql(lambda query=query: self.session.execute(query).all()):
                plans.setdefault(bundle_id, {})[number] = (amount, due)
        return plans

    # ---- money ---------------------------------------------------------------------

    def payments(self, parts: Iterable[list[PaymentRow]], last_parts: Callable[[], list[set[str]]]) -> None:
        """The payments, a part at a time: a part's lookups (its bundles, and whether its
        references are recorded) are submitted before the part before it is taken; the new
        payments of a part are written (after their bundles' reads are submitted, see
        :class:`~classpay_tui.services.bulk.Loading`) while the next part is checked; and
        the bundles that no later part names (``last_parts()``, worked out while the first
        part is written) are settled one part later, once their reads are surely done."""
        self.loading = Loading(self.statements, self.session)
        if self.writing:
            self.loading.add(self.touched)  # new bundles and plans: read before any payment is written
        endings: list[set[str]] = []
        pending: tuple[list[PaymentRow], Future[Any], int] | None = None
        complete: set[int] = set()
        for index, rows in enumerate(parts):
            keys = {row.bundle for row in rows} - self._asked - self.bundle_ids.keys()
            self._asked |= keys
            queries = _payment_lookups(self.session, keys, [row.reference for row in rows])  # made ready here
            lookups = self.statements.submit(_run_lookups, self.session, queries)
            if pending is not None:
                self._take_payments(*pending[:2])
                self._settle(complete)
                if index == 1:  # worked out while the first part is written
                    endings = _settled_early(last_parts())
                complete = {self.bundle_ids[key] for key in endings[pending[2]] if key in self.bundle_ids}
            pending = rows, lookups, index
        if pending is not None:
            self._take_payments(*pending[:2])
            self._settle(complete)

    def _settle(self, bundle_ids: set[int]) -> None:
        """Settle these bundles now, if nothing is wrong so far (and no bonus names them)."""
        ready = (bundle_ids & self.touched) - self.settle_last
        if not ready or not self.writing:
            return
        assert self.loading is not None
        if self.settlement is None:
            self.settlement = Settlement(self.statements, self.session, self.loading, now=self.now, today=self.today)
        self.settlement.settle(ready, self.new_entries)

    def _take_payments(self, rows: list[PaymentRow], lookups: Future[Any]) -> None:
        found: _PaymentLookups = lookups.result()
        self.bundle_ids.update(found.bundles())
        stored = found.references.found()
        new = self._new_payments(rows, stored) if rows else []
        if new is None:  # some row is not simply new: each one checked on its own
            new = self._new_payments_one_by_one(rows, stored)
        self.outcome.added["payments"] = self.outcome.added.get("payments", 0) + len(new)
        touched = set(next(zip(*new, strict=True))) if new else set()
        self.touched |= touched
        if new and self.writing:
            self._write_payments(new, touched)

    def _new_payments(self, rows: list[PaymentRow], stored: dict[str, Any]) -> list[tuple[Any, ...]] | None:
        """The values of _PAYMENT_COLUMNS for every row, a column at a time, if every row is
        simply a new payment (its bundle known, its reference neither stored nor taken
        before, not received in the future); None otherwise."""
        wheres, keys, references, amounts, kinds, numbers, methods, days, notes = zip(*rows, strict=True)
        bundle_ids = list(map(self.bundle_ids.get, keys))
        if (
            None in bundle_ids
            or not stored.keys().isdisjoint(references)
            or not self.payment_where.keys().isdisjoint(references)
            or len(set(references)) != len(references)
            or max(days) > self.today
        ):
            return None
        self.payment_where.update(zip(references, wheres, strict=True))
        installment = PaymentKind.INSTALLMENT
        targets = [number if kind is installment else None for kind, number in zip(kinds, numbers, strict=True)]
        count = len(rows)
        return list(
            zip(
                bundle_ids,
                kinds,
                amounts,
                methods,
                references,
                targets,
                map(_noon, days),
                repeat(self.now, count),
                repeat(self.login, count),
                notes,
                strict=True,
            )
        )

    def _new_payments_one_by_one(self, rows: list[PaymentRow], stored: dict[str, Any]) -> list[tuple[Any, ...]]:
        """The new payments among the rows (as :meth:`_new_payments`); every other row is
        counted as stored already or reported, in line order."""
        bundle_ids, where_of, today = self.bundle_ids, self.payment_where, self.today
        now, login, installment = self.now, self.login, PaymentKind.INSTALLMENT
        new: list[tuple[Any, ...]] = []  # the values of _PAYMENT_COLUMNS
        for row in rows:
            bundle_id = bundle_ids.get(row.bundle)
            if bundle_id is None:
                self.bundle_id(row.bundle, row.where)  # reports it
                continue
            reference = row.reference
            # Taken before in this import: the lookups of a later part may find it written already.
            if reference in where_of:
                self.problem(row.where, f"reference {reference} appears twice")
                continue
            if reference in stored:
                _, stored_bundle, stored_amount = stored[reference]
                if (stored_bundle, stored_amount) != (bundle_id, row.amount):
                    self.problem(
                        row.where,
                        f"reference {reference} is already recorded for {stored_amount} on bundle {stored_bundle}",
                    )
                self.outcome.count("payments", False)
                continue
            if row.received_on > today:
                self.problem(row.where, f"received_on {row.received_on} is in the future")
                continue
            where_of[reference] = row.where
            kind = row.kind
            new.append(
                (
                    bundle_id,
                    kind,
                    row.amount,
                    row.method,
                    reference,
                    row.installment if kind is installment else None,
                    _noon(row.received_on),
                    now,
                    login,
                    row.note,
                )
            )
        return new

    def _write_payments(self, new: list[tuple[Any, ...]], touched: set[int]) -> None:
        """Their bundles' reads first (a bundle is read before any of its new payments is
        written), then the payments; on SQLite their ids are known without waiting."""
        assert self.loading is not None
        if self.settlement is not None and not touched.isdisjoint(self.settlement.settled):
            raise RuntimeError("a payment for a bundle already settled")  # the parts' last keys were wrong
        self.loading.add(touched)
        statements, session = self.statements, self.session
        ids = reserve_ids(statements, session, OrderPayment, len(new))
        if ids is None:  # the database assigns them: waited for
            written = statements.call(insert_values_returning_ids, session, OrderPayment, _PAYMENT_COLUMNS, new)
        else:
            submit_insert(statements, session, OrderPayment, _PAYMENT_COLUMNS, new, ids)
            written = ids
        bundle_ids, kinds, amounts, _, references, targets, received, *_ = zip(*new, strict=True)
        entries_of = self.new_entries
        for entry in map(Entry, written, bundle_ids, kinds, amounts, references, targets, received, repeat(None)):
            entries = entries_of.get(entry.bundle_id)
            if entries is None:
                entries_of[entry.bundle_id] = [entry]
            else:
                entries.append(entry)

    def bonuses(self, rows: list[BonusRow]) -> None:
        stored = self.sql(existing, self.session, WriterBonus.external_ref, [r.ref for r in rows], WriterBonus.amount)
        self.find_writers(row.writer for row in rows)
        new: list[tuple[BonusRow, int, int | None]] = []
        for row in rows:
            if row.ref in stored:
                if stored[row.ref][1] != row.amount:
                    self.problem(row.where, f"bonus {row.ref} is already stored with amount {stored[row.ref][1]}")
                self.outcome.count("bonuses", False)
                continue
            writer_id = self.writer_id(row.writer, row.where)
            bundle_id = self.bundle_id(row.bundle, row.where) if row.bundle else None
            if writer_id is None or (row.bundle and bundle_id is None):
                continue
            new.append((row, writer_id, bundle_id))
            self.outcome.count("bonuses", True)
        values = [
            dict(
                external_ref=row.ref,
                writer_id=writer_id,
                bundle_id=bundle_id,
                category="class_payment",
                amount=row.amount,
                granted_at=_noon(row.granted_on),
                is_paid=row.is_paid,
                paid_at=_noon(row.granted_on) if row.is_paid else None,
            )
            for row, writer_id, bundle_id in new
        ]
        ids = self.sql(insert_rows_returning_ids, self.session, WriterBonus, values)
        for (row, writer_id, bundle_id), bonus_id in zip(new, ids, strict=True):
            if bundle_id is None:
                continue
            self.new_bonuses.append(
                BonusPayout(
                    bonus_id=bonus_id,
                    writer_id=writer_id,
                    bundle_id=bundle_id,
                    amount=row.amount,
                    is_paid=row.is_paid,
                    paid_at=_noon(row.granted_on) if row.is_paid else None,
                    granted_on=row.granted_on,
                    ref=row.ref,
                )
            )
            self.touched.add(bundle_id)

    # ---- payment records -----------------------------------------------------------

    def settle_bundles(self) -> None:
        """Each touched bundle gets its payment record (the migration path), its new
        installments linked and its new payments allocated; bonuses tied to a bundle become
        that bundle's writer payouts (paid or scheduled, as the bonus says); then the
        summary is recomputed and any payout now due is scheduled
        (:class:`classpay_tui.services.bulk.Settlement`). Most bundles of a file of payments
        are settled while it is taken; here, the rest."""
        if self.loading is None:
            self.loading = Loading(self.statements, self.session)
        if self.settlement is None:
            self.settlement = Settlement(self.statements, self.session, self.loading, now=self.now, today=self.today)
        settlement = self.settlement
        if not settlement.problems:
            self.loading.add(self.touched)  # the bundles only bonuses touched
            settlement.add_bonuses(self.new_bonuses)
            settlement.settle(self.touched, self.new_entries)
        self.statements.drain()
        for problem in settlement.problems:
            where = self.payment_where.get(problem.reference, problem.where) if problem.reference else problem.where
            self.problem(where, problem.why)


def _settled_early(endings: list[set[str]]) -> list[set[str]]:
    """The bundle keys whose bundles may be settled after each part: those no later part
    names, unless bundles are named both by ref and by id (then one bundle may have two keys)."""
    keys = set().union(*endings)
    if any(key.startswith("#") for key in keys) and not all(key.startswith("#") for key in keys):
        return [set() for _ in endings]
    return endings


class _PaymentLookups(NamedTuple):
    """What :func:`_payment_lookups` read (in the statement thread), decoded by the importer."""

    by_ref: Lookup
    by_id: Lookup
    references: Lookup

    def bundles(self) -> dict[str, int]:
        """Bundle key → id of the stored bundles among the keys (refs, and "#<id>")."""
        found = {ref: bundle_id for ref, (_, bundle_id) in self.by_ref.found().items()}
        found.update((f"#{bundle_id}", bundle_id) for bundle_id in self.by_id.found())
        return found


def _payment_lookups(session: Session, keys: Iterable[str], references: list[str]) -> list[LookupQuery]:
    """The stored bundles among ``keys``, and the stored payments among ``references``
    (reference → (reference, bundle id, amount)): the queries, for :func:`_run_lookups`."""
    keys = list(keys)
    refs = [key for key in keys if not key.startswith("#")]
    numbers = [int(key[1:]) for key in keys if key.startswith("#")]
    return [
        lookup_query(session, ClassBundle.external_ref, refs, ClassBundle.id),
        lookup_query(session, ClassBundle.id, numbers),
        lookup_query(session, OrderPayment.reference, references, OrderPayment.bundle_id, OrderPayment.amount),
    ]


def _run_lookups(session: Session, queries: list[LookupQuery]) -> _PaymentLookups:
    return _PaymentLookups(*(query.run(session) for query in queries))


def _stored_bundles(session: Session, keys: Iterable[str]) -> dict[str, int]:
    """Bundle key → id of the stored bundles among ``keys`` (refs, and "#<id>")."""
    return _run_lookups(session, _payment_lookups(session, keys, [])).bundles()
