"""What a large demo database holds, decided in memory from one seeded random generator:
writers, clients, bundles with their installment plans, and each bundle's payment history
(deposits, installments paid on time, late, in two parts or not at all, payments to the
bundle, refunds). Every history is valid by construction: the deposit before any
installment, never more than is owed, never a refund of more than was paid."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from classpay_tui.domain.money import CENT, ZERO
from classpay_tui.domain.plans import Frequency, PlannedInstallment, even_plan
from classpay_tui.domain.statuses import BundleStatus, PaymentKind, PaymentMethod, PayoutMode
from classpay_tui.services.demo_names import (
    COURSES,
    FIRST_NAMES,
    LAST_NAMES,
    MORE_COURSES,
    MORE_FIRST_NAMES,
    MORE_LAST_NAMES,
    WRITERS,
)

YEARS = 3
METHODS = tuple(PaymentMethod)
INITIALS = "ABCDEFGHIJKLMNOPRSTVW"


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


@dataclass(frozen=True)
class WriterSpec:
    username: str
    display_name: str
    percent: Decimal | None
    per_class: Decimal | None


@dataclass(frozen=True)
class ClientSpec:
    name: str
    email: str
    phone: str


@dataclass
class BundleSpec:
    client: int  # index into the client list
    title: str
    classes: int
    total: Decimal
    deposit: Decimal
    status: BundleStatus
    writer: str | None
    payout_mode: PayoutMode | None
    override: Decimal | None
    started: date
    created_at: datetime
    plan: list[PlannedInstallment] = field(default_factory=list)
    diligence: float = 1.0


@dataclass(frozen=True)
class PaymentSpec:
    kind: PaymentKind
    amount: Decimal
    target: int | None
    on: date
    method: PaymentMethod


def writers(count: int, rng: random.Random) -> list[WriterSpec]:
    """The five sample writers, then more (about one per thousand bundles)."""
    specs = [WriterSpec(u, name, percent, per_class) for u, name, percent, per_class in WRITERS]
    taken = {spec.username for spec in specs}
    firsts, lasts = FIRST_NAMES + MORE_FIRST_NAMES, LAST_NAMES + MORE_LAST_NAMES
    while len(specs) < count:
        first, last = rng.choice(firsts), rng.choice(lasts)
        username = f"{first[0]}{last}".lower()
        suffix = 2
        while username in taken:
            username, suffix = f"{first[0]}{last}{suffix}".lower(), suffix + 1
        taken.add(username)
        rule = rng.random()
        percent = Decimal(rng.choice((50, 55, 60, 65))) if rule < 0.5 else None
        per_class = Decimal(rng.choice((35, 40, 45, 50))) if 0.5 <= rule < 0.8 else None
        specs.append(WriterSpec(username, f"{first} {last}", percent, per_class))
    return specs


def clients(count: int, rng: random.Random) -> list[ClientSpec]:
    """``count`` clients with distinct names (first name, middle initial, last name)."""
    firsts, lasts = FIRST_NAMES + MORE_FIRST_NAMES, LAST_NAMES + MORE_LAST_NAMES
    seen: set[str] = set()
    specs = []
    while len(specs) < count:
        first, initial, last = rng.choice(firsts), rng.choice(INITIALS), rng.choice(lasts)
        name = f"{first} {initial}. {last}"
        if name in seen:
            if len(seen) >= len(firsts) * len(INITIALS) * len(lasts):
                name = f"{name} {len(specs)}"
            else:
                continue
        seen.add(name)
        email = f"{first}.{initial}.{last}@example.com".lower()
        specs.append(ClientSpec(name, email, f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}"))
    return specs


def bundle(rng: random.Random, client_count: int, writer_names: list[str], today: date) -> BundleSpec:
    classes = rng.choice((4, 6, 8, 10, 12, 16, 20))
    total = Decimal(classes * rng.choice((60, 75, 80, 95, 100, 120))).quantize(CENT)
    share = rng.choice((Decimal("0"), Decimal("0.1"), Decimal("0.2"), Decimal("0.25"), Decimal("0.3")))
    deposit = (total * share).quantize(Decimal("1")).quantize(CENT)
    started = today - timedelta(days=rng.randint(-30, 365 * YEARS))
    created = min(noon(today), noon(started - timedelta(days=rng.randint(1, 14))))
    if started > today:
        status = BundleStatus.NOT_STARTED
    elif rng.random() < 0.015:
        status = BundleStatus.CANCELLED
    elif started + timedelta(weeks=classes) < today:
        status = BundleStatus.COMPLETED
    else:
        status = BundleStatus.IN_PROGRESS
    spec = BundleSpec(
        client=rng.randrange(client_count),
        title=rng.choice(COURSES + MORE_COURSES),
        classes=classes,
        total=total,
        deposit=deposit,
        status=status,
        writer=rng.choice(writer_names) if rng.random() < 0.85 else None,
        payout_mode=PayoutMode.PER_INSTALLMENT if rng.random() < 0.1 else None,
        override=(total * Decimal("0.5")).quantize(CENT) if rng.random() < 0.03 else None,
        started=started,
        created_at=created,
        diligence=rng.random(),
    )
    count = 0 if rng.random() < 0.04 else rng.choice((2, 3, 4, 4, 5, 6))
    if count and total > deposit:
        every = rng.choice(list(Frequency))
        spec.plan = even_plan(total - deposit, count, started + timedelta(days=14), every)
    return spec


class History:
    """Builds one bundle's payments in the order they were received."""

    def __init__(self, rng: random.Random, today: date, start: date) -> None:
        self.rng, self.today, self.last = rng, today, start
        self.payments: list[PaymentSpec] = []
        self.paid = ZERO

    def pay(self, kind: PaymentKind, amount: Decimal, on: date, target: int | None = None) -> None:
        self.last = min(self.today, max(self.last, on))
        self.payments.append(PaymentSpec(kind, amount, target, self.last, self.rng.choice(METHODS)))
        self.paid += -amount if kind is PaymentKind.REFUND else amount


