"""Writing checked rows in one transaction: new records are added, records already there
with the same content are left alone (so a second import changes nothing), and a record
that clashes with what is stored is reported like any other bad row.

Set-based throughout: stored records are looked up many keys per query, new rows are
written with bulk inserts, and the touched bundles are settled together
(:mod:`classpay_tui.services.bulk`), so the cost grows with the rows, not with queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from classpay_tui.db.bulk import (
    Statements,
    insert_rows,
    insert_rows_returning_ids,
    insert_values_returning_ids,
    reserve_ids,
    submit_insert,
)
from classpay_tui.db.models import (
    ClassBundle,
    ClassInstallment,
    Client,
    OrderPayment,
    Writer,
    WriterBonus,
)
from classpay_tui.domain.compensation import CompensationRule
from classpay_tui.domain.errors import ClasspayError
from classpay_tui.domain.money import ZERO
from classpay_tui.domain.statuses import PaymentKind
from classpay_tui.services.bulk import BonusPayout, Entry, settle_loaded, start_loading
from classpay_tui.services.importing.lookups import chunks, existing
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
    """The session is used directly until the settle; from then on only through
    ``statements`` (which may run them in a second thread)."""

    def __init__(
        self, session: Session, login: str, now: datetime, today: date, statements: Statements | None = None
    ) -> None:
        self.session, self.login, self.now, self.today = session, login, now, today
        self.statements = statements or Statements()
        self.outcome = Outcome()
        self.client_ids: dict[str, int] = {}
        self.writer_ids: dict[str, int] = {}
        self.bundle_ids: dict[str, int] = {}
        self.bundle_money: dict[int, tuple[Decimal, Decimal]] = {}  # total, deposit
        self.touched: set[int] = set()
        self.payment_where: dict[str, str] = {}
        self.new_bonuses: list[BonusPayout] = []
        self.new_payments: list[tuple[Any, ...]] = []  # the values of _PAYMENT_COLUMNS, written by the settle

    def problem(self, where: str, why: str) -> None:
        self.outcome.problems.append(f"{where}: {why}")

    def run(self, parsed: dict[str, list[Any]], *, settle: bool = True) -> Outcome:
        self.clients(parsed["clients"])
        self.writers(parsed["writers"])
        self.bundles(parsed["bundles"])
        self.find_bundles(
            row.bundle for kind in ("installments", "payments", "bonuses") for row in parsed[kind] if row.bundle
        )
        self.installments(parsed["installments"])
        self.payments(parsed["payments"])
        self.bonuses(parsed["bonuses"])
        if settle and not self.outcome.problems:
            self.settle_bundles()
        return self.outcome

    # ---- clients and writers ------------------------------------------------------

    def clients(self, rows: list[ClientRow]) -> None:
        stored = existing(self.session, Client.external_ref, [r.ref for r in rows], Client.id, Client.name)
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
        for ref, client_id in zip(new, insert_rows_returning_ids(self.session, Client, values), strict=True):
            self.client_ids[ref] = client_id
        if new:
            self.outcome.count("clients", True, len(new))

    def writers(self, rows: list[WriterRow]) -> None:
        stored = existing(self.session, Writer.username, [r.username for r in rows], Writer.id)
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
        ids = insert_rows_returning_ids(self.session, Writer, list(new.values()))
        for username, writer_id in zip(new, ids, strict=True):
            self.writer_ids[username] = writer_id
        if new:
            self.outcome.count("writers", True, len(new))

    def find_writers(self, usernames: Any) -> None:
        missing = {name for name in usernames if name and name not in self.writer_ids}
        for username, (_, writer_id) in existing(self.session, Writer.username, missing, Writer.id).items():
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
        for ref, (_, client_id) in existing(self.session, Client.external_ref, missing_clients, Client.id).items():
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
        ids = insert_rows_returning_ids(self.session, ClassBundle, list(new.values()))
        for (ref, values), bundle_id in zip(new.items(), ids, strict=True):
            self.bundle_ids[ref] = bundle_id
            self.bundle_money[bundle_id] = (values["total_amount"], values["deposit_amount"])
            self.touched.add(bundle_id)
        if new:
            self.outcome.count("bundles", True, len(new))

    def find_bundles(self, keys: Any) -> None:
        """Stored bundles named by the other files: by ref, or "#<id>" for a bundle already in classpay."""
        missing = {key for key in keys if key not in self.bundle_ids}
        refs = [key for key in missing if not key.startswith("#")]
        for ref, (_, bundle_id) in existing(self.session, ClassBundle.external_ref, refs, ClassBundle.id).items():
            self.bundle_ids[ref] = bundle_id
        numbers = [int(key[1:]) for key in missing if key.startswith("#")]
        for bundle_id in existing(self.session, ClassBundle.id, numbers):
            self.bundle_ids[f"#{bundle_id}"] = bundle_id

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
        insert_rows(self.session, ClassInstallment, new)

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
            for bundle_id, number, amount, due in self.session.execute(
                select(
                    ClassInstallment.bundle_id,
                    ClassInstallment.installment_number,
                    ClassInstallment.amount,
                    ClassInstallment.due_date,
                ).where(ClassInstallment.bundle_id.in_(part))
            ):
                plans.setdefault(bundle_id, {})[number] = (amount, due)
        return plans

    # ---- money ---------------------------------------------------------------------

    def payments(self, rows: list[PaymentRow]) -> None:
        stored = existing(
            self.session,
            OrderPayment.reference,
            [r.reference for r in rows],
            OrderPayment.bundle_id,
            OrderPayment.amount,
        )
        bundle_ids, where_of, today = self.bundle_ids, self.payment_where, self.today
        now, login, installment = self.now, self.login, PaymentKind.INSTALLMENT
        new: list[tuple[Any, ...]] = []  # the values of _PAYMENT_COLUMNS
        for row in rows:
            bundle_id = bundle_ids.get(row.bundle)
            if bundle_id is None:
                self.bundle_id(row.bundle, row.where)  # reports it
                continue
            reference = row.reference
            if reference in stored:
                _, stored_bundle, stored_amount = stored[reference]
                if (stored_bundle, stored_amount) != (bundle_id, row.amount):
                    self.problem(
                        row.where,
                        f"reference {reference} is already recorded for {stored_amount} on bundle {stored_bundle}",
                    )
                self.outcome.count("payments", False)
                continue
            if reference in where_of:
                self.problem(row.where, f"reference {reference} appears twice")
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
        self.touched.update(values[0] for values in new)
        self.new_payments += new
        self.outcome.added["payments"] = self.outcome.added.get("payments", 0) + len(new)

    def bonuses(self, rows: list[BonusRow]) -> None:
        stored = existing(self.session, WriterBonus.external_ref, [r.ref for r in rows], WriterBonus.amount)
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
        ids = insert_rows_returning_ids(self.session, WriterBonus, values)
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
        """The new payments are written; each touched bundle gets its payment record (the
        migration path), its new installments linked and its new payments allocated;
        bonuses tied to a bundle become that bundle's writer payouts (paid or scheduled, as
        the bonus says); then the summary is recomputed and any payout now due is scheduled
        — all touched bundles together (:func:`classpay_tui.services.bulk.settle_loaded`).

        On SQLite the new payments' ids are known before they are written, so the touched
        bundles are read first and the payments written while they are settled."""
        statements, session, new = self.statements, self.session, self.new_payments
        ids = reserve_ids(statements, session, OrderPayment, len(new))
        written = ids is None
        if ids is None:  # the database assigns them: written (and waited for) first
            ids = range(0)
            if new:
                ids = statements.call(insert_values_returning_ids, session, OrderPayment, _PAYMENT_COLUMNS, new)
        entry_values = itemgetter(0, 1, 2, 4, 5, 6)  # bundle, kind, amount, reference, target, received
        entries = [Entry(entry_id, *entry_values(values), None) for values, entry_id in zip(new, ids, strict=True)]
        loading = start_loading(statements, session, self.touched, entries)
        if not written:
            submit_insert(statements, session, OrderPayment, _PAYMENT_COLUMNS, new, ids)  # type: ignore[arg-type]
        problems = settle_loaded(statements, session, loading, now=self.now, today=self.today, bonuses=self.new_bonuses)
        for problem in problems:
            where = self.payment_where.get(problem.reference, problem.where) if problem.reference else problem.where
            self.problem(where, problem.why)
