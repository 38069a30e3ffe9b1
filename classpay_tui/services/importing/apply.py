"""Writing checked rows in one transaction: new records are added, records already there
with the same content are left alone (so a second import changes nothing), and a record
that clashes with what is stored is reported like any other bad row."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from classpay_tui.db.models import (
    ClassBundle,
    ClassInstallment,
    ClassPayment,
    ClassPaymentInstallment,
    ClassWriterPayment,
    Client,
    OrderPayment,
    Writer,
    WriterBonus,
)
from classpay_tui.domain.compensation import CompensationRule
from classpay_tui.domain.errors import ClasspayError
from classpay_tui.domain.money import ZERO
from classpay_tui.domain.statuses import InstallmentStatus, PaymentKind, WriterPaymentType, WriterPayoutStatus
from classpay_tui.services.importing.rows import (
    BonusRow,
    BundleRow,
    ClientRow,
    InstallmentRow,
    PaymentRow,
    WriterRow,
)
from classpay_tui.services.ledger import load_state, recompute_client, recompute_writer
from classpay_tui.services.payouts import schedule_due_payouts
from classpay_tui.services.records import (
    UnallocatablePayment,
    bundle_compensation,
    create_payment_record,
    link_existing_payments,
    office_settings,
    payment_record,
)

CHUNK = 500


@dataclass
class Outcome:
    added: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def count(self, kind: str, added: bool) -> None:
        target = self.added if added else self.unchanged
        target[kind] = target.get(kind, 0) + 1


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _existing(session: Session, column: Any, keys: Sequence[Any], *extra: Any) -> dict[Any, Any]:
    found: dict[Any, Any] = {}
    for part in _chunks(list(keys)):
        for row in session.execute(select(column, *extra).where(column.in_(part))):
            found[row[0]] = row
    return found


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


class Importer:
    def __init__(self, session: Session, login: str, now: datetime, today: date) -> None:
        self.session, self.login, self.now, self.today = session, login, now, today
        self.outcome = Outcome()
        self.client_ids: dict[str, int] = {}
        self.writer_ids: dict[str, int] = {}
        self.bundle_ids: dict[str, int] = {}
        self.touched: set[int] = set()
        self.payment_where: dict[str, str] = {}
        self.new_bonuses: list[tuple[WriterBonus, BonusRow]] = []

    def problem(self, where: str, why: str) -> None:
        self.outcome.problems.append(f"{where}: {why}")

    def run(self, parsed: dict[str, list[Any]], *, settle: bool = True) -> Outcome:
        self.clients(parsed["clients"])
        self.writers(parsed["writers"])
        self.bundles(parsed["bundles"])
        self.installments(parsed["installments"])
        self.payments(parsed["payments"])
        self.bonuses(parsed["bonuses"])
        if settle and not self.outcome.problems:
            self.settle_bundles()
        return self.outcome

    # ---- clients and writers ------------------------------------------------------

    def clients(self, rows: list[ClientRow]) -> None:
        existing = _existing(self.session, Client.external_ref, [r.ref for r in rows], Client.id, Client.name)
        new = []
        for row in rows:
            if row.ref in existing:
                _, client_id, name = existing[row.ref]
                if name != row.name:
                    self.problem(row.where, f"client {row.ref} is already stored as {name!r}, not {row.name!r}")
                self.client_ids[row.ref] = client_id
                self.outcome.count("clients", False)
            elif row.ref in {r.ref for r in new}:
                self.problem(row.where, f"client {row.ref} appears twice")
            else:
                new.append(row)
        for row in new:
            client = Client(
                external_ref=row.ref,
                name=row.name,
                email=row.email,
                phone=row.phone,
                notes=row.notes,
                created_at=self.now,
            )
            self.session.add(client)
            self.session.flush()
            self.client_ids[row.ref] = client.id
            self.outcome.count("clients", True)

    def writers(self, rows: list[WriterRow]) -> None:
        existing = _existing(self.session, Writer.username, [r.username for r in rows], Writer.id)
        seen: set[str] = set()
        for row in rows:
            if row.username in seen:
                self.problem(row.where, f"writer {row.username} appears twice")
                continue
            seen.add(row.username)
            if row.username in existing:
                self.writer_ids[row.username] = existing[row.username][1]
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
            writer = Writer(
                username=row.username,
                display_name=row.name or row.username,
                email=row.email,
                rule_kind=rule.kind if rule else None,
                rule_value=rule.value if rule else None,
                active=True,
                created_at=self.now,
            )
            self.session.add(writer)
            self.session.flush()
            self.writer_ids[row.username] = writer.id
            self.outcome.count("writers", True)

    def writer_id(self, username: str, where: str) -> int | None:
        if username not in self.writer_ids:
            found = self.session.scalar(select(Writer.id).where(Writer.username == username))
            if found is None:
                self.problem(where, f"there is no writer {username!r} in this import or in classpay")
                return None
            self.writer_ids[username] = found
        return self.writer_ids[username]

    # ---- bundles and their plans ---------------------------------------------------

    def bundles(self, rows: list[BundleRow]) -> None:
        existing = _existing(
            self.session, ClassBundle.external_ref, [r.ref for r in rows], ClassBundle.id, ClassBundle.total_amount
        )
        seen: set[str] = set()
        for row in rows:
            if row.ref in seen:
                self.problem(row.where, f"bundle {row.ref} appears twice")
                continue
            seen.add(row.ref)
            if row.ref in existing:
                _, bundle_id, total = existing[row.ref]
                if total != row.total:
                    self.problem(row.where, f"bundle {row.ref} is already stored with total {total}, not {row.total}")
                self.bundle_ids[row.ref] = bundle_id
                self.outcome.count("bundles", False)
                continue
            client_id = self.client_ids.get(row.client_ref) or self.session.scalar(
                select(Client.id).where(Client.external_ref == row.client_ref)
            )
            if client_id is None:
                self.problem(row.where, f"there is no client {row.client_ref!r} in this import or in classpay")
                continue
            writer_id = self.writer_id(row.writer, row.where) if row.writer else None
            if row.writer and writer_id is None:
                continue
            bundle = ClassBundle(
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
            self.session.add(bundle)
            self.session.flush()
            self.bundle_ids[row.ref] = bundle.id
            self.touched.add(bundle.id)
            self.outcome.count("bundles", True)

    def bundle_id(self, key: str, where: str) -> int | None:
        if key not in self.bundle_ids:
            if key.startswith("#"):
                found = self.session.scalar(select(ClassBundle.id).where(ClassBundle.id == int(key[1:])))
            else:
                found = self.session.scalar(select(ClassBundle.id).where(ClassBundle.external_ref == key))
            if found is None:
                self.problem(where, f"there is no bundle {key!r} in this import or in classpay")
                return None
            self.bundle_ids[key] = found
        return self.bundle_ids[key]

    def installments(self, rows: list[InstallmentRow]) -> None:
        by_bundle: dict[int, list[InstallmentRow]] = {}
        for row in rows:
            bundle_id = self.bundle_id(row.bundle, row.where)
            if bundle_id is not None:
                by_bundle.setdefault(bundle_id, []).append(row)
        for bundle_id, plan in by_bundle.items():
            stored = {
                item.installment_number: item
                for item in self.session.scalars(
                    select(ClassInstallment).where(ClassInstallment.bundle_id == bundle_id)
                )
            }
            numbers: set[int] = set()
            for row in plan:
                if row.number in numbers:
                    self.problem(row.where, f"installment {row.number} of bundle {row.bundle} appears twice")
                    continue
                numbers.add(row.number)
                if row.number in stored:
                    item = stored[row.number]
                    if (item.amount, item.due_date) != (row.amount, row.due_date):
                        self.problem(
                            row.where,
                            f"installment {row.number} of bundle {row.bundle} is already stored "
                            f"as {item.amount} due {item.due_date}",
                        )
                    self.outcome.count("installments", False)
                    continue
                item = ClassInstallment(
                    bundle_id=bundle_id, installment_number=row.number, amount=row.amount, due_date=row.due_date
                )
                self.session.add(item)
                stored[row.number] = item
                self.touched.add(bundle_id)
                self.outcome.count("installments", True)
            bundle = self.session.get(ClassBundle, bundle_id)
            assert bundle is not None
            planned = sum((item.amount for item in stored.values()), ZERO)
            if planned != bundle.total_amount - bundle.deposit_amount:
                self.problem(
                    plan[-1].where,
                    f"the installments of bundle {plan[-1].bundle} add up to {planned}, not "
                    f"the balance {bundle.total_amount - bundle.deposit_amount}",
                )
        self.session.flush()

    # ---- money ---------------------------------------------------------------------

    def payments(self, rows: list[PaymentRow]) -> None:
        existing = _existing(
            self.session,
            OrderPayment.reference,
            [r.reference for r in rows],
            OrderPayment.bundle_id,
            OrderPayment.amount,
        )
        new: list[dict[str, Any]] = []
        for row in rows:
            bundle_id = self.bundle_id(row.bundle, row.where)
            if bundle_id is None:
                continue
            if row.reference in existing:
                _, stored_bundle, stored_amount = existing[row.reference]
                if (stored_bundle, stored_amount) != (bundle_id, row.amount):
                    self.problem(
                        row.where,
                        f"reference {row.reference} is already recorded for {stored_amount} on bundle {stored_bundle}",
                    )
                self.outcome.count("payments", False)
                continue
            if row.reference in self.payment_where:
                self.problem(row.where, f"reference {row.reference} appears twice")
                continue
            if row.received_on > self.today:
                self.problem(row.where, f"received_on {row.received_on} is in the future")
                continue
            self.payment_where[row.reference] = row.where
            new.append(
                dict(
                    bundle_id=bundle_id,
                    kind=row.kind,
                    amount=row.amount,
                    method=row.method,
                    reference=row.reference,
                    target_installment=row.installment if row.kind is PaymentKind.INSTALLMENT else None,
                    received_at=_noon(row.received_on),
                    recorded_at=self.now,
                    recorded_by=self.login,
                    note=row.note,
                )
            )
            self.touched.add(bundle_id)
        for part in _chunks(new):
            self.session.execute(insert(OrderPayment), list(part))
        self.outcome.added["payments"] = self.outcome.added.get("payments", 0) + len(new)

    def bonuses(self, rows: list[BonusRow]) -> None:
        existing = _existing(self.session, WriterBonus.external_ref, [r.ref for r in rows], WriterBonus.amount)
        for row in rows:
            if row.ref in existing:
                if existing[row.ref][1] != row.amount:
                    self.problem(row.where, f"bonus {row.ref} is already stored with amount {existing[row.ref][1]}")
                self.outcome.count("bonuses", False)
                continue
            writer_id = self.writer_id(row.writer, row.where)
            bundle_id = self.bundle_id(row.bundle, row.where) if row.bundle else None
            if writer_id is None or (row.bundle and bundle_id is None):
                continue
            granted = _noon(row.granted_on)
            bonus = WriterBonus(
                external_ref=row.ref,
                writer_id=writer_id,
                bundle_id=bundle_id,
                category="class_payment",
                amount=row.amount,
                granted_at=granted,
                is_paid=row.is_paid,
                paid_at=granted if row.is_paid else None,
            )
            self.session.add(bonus)
            if bundle_id is not None:
                self.new_bonuses.append((bonus, row))
                self.touched.add(bundle_id)
            self.outcome.count("bonuses", True)
        self.session.flush()

    # ---- payment records -----------------------------------------------------------

    def settle_bundles(self) -> None:
        """Each touched bundle gets its payment record (the migration path), its new
        installments linked and its new payments allocated; bonuses tied to a bundle become
        that bundle's writer payouts (paid or scheduled, as the bonus says); then the
        summary is recomputed and any payout now due is scheduled."""
        settings = office_settings(self.session)
        records: dict[int, ClassPayment] = {}
        for bundle_id in sorted(self.touched):
            bundle = self.session.get(ClassBundle, bundle_id)
            assert bundle is not None
            try:
                payment = payment_record(self.session, bundle_id)
                if payment is None:
                    payment = create_payment_record(self.session, bundle, self.now, self.today)
                else:
                    self._link_new_installments(payment.id, bundle_id)
                    link_existing_payments(self.session, bundle, payment)
                    recompute_client(self.session, load_state(self.session, bundle, payment), self.today)
                records[bundle_id] = payment
            except UnallocatablePayment as error:
                self.problem(self.payment_where.get(error.reference, f"bundle {bundle_id}"), str(error).rstrip("."))
        if self.outcome.problems:
            return
        for bonus, row in self.new_bonuses:
            self._payout_for_bonus(bonus, row, records[bonus.bundle_id or 0])
        for bundle_id, payment in records.items():
            bundle = self.session.get(ClassBundle, bundle_id)
            assert bundle is not None
            writer = self.session.get(Writer, bundle.writer_id) if bundle.writer_id else None
            payment.writer_compensation_amount = bundle_compensation(bundle, writer, settings)
            recompute_writer(self.session, bundle, payment)
            committed = payment.writer_paid_amount + payment.writer_scheduled_amount
            if payment.writer_id is not None and committed > payment.writer_compensation_amount:
                self.problem(
                    f"bundle {bundle.external_ref or bundle_id}",
                    f"bonuses of {committed} are more than the compensation {payment.writer_compensation_amount}",
                )
                continue
            schedule_due_payouts(self.session, bundle, payment, settings, self.now, self.today)
            recompute_writer(self.session, bundle, payment)

    def _payout_for_bonus(self, bonus: WriterBonus, row: BonusRow, payment: ClassPayment) -> None:
        """An older system's bonus for a bundle is a payout already made (or promised)."""
        self.session.flush()
        self.session.add(
            ClassWriterPayment(
                class_payment_id=payment.id,
                writer_id=bonus.writer_id,
                amount=bonus.amount,
                payment_type=WriterPaymentType.PARTIAL,
                status=WriterPayoutStatus.PAID if bonus.is_paid else WriterPayoutStatus.SCHEDULED,
                scheduled_for=row.granted_on,
                paid_at=bonus.paid_at,
                reference=f"BONUS-{row.ref}" if bonus.is_paid else None,
                bonus_id=bonus.id,
                created_at=self.now,
            )
        )
        self.session.flush()

    def _link_new_installments(self, payment_id: int, bundle_id: int) -> None:
        linked = set(
            self.session.scalars(
                select(ClassPaymentInstallment.installment_id).where(
                    ClassPaymentInstallment.class_payment_id == payment_id
                )
            )
        )
        for installment_id in self.session.scalars(
            select(ClassInstallment.id).where(ClassInstallment.bundle_id == bundle_id)
        ):
            if installment_id not in linked:
                self.session.add(
                    ClassPaymentInstallment(
                        class_payment_id=payment_id,
                        installment_id=installment_id,
                        paid_amount=Decimal("0.00"),
                        status=InstallmentStatus.PENDING,
                    )
                )
        self.session.flush()