def history(spec: BundleSpec, rng: random.Random, today: date) -> list[PaymentSpec]:
    """Most clients pay the deposit and every installment due; some fall behind (overdue),
    pay an installment in two parts, pay the bundle rather than an installment, or get
    money back."""
    if spec.diligence < 0.04 or spec.started > today:
        return []  # has not paid anything yet
    made = History(rng, today, spec.started)
    if spec.deposit > ZERO:
        if rng.random() < 0.05:
            half = (spec.deposit / 2).quantize(CENT)
            made.pay(PaymentKind.DEPOSIT, half, spec.started)
            if spec.diligence < 0.25:
                return made.payments
            made.pay(PaymentKind.DEPOSIT, spec.deposit - half, spec.started + timedelta(days=7))
        else:
            made.pay(PaymentKind.DEPOSIT, spec.deposit, spec.started)
    if not spec.plan:
        balance = spec.total - spec.deposit
        if balance > ZERO and spec.diligence > 0.3:
            made.pay(PaymentKind.PAYMENT, balance, spec.started + timedelta(days=rng.randint(1, 30)))
    for item in spec.plan:
        if item.due_date > today or (spec.diligence < 0.18 and rng.random() < 0.4):
            break  # not due yet, or the client fell behind: overdue from here
        on = item.due_date - timedelta(days=rng.randint(-4, 5))
        roll = rng.random()
        if roll < 0.25:
            half = (item.amount / 2).quantize(CENT)
            made.pay(PaymentKind.INSTALLMENT, half, on, item.number)
            if rng.random() < 0.1:
                break  # the second half never came
            made.pay(PaymentKind.INSTALLMENT, item.amount - half, on + timedelta(days=rng.randint(3, 12)), item.number)
        elif roll < 0.35:
            made.pay(PaymentKind.PAYMENT, item.amount, on)  # to the bundle: the oldest installment due
        else:
            made.pay(PaymentKind.INSTALLMENT, item.amount, on, item.number)
    refund_chance = 0.5 if spec.status is BundleStatus.CANCELLED else 0.03
    if made.paid > ZERO and rng.random() < refund_chance:
        amount = made.paid if rng.random() < 0.5 else max(CENT, (made.paid * Decimal("0.3")).quantize(CENT))
        made.pay(PaymentKind.REFUND, amount, made.last + timedelta(days=rng.randint(1, 20)))
    return made.payments
