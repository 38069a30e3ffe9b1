"""``ClassPaymentService``: the seed's service, over one database.

Every method that changes something takes an :class:`OperatorContext`, runs in one
transaction (all or nothing), recomputes the bundle's summary from the ledger and
appends an audit event. Read methods return pydantic models, never ORM objects.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from classpay_tui.db.engine import Database
from classpay_tui.db.migrate import current_revision, head_revision, upgrade_to_head
from classpay_tui.db.models import (
    ClassBundle,
    ClassInstallment,
    ClassPayment,
    Client,
    OfficeSettings,
    Operator,
    OrderPayment,
    Writer,
)
from classpay_tui.domain.allocation import (
    Allocation,
    SlotKind,
    allocate_to_bundle,
    allocate_to_deposit,
    allocate_to_installment,
)
from classpay_tui.domain.compensation import DEFAULT_RULE, parse_weekday
from classpay_tui.domain.errors import Conflict, InvalidInput, NotFound, Refused
from classpay_tui.domain.money import ZERO, check_amount, format_money
from classpay_tui.domain.statuses import ClientPaymentStatus, PaymentKind, PayoutMode, Role, WriterPaymentType
from classpay_tui.services import catalog, views
from classpay_tui.services.audit import record_event
from classpay_tui.services.context import Clock, OperatorContext
from classpay_tui.services.integrity import run_check
from classpay_tui.services.ledger import BundleState, load_state, recompute_client, recompute_writer
from classpay_tui.services.payouts import schedule_due_payouts, schedule_payout, unscheduled_compensation
from classpay_tui.services.permissions import Action, authorize
from classpay_tui.services.records import (
    add_allocations,
    bundle_compensation,
    create_payment_record,
    get_bundle,
    locked_state,
    office_settings,
    payment_record,
)
from classpay_tui.services.schemas import (
    BundleIn,
    CheckReport,
    PaymentDetails,
    PaymentIn,
    PaymentResult,
    PaymentSummary,
    WriterClassPayment,
    WriterIn,
    WriterOut,
    WriterPaymentOut,
)
from classpay_tui.services.text import clean_text

T = TypeVar("T")
MAX_PAGE = 500
LIST_STATUSES = {status.value for status in ClientPaymentStatus} | {"overdue"}


class ClassPaymentService:
    def __init__(self, database: Database, clock: Clock | None = None) -> None:
        self.db = database
        self.clock = clock or Clock()
        self._currency: str | None = None

    # ---- set-up --------------------------------------------------------------------

    def initialize(self, currency: str = "USD", payout_day: str = "friday") -> bool:
        """Create or upgrade the schema; settings are written only on a new database.

        Returns True when the database was new.
        """
        currency_code = currency.strip().upper()
        if len(currency_code) != 3 or not currency_code.isalpha():
            raise InvalidInput(f"{currency!r} is not a three-letter currency code such as USD or EUR.")
        weekday = parse_weekday(payout_day)
        upgrade_to_head(self.db.engine)
        with self.db.write() as session:
            if session.get(OfficeSettings, 1) is not None:
                return False
            session.add(
                OfficeSettings(
                    id=1,
                    currency=currency_code,
                    payout_weekday=weekday,
                    payout_mode=PayoutMode.ON_FULL_PAYMENT,
                    default_rule_kind=DEFAULT_RULE.kind,
                    default_rule_value=DEFAULT_RULE.value,
                )
            )
            return True

    def require_current_schema(self) -> None:
        """Refuse to work on a database that was never set up or needs an upgrade."""
        current, head = current_revision(self.db.engine), head_revision()
        where = self.db.describe()
        if current is None:
            raise NotFound(f"The database {where} has not been set up; run `classpay init`.")
        if current != head:
            raise Refused(
                f"The database {where} is at schema {current}, not {head}; run `classpay init` to upgrade it."
            )

    def operator(self, login: str) -> OperatorContext:
        """Who is acting. Every operator acts as admin until roles are enforced; the
        first admin is recorded at ``init`` so the operators table is already in place."""
        return OperatorContext(login=login, role=Role.ADMIN)

    def add_first_admin(self, login: str) -> bool:
        """Make ``login`` the first admin of a database that has no operators yet."""
        with self.db.write() as session:
            if session.scalar(select(func.count()).select_from(Operator)):
                return False
            session.add(Operator(login=login, role=Role.ADMIN, active=True, created_at=self.clock.now()))
            return True

    def currency(self) -> str:
        if self._currency is None:
            with self.db.read() as session:
                self._currency = office_settings(session).currency
        return self._currency

    # ---- writers and bundles -------------------------------------------------------

    def add_writer(self, ctx: OperatorContext, data: WriterIn) -> WriterOut:
        authorize(ctx, Action.ADD_WRITER)
        now = self.clock.now()
        with self.db.write() as session:
            writer = catalog.add_writer(session, data, now)
            out = catalog.writer_out(writer)
            record_event(session, ctx, now, "writer.add", "writer", writer.id, after=out.model_dump(mode="json"))
            return out

    def list_writers(self) -> list[WriterOut]:
        with self.db.read() as session:
            return [catalog.writer_out(w) for w in session.scalars(select(Writer).order_by(Writer.username))]

    def get_writer(self, ref: str | int) -> WriterOut:
        with self.db.read() as session:
            return catalog.writer_out(catalog.find_writer(session, ref))

    def create_bundle(self, ctx: OperatorContext, data: BundleIn) -> PaymentDetails:
        """A bundle, its installment plan and its payment record, with the writer's compensation."""
        authorize(ctx, Action.CREATE_BUNDLE)
        now, today = self.clock.now(), self.clock.today()
        with self.db.write() as session:
            bundle = catalog.add_bundle(session, data, now, today)
            create_payment_record(session, bundle, now, today)
            details = self._details(session, bundle.id)
            record_event(session, ctx, now, "bundle.create", "bundle", bundle.id, after=_audit_summary(details))
            return details

    def create_payment_for_bundle(
        self, ctx: OperatorContext, bundle_id: int, writer: str | int | None = None
    ) -> PaymentDetails:
        """The seed's entry point: make sure the bundle has its payment record, and assign
        the writer if one is named."""
        if writer is not None:
            return self.assign_writer(ctx, bundle_id, writer)
        authorize(ctx, Action.ASSIGN_WRITER)
        return self._write_bundle(ctx, bundle_id, lambda session, state: None, action=None)

    def assign_writer(self, ctx: OperatorContext, bundle_id: int, writer_ref: str | int) -> PaymentDetails:
        """Assign or reassign the writer; the compensation is computed for the new writer."""
        authorize(ctx, Action.ASSIGN_WRITER)

        def assign(session: Session, state: BundleState) -> None:
            writer = catalog.find_writer(session, writer_ref)
            if not writer.active:
                raise Refused(f"Writer {writer.username} is inactive and cannot be assigned.")
            bundle, payment = state.bundle, state.payment
            bundle.writer_id = writer.id
            bundle.updated_at = self.clock.now()
            payment.writer_id = writer.id
            payment.writer_compensation_amount = bundle_compensation(bundle, writer, office_settings(session))

        return self._write_bundle(ctx, bundle_id, assign, action="bundle.assign_writer")

    def reprice(
        self, ctx: OperatorContext, bundle_id: int, *, total: Decimal | None = None, deposit: Decimal | None = None
    ) -> PaymentDetails:
        """Change the price or deposit. Once money has been received only an admin may, and
        only the unpaid installments are re-planned (paid and part-paid ones keep their amounts)."""
        authorize(ctx, Action.CREATE_BUNDLE)

        def change(session: Session, state: BundleState) -> None:
            if state.payment.amount_paid > ZERO or state.payment.refunded_amount > ZERO:
                authorize(ctx, Action.REPRICE_AFTER_PAYMENT)
            new_total = check_amount(total, what="The total") if total is not None else state.bundle.total_amount
            new_deposit = (
                check_amount(deposit, allow_zero=True, what="The deposit")
                if deposit is not None
                else state.bundle.deposit_amount
            )
            catalog.reprice(session, state, new_total, new_deposit)
            writer = session.get(Writer, state.bundle.writer_id) if state.bundle.writer_id else None
            state.payment.writer_compensation_amount = bundle_compensation(
                state.bundle, writer, office_settings(session)
            )
            _refuse_compensation_below_payouts(state)

        return self._write_bundle(ctx, bundle_id, change, action="bundle.reprice")

    def set_compensation(self, ctx: OperatorContext, bundle_id: int, amount: Decimal | None) -> PaymentDetails:
        """An admin fixes the writer's compensation for this bundle (``None`` goes back to the rules)."""
        authorize(ctx, Action.SET_COMPENSATION)

        def change(session: Session, state: BundleState) -> None:
            state.bundle.compensation_override = (
                None if amount is None else check_amount(amount, allow_zero=True, what="The compensation")
            )
            writer = session.get(Writer, state.bundle.writer_id) if state.bundle.writer_id else None
            state.payment.writer_compensation_amount = bundle_compensation(
                state.bundle, writer, office_settings(session)
            )
            _refuse_compensation_below_payouts(state)

        return self._write_bundle(ctx, bundle_id, change, action="bundle.set_compensation")

    # ---- client payments -----------------------------------------------------------

    def record_payment(
        self,
        ctx: OperatorContext,
        bundle_id: int,
        data: PaymentIn,
        *,
        deposit: bool = False,
        installment_number: int | None = None,
    ) -> PaymentResult:
        """A client payment to the deposit, one installment, or the bundle (deposit first,
        then installments oldest due date first)."""
        authorize(ctx, Action.RECORD_PAYMENT)
        if deposit and installment_number is not None:
            raise InvalidInput("A payment goes to the deposit or to one installment, not both.")
        amount = data.checked_amount()
        reference = clean_text(data.reference, "The reference", max_length=100)
        note = clean_text(data.note, "The note", max_length=2000, required=False)
        received_at = self._received_at(data.received_on)
        if deposit:
            kind = PaymentKind.DEPOSIT
        elif installment_number is not None:
            kind = PaymentKind.INSTALLMENT
        else:
            kind = PaymentKind.PAYMENT

        def record(session: Session) -> PaymentResult:
            now, today = self.clock.now(), self.clock.today()
            state = locked_state(session, bundle_id, now, today)
            existing = session.scalar(select(OrderPayment).where(OrderPayment.reference == reference))
            if existing is not None:
                return self._replay(session, existing, bundle_id, amount, kind, installment_number)
            balance_before = state.payment.balance_remaining
            if deposit:
                allocations = allocate_to_deposit(state.debt, amount)
            elif installment_number is not None:
                allocations = allocate_to_installment(state.debt, installment_number, amount)
            else:
                allocations = allocate_to_bundle(state.debt, amount)
            entry = OrderPayment(
                bundle_id=bundle_id,
                kind=kind,
                amount=amount,
                method=data.method,
                reference=reference,
                target_installment=installment_number,
                received_at=received_at,
                recorded_at=now,
                recorded_by=ctx.login,
                note=note,
            )
            session.add(entry)
            session.flush()
            add_allocations(session, entry, state.payment, allocations, state)
            state = self._settle(session, state)
            details = self._details(session, bundle_id)
            effect = describe_effect(allocations, details, balance_before)
            payment_out = next(item for item in details.ledger if item.id == entry.id)
            record_event(
                session,
                ctx,
                now,
                f"payment.{kind.value}",
                "bundle",
                bundle_id,
                before={"balance_remaining": str(balance_before)},
                after={"payment": payment_out.model_dump(mode="json"), **_audit_summary(details)},
            )
            return PaymentResult(
                created=True,
                payment=payment_out,
                effect=effect,
                balance_before=balance_before,
                balance_after=details.balance_remaining,
                details=details,
            )

        return self._write_retrying(record)

    def record_installment_payment(self, ctx: OperatorContext, installment_id: int, data: PaymentIn) -> PaymentResult:
        """The seed's method: pay one installment (by its id, as in the details JSON)."""
        with self.db.read() as session:
            installment = session.get(ClassInstallment, installment_id)
            if installment is None:
                raise NotFound(f"There is no installment {installment_id}.")
            bundle_id, number = installment.bundle_id, installment.installment_number
        return self.record_payment(ctx, bundle_id, data, installment_number=number)

    def suggest_reference(self, bundle_id: int) -> str:
        """A fresh reference the operator can keep or overwrite."""
        return f"B{bundle_id}-{self.clock.today():%Y%m%d}-{secrets.token_hex(2).upper()}"

    # ---- status and writer payouts -------------------------------------------------

    def refresh_status(self, ctx: OperatorContext, payment_id: int) -> PaymentDetails:
        """The seed's ``refresh_status``: recompute the summary from the ledger and schedule
        any writer payout that is due. Running it again changes nothing."""
        authorize(ctx, Action.REFRESH_STATUS)
        return self._write_bundle(
            ctx, self._bundle_of_payment(payment_id), lambda s, st: None, action="payment.refresh"
        )

    update_payment_status = refresh_status

    def schedule_writer_payment(
        self, ctx: OperatorContext, payment_id: int, amount: Decimal | None = None
    ) -> WriterPaymentOut:
        """Schedule a payout of ``amount`` (default: all compensation not yet paid or scheduled)."""
        authorize(ctx, Action.SCHEDULE_WRITER_PAYMENT)
        bundle_id = self._bundle_of_payment(payment_id)
        scheduled: list[int] = []

        def schedule(session: Session, state: BundleState) -> None:
            payment = state.payment
            if payment.writer_id is None:
                raise Refused(f"Bundle {bundle_id} has no writer assigned; assign one first.")
            open_amount = unscheduled_compensation(payment)
            if open_amount <= ZERO:
                raise Refused(
                    f"All of the writer's compensation for bundle {bundle_id} "
                    f"({format_money(payment.writer_compensation_amount)}) is already paid or scheduled."
                )
            wanted = open_amount if amount is None else check_amount(amount, what="The payout amount")
            if wanted > open_amount:
                raise Refused(
                    f"{format_money(wanted)} is {format_money(wanted - open_amount)} more than the "
                    f"{format_money(open_amount)} of compensation not yet paid or scheduled."
                )
            kind = WriterPaymentType.FULL if wanted == payment.writer_compensation_amount else WriterPaymentType.PARTIAL
            payout = schedule_payout(
                session, payment, wanted, kind, office_settings(session), self.clock.now(), self.clock.today()
            )
            scheduled.append(payout.id)

        details = self._write_bundle(ctx, bundle_id, schedule, action="writer_payment.schedule")
        return next(item for item in details.writer_payments if item.id == scheduled[0])

    # ---- reads ---------------------------------------------------------------------

    def get_payment_details(self, bundle_id: int) -> PaymentDetails:
        """The seed's bundle details. A bundle without a payment record gets one now."""
        with self.db.read() as session:
            details = views.details(session, bundle_id, self.currency(), self.clock.today())
        if details is not None:
            return details
        now, today = self.clock.now(), self.clock.today()
        with self.db.write() as session:
            bundle = get_bundle(session, bundle_id, lock=True)
            if payment_record(session, bundle_id) is None:
                create_payment_record(session, bundle, now, today)
            return self._details(session, bundle_id)

    def get_payment_record(self, payment_id: int) -> PaymentDetails:
        return self.get_payment_details(self._bundle_of_payment(payment_id))

    def list_payments(
        self,
        *,
        status: str | None = None,
        writer: str | int | None = None,
        search: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[PaymentSummary]:
        """Newest bundle first, filtered in SQL."""
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidInput(f"The limit must be between 1 and {MAX_PAGE}, not {limit}.")
        if offset < 0:
            raise InvalidInput("The offset cannot be negative.")
        if status is not None and status not in LIST_STATUSES:
            raise InvalidInput(f"{status!r} is not a status; use one of {', '.join(sorted(LIST_STATUSES))}.")
        today = self.clock.today()
        with self.db.read() as session:
            query = views.summary_query()
            if status == "overdue":
                query = query.where(
                    ClassPayment.next_due_date < today,
                    ClassPayment.client_payment_status.not_in(views.SETTLED),
                )
            elif status is not None:
                query = query.where(ClassPayment.client_payment_status == ClientPaymentStatus(status))
            if writer is not None:
                query = query.where(ClassBundle.writer_id == catalog.find_writer(session, writer).id)
            if search:
                query = query.where(_search_clause(search))
            rows = session.execute(query.order_by(ClassBundle.id.desc()).limit(limit).offset(offset)).all()
            return views.summaries(session, rows, self.currency(), today)

    def get_writer_class_payments(self, writer_ref: str | int) -> list[WriterClassPayment]:
        """The seed's writer dashboard: the writer's bundles, without client amounts."""
        with self.db.read() as session:
            writer = catalog.find_writer(session, writer_ref)
            return views.writer_class_payments(session, writer.id, self.clock.today())

    def check(self) -> CheckReport:
        """Prove every stored summary equals the ledger and the audit chain is unbroken."""
        with self.db.read() as session:
            return run_check(session)

    # ---- internals -----------------------------------------------------------------

    def _details(self, session: Session, bundle_id: int) -> PaymentDetails:
        details = views.details(session, bundle_id, self.currency(), self.clock.today())
        if details is None:
            get_bundle(session, bundle_id)  # raises NotFound for an unknown bundle
            raise NotFound(f"Bundle {bundle_id} has no payment record yet.")
        return details

    def _bundle_of_payment(self, payment_id: int) -> int:
        with self.db.read() as session:
            bundle_id = session.scalar(select(ClassPayment.bundle_id).where(ClassPayment.id == payment_id))
        if bundle_id is None:
            raise NotFound(f"There is no payment record {payment_id}.")
        return bundle_id

    def _received_at(self, received_on: date | None) -> datetime:
        today = self.clock.today()
        if received_on is None or received_on == today:
            return self.clock.now()
        if received_on > today:
            raise InvalidInput(f"The payment date {received_on.isoformat()} is in the future.")
        # Noon UTC keeps the calendar date the same in every office time zone.
        return datetime.combine(received_on, time(12, 0), tzinfo=UTC)

    def _settle(self, session: Session, state: BundleState) -> BundleState:
        """Recompute the summary from the ledger and schedule a writer payout if one is due."""
        now, today = self.clock.now(), self.clock.today()
        state = load_state(session, state.bundle, state.payment)
        recompute_client(session, state, today)
        recompute_writer(session, state.bundle, state.payment)
        schedule_due_payouts(session, state.bundle, state.payment, office_settings(session), now, today)
        recompute_writer(session, state.bundle, state.payment)
        state.payment.updated_at = now
        session.flush()
        return state

    def _write_bundle(
        self,
        ctx: OperatorContext,
        bundle_id: int,
        change: Callable[[Session, BundleState], None],
        *,
        action: str | None,
    ) -> PaymentDetails:
        """Lock the bundle, apply ``change``, recompute, audit what changed, in one transaction."""

        def run(session: Session) -> PaymentDetails:
            now, today = self.clock.now(), self.clock.today()
            state = locked_state(session, bundle_id, now, today)
            before = _audit_summary(self._details(session, bundle_id))
            change(session, state)
            self._settle(session, state)
            details = self._details(session, bundle_id)
            after = _audit_summary(details)
            if action is not None and after != before:
                record_event(session, ctx, now, action, "bundle", bundle_id, before=before, after=after)
            return details

        return self._write_retrying(run)

    def _write_retrying(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in one write transaction. A unique-key race lost to another
        operator (PostgreSQL) is retried once, when the winner's row is visible."""
        try:
            with self.db.write() as session:
                return work(session)
        except IntegrityError:
            with self.db.write() as session:
                return work(session)

    def _replay(
        self,
        session: Session,
        existing: OrderPayment,
        bundle_id: int,
        amount: Decimal,
        kind: PaymentKind,
        installment_number: int | None,
    ) -> PaymentResult:
        """A reference already recorded: the same payment again is a safe retry, anything else a conflict."""
        same = (
            existing.bundle_id == bundle_id
            and existing.amount == amount
            and existing.kind is kind
            and existing.target_installment == installment_number
        )
        if not same:
            raise Conflict(
                f"Reference {existing.reference} was already used for {_with_article(existing.kind.value)} of "
                f"{format_money(existing.amount)} on bundle {existing.bundle_id}; use a new reference."
            )
        details = self._details(session, existing.bundle_id)
        payment_out = next(item for item in details.ledger if item.id == existing.id)
        return PaymentResult(
            created=False,
            payment=payment_out,
            effect=f"Reference {existing.reference} was already recorded; nothing changed.",
            balance_before=details.balance_remaining,
            balance_after=details.balance_remaining,
            details=details,
        )


def _refuse_compensation_below_payouts(state: BundleState) -> None:
    payment = state.payment
    committed = payment.writer_paid_amount + payment.writer_scheduled_amount
    if payment.writer_id is not None and payment.writer_compensation_amount < committed:
        raise Refused(
            f"The compensation would be {format_money(payment.writer_compensation_amount)}, less than the "
            f"{format_money(committed)} already paid or scheduled to the writer; cancel a payout first."
        )


def _with_article(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def _search_clause(text: str):  # type: ignore[no-untyped-def]
    term = text.strip()
    pattern = f"%{term.lower()}%"
    clauses = [
        func.lower(Client.name).like(pattern),
        func.lower(ClassBundle.title).like(pattern),
        func.lower(Writer.username).like(pattern),
    ]
    if term.isdigit():
        clauses.append(ClassBundle.id == int(term))
    return or_(*clauses)


def _audit_summary(details: PaymentDetails) -> dict[str, object]:
    keys = (
        "amount_paid",
        "balance_remaining",
        "deposit_paid",
        "client_payment_status",
        "paid_installments",
        "assigned_writer_username",
        "writer_compensation_amount",
        "writer_paid_amount",
        "writer_scheduled_amount",
        "writer_payment_status",
    )
    dumped = details.model_dump(mode="json", include=set(keys))
    return {key: dumped[key] for key in keys}


def describe_effect(allocations: list[Allocation], details: PaymentDetails, balance_before: Decimal) -> str:
    """ "installment 2 of 4 paid; balance 400.00 → 200.00"."""
    by_number = {item.installment_number: item for item in details.installments}
    parts = []
    for allocation in allocations:
        slot = allocation.slot
        if slot.kind is SlotKind.INSTALLMENT:
            item = by_number[slot.number]
            name = f"installment {slot.number} of {details.total_installments}"
            if item.is_paid:
                parts.append(f"{name} paid")
            else:
                parts.append(f"{format_money(allocation.amount)} to {name} ({format_money(item.remaining)} still owed)")
        elif slot.kind is SlotKind.DEPOSIT:
            owed = details.deposit_amount - details.deposit_paid
            parts.append("deposit paid" if owed == ZERO else f"{format_money(allocation.amount)} to the deposit")
        else:
            parts.append(f"{format_money(allocation.amount)} to the balance")
    parts.append(f"balance {format_money(balance_before)} → {format_money(details.balance_remaining)}")
    return "; ".join(parts)
