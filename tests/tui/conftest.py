"""The terminal app on a real SQLite file, with a fixed clock (2024-01-15) and a small,
deterministic office: four bundles in four different states, two writers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from textual.pilot import Pilot
from textual.worker import WorkerState

from classpay_tui.domain.plans import Frequency
from classpay_tui.domain.statuses import Role
from classpay_tui.services import ClassPaymentService, OperatorContext
from classpay_tui.services.schemas import BundleIn, PlanIn, WriterIn
from classpay_tui.tui.app import ClasspayApp
from tests.builders import pay


def bundle(
    service: ClassPaymentService,
    ctx: OperatorContext,
    client: str,
    title: str,
    total: str,
    *,
    deposit: str = "0",
    count: int = 0,
    first_due: date | None = None,
    writer: str | None = None,
) -> int:
    plan = PlanIn(count=count, first_due=first_due, every=Frequency.MONTH) if count else None
    data = BundleIn(
        client_name=client,
        title=title,
        number_of_classes=10,
        total_amount=Decimal(total),
        deposit_amount=Decimal(deposit),
        plan=plan,
        writer=writer,
    )
    return service.create_bundle(ctx, data).bundle_id


@pytest.fixture
def office(sqlite_service: ClassPaymentService, admin: OperatorContext) -> dict[str, int]:
    """Bundle ids by client: Dana (the seed's example: deposit and installment 1 paid),
    Eli (overdue, nothing paid), Fay (paid in full), Gus (deposit unpaid, no writer)."""
    service = sqlite_service
    service.add_writer(admin, WriterIn(username="ann", display_name="Ann Writer"))
    service.add_writer(admin, WriterIn(username="ben", display_name="Ben Writer", percent=Decimal("50")))
    dana = bundle(
        service, admin, "Dana Client", "Essay Writing", "1000.00",
        deposit="200.00", count=4, first_due=date(2024, 1, 15), writer="ann",
    )  # fmt: skip
    eli = bundle(
        service, admin, "Eli Overdue", "Thesis Coaching", "800.00",
        count=4, first_due=date(2023, 11, 1), writer="ben",
    )  # fmt: skip
    fay = bundle(service, admin, "Fay Paid", "Poetry Masterclass", "500.00", writer="ann")
    gus = bundle(
        service, admin, "Gus New", "Research Paper Workshop", "1200.00",
        deposit="300.00", count=3, first_due=date(2024, 2, 1),
    )  # fmt: skip
    pay(service, admin, dana, "200.00", reference="DEP-1", deposit=True)
    pay(service, admin, dana, "200.00", reference="INST-1", installment_number=1)
    pay(service, admin, fay, "500.00", reference="FAY-1")
    return {"dana": dana, "eli": eli, "fay": fay, "gus": gus}


def make_app(service: ClassPaymentService, ctx: OperatorContext) -> ClasspayApp:
    return ClasspayApp(service, ctx, cursor_blink=False)


@pytest.fixture
def writer_ann(sqlite_service: ClassPaymentService, office: dict[str, int]) -> OperatorContext:
    ann = sqlite_service.get_writer(OperatorContext(login="alice"), "ann")
    return OperatorContext(login="ann", role=Role.WRITER, writer_id=ann.id)


async def settle(pilot: Pilot[object]) -> None:
    """Wait until every worker is done and the screen has caught up (never a sleep)."""
    app = pilot.app
    for _ in range(50):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.state in (WorkerState.PENDING, WorkerState.RUNNING) for worker in app.workers):
            return
    raise AssertionError("workers never settled")


async def until(pilot: Pilot[object], condition: Callable[[], bool], what: str) -> None:
    """Let the app run until ``condition`` holds (never a sleep): for what the app does
    after a refresh (``call_after_refresh``), which comes when the screen is next painted,
    a moment after the workers are done on a busy machine."""
    for _ in range(100):
        if condition():
            return
        await pilot.pause()
    raise AssertionError(f"never happened: {what}")


async def keys(pilot: Pilot[object], *pressed: str) -> None:
    """Press keys one at a time, letting each one's database work finish, as a person would."""
    for key in pressed:
        await pilot.press(key)
        await settle(pilot)


@pytest.fixture
def late_office(sqlite_service: ClassPaymentService, office: dict[str, int], admin: OperatorContext) -> dict[str, int]:
    """The office, plus Hana (bundle 5, email and phone; paid in September, October and half
    of November's installment in December, so 150.00 is 56 days late) and a batch of
    reminders made for Eli's oldest installment on 2024-01-05 (level 1): enough for the
    overdue screen's levels and for every report to have bars."""
    from classpay_tui.services.schemas import PaymentIn

    service = sqlite_service
    hana = service.create_bundle(
        admin,
        BundleIn(
            client_name="Hana Late",
            title="Dissertation Review",
            number_of_classes=6,
            total_amount=Decimal("900.00"),
            plan=PlanIn(count=3, first_due=date(2023, 9, 20), every=Frequency.MONTH),
            writer="ben",
            client_email="hana@example.com",
            client_phone="+1 555 0100",
        ),
    ).bundle_id
    for day, amount, reference in (
        (date(2023, 9, 18), "300.00", "HANA-SEP"),
        (date(2023, 10, 25), "300.00", "HANA-OCT"),
        (date(2023, 12, 4), "150.00", "HANA-DEC"),
    ):
        service.record_payment(admin, hana, PaymentIn(amount=Decimal(amount), reference=reference, received_on=day))
    eli_first = service.overdue(admin, date(2024, 1, 5), bundle_ids=[office["eli"]])[0]
    service.make_reminders(admin, date(2024, 1, 5), installment_ids=[eli_first.installment_id])
    return {**office, "hana": hana}
