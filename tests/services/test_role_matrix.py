"""Every service method × every role: what a role may not do never succeeds, and a writer
reads only their own writer-facing data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from classpay_tui.domain.errors import ClasspayError, PermissionDenied
from classpay_tui.domain.statuses import Role
from classpay_tui.services import ClassPaymentService, OperatorContext
from classpay_tui.services.list_schemas import ListQuery, PageRequest
from classpay_tui.services.schemas import BatchLine, BundleIn, PaymentIn, WriterIn
from tests.builders import pay, seed_bundle, writer

EXAMPLES = Path(__file__).parents[2] / "examples" / "import"
ADMIN, STAFF, OWN_WRITER, OTHER_WRITER = "admin", "staff", "own writer", "other writer"
EVERYONE = {ADMIN, STAFF, OWN_WRITER, OTHER_WRITER}
DESK = {ADMIN, STAFF}


class World:
    """A bundle of writer1 (the "own" writer), paid in full, with a scheduled payout."""

    def __init__(self, service: ClassPaymentService) -> None:
        admin = OperatorContext("alice", Role.ADMIN)
        own = writer(service, admin, "writer1")
        other = writer(service, admin, "writer2")
        self.bundle = seed_bundle(service, admin)
        self.second = seed_bundle(service, admin, writer_name="writer2")
        paid = pay(service, admin, self.bundle.bundle_id, "1000.00")
        self.payment_id = paid.payment.id
        self.payout_id = paid.details.writer_payments[0].id
        self.extra_payout = service.schedule_writer_payment(admin, self.second.id, Decimal("10.00")).id
        self.ctx = {
            ADMIN: admin,
            STAFF: OperatorContext("sam", Role.STAFF),
            OWN_WRITER: OperatorContext("wendy", Role.WRITER, writer_id=own),
            OTHER_WRITER: OperatorContext("walt", Role.WRITER, writer_id=other),
        }
        service.add_first_admin("alice")
        service.add_operator(admin, "bob", "staff")


def payment(reference: str, amount: str = "1.00") -> PaymentIn:
    return PaymentIn(amount=Decimal(amount), reference=reference)


# (method, who may call it, call(service, world, ctx))
CALLS: list[tuple[str, set[str], Callable[[ClassPaymentService, World, OperatorContext], object]]] = [
    ("add_writer", DESK, lambda s, w, c: s.add_writer(c, WriterIn(username=f"new{c.login}"))),
    (
        "create_bundle",
        DESK,
        lambda s, w, c: s.create_bundle(
            c, BundleIn(client_name="X", title="T", number_of_classes=1, total_amount=Decimal("10.00"))
        ),
    ),
    ("create_payment_for_bundle", DESK, lambda s, w, c: s.create_payment_for_bundle(c, w.bundle.bundle_id)),
    ("assign_writer", DESK, lambda s, w, c: s.assign_writer(c, w.second.bundle_id, "writer2")),
    ("record_payment", DESK, lambda s, w, c: s.record_payment(c, w.second.bundle_id, payment(f"P-{c.login}"))),
    (
        "record_payments",
        DESK,
        lambda s, w, c: s.record_payments(
            c, [BatchLine(bundle_id=w.second.bundle_id, payment=payment(f"B-{c.login}"))]
        ),
    ),
    (
        "record_installment_payment",
        DESK,
        lambda s, w, c: s.record_installment_payment(c, w.second.installments[0].id, payment(f"I-{c.login}")),
    ),
    ("reprice", {ADMIN}, lambda s, w, c: s.reprice(c, w.bundle.bundle_id, total=Decimal("1000.00"))),
    ("set_compensation", {ADMIN}, lambda s, w, c: s.set_compensation(c, w.bundle.bundle_id, Decimal("700.00"))),
    ("refund", {ADMIN}, lambda s, w, c: s.refund(c, w.bundle.bundle_id, payment(f"R-{c.login}"))),
    ("reverse_payment", {ADMIN}, lambda s, w, c: s.reverse_payment(c, w.payment_id, "test")),
    ("refresh_status", {ADMIN}, lambda s, w, c: s.refresh_status(c, w.bundle.id)),
    ("schedule_writer_payment", {ADMIN}, lambda s, w, c: s.schedule_writer_payment(c, w.second.id, Decimal("1.00"))),
    ("pay_payout", {ADMIN}, lambda s, w, c: s.pay_payout(c, w.payout_id, f"T-{c.login}")),
    ("cancel_payout", {ADMIN}, lambda s, w, c: s.cancel_payout(c, w.extra_payout)),
    ("run_payouts", {ADMIN}, lambda s, w, c: s.run_payouts(c, date(2024, 12, 31), reference_prefix=c.login)),
    ("set_payout_mode", {ADMIN}, lambda s, w, c: s.set_payout_mode(c, "per_installment")),
    ("add_operator", {ADMIN}, lambda s, w, c: s.add_operator(c, f"op{c.login}", "staff")),
    ("list_operators", {ADMIN}, lambda s, w, c: s.list_operators(c)),
    ("set_operator_active", {ADMIN}, lambda s, w, c: s.set_operator_active(c, "bob", False)),
    ("audit_events", {ADMIN}, lambda s, w, c: s.audit_events(c)),
    ("import_files", {ADMIN}, lambda s, w, c: s.import_files(c, sorted(EXAMPLES.iterdir()))),
    ("backup", {ADMIN}, lambda s, w, c: s.backup(c, Path(s.db.url.database).with_name(f"copy-{c.login}.db"))),
    ("get_payment_details", DESK, lambda s, w, c: s.get_payment_details(c, w.bundle.bundle_id)),
    ("get_payment_record", DESK, lambda s, w, c: s.get_payment_record(c, w.bundle.id)),
    ("list_payments", DESK, lambda s, w, c: s.list_payments(c)),
    ("bundle_list_page", DESK, lambda s, w, c: s.bundle_list_page(c, ListQuery(), PageRequest())),
    ("list_writers", DESK, lambda s, w, c: s.list_writers(c)),
    ("payout_mode", DESK, lambda s, w, c: s.payout_mode(c)),
    ("check", DESK, lambda s, w, c: s.check(c)),
    ("get_writer (writer1)", DESK | {OWN_WRITER}, lambda s, w, c: s.get_writer(c, "writer1")),
    (
        "get_writer_class_payments (writer1)",
        DESK | {OWN_WRITER},
        lambda s, w, c: s.get_writer_class_payments(c, "writer1"),
    ),
    ("list_payouts (writer1)", DESK | {OWN_WRITER}, lambda s, w, c: s.list_payouts(c, writer="writer1")),
    ("list_payouts (all)", DESK | {OWN_WRITER, OTHER_WRITER}, lambda s, w, c: s.list_payouts(c)),
    ("writer_bundle_page (writer1)", DESK | {OWN_WRITER}, lambda s, w, c: s.writer_bundle_page(c, "writer1")),
    ("writer_payout_page (writer1)", DESK | {OWN_WRITER}, lambda s, w, c: s.writer_payout_page(c, "writer1")),
    ("writer_totals", EVERYONE, lambda s, w, c: s.writer_totals(c)),
    ("overdue", DESK, lambda s, w, c: s.overdue(c, date(2024, 6, 1))),
    ("aging_report", DESK, lambda s, w, c: s.aging_report(c, date(2024, 6, 1))),
    ("collections_report", DESK, lambda s, w, c: s.collections_report(c)),
    ("reminder_template", DESK, lambda s, w, c: s.reminder_template(c)),
    ("set_reminder_template", {ADMIN}, lambda s, w, c: s.set_reminder_template(c, "Subject: Hi\n\nDear {client_name}")),
    ("preview_reminders", DESK, lambda s, w, c: s.preview_reminders(c)),
    ("make_reminders", DESK, lambda s, w, c: s.make_reminders(c)),
    (
        "export_data (bundles)",
        DESK,
        lambda s, w, c: s.export_data(c, "bundles", Path(s.db.url.database).with_name(f"b-{c.login}.csv")),
    ),
    (
        "export_data (audit)",
        {ADMIN},
        lambda s, w, c: s.export_data(c, "audit", Path(s.db.url.database).with_name(f"a-{c.login}.json")),
    ),
]


def public_methods() -> set[str]:
    return {
        name
        for name in dir(ClassPaymentService)
        if not name.startswith("_") and callable(getattr(ClassPaymentService, name))
    }


def test_the_matrix_covers_every_method_that_needs_an_operator():
    covered = {name.split(" ")[0] for name, _, _ in CALLS}
    no_operator_needed = {
        "initialize",
        "schema_revision",
        "require_current_schema",
        "operator",
        "add_first_admin",
        "currency",
        "suggest_reference",
        "update_payment_status",  # the seed's name for refresh_status: the same function
    }
    assert public_methods() - covered - no_operator_needed == set()


@pytest.mark.parametrize(("name", "allowed", "call"), CALLS, ids=[c[0] for c in CALLS])
def test_role_matrix(sqlite_service, name, allowed, call):
    service = sqlite_service
    service.initialize()
    world = World(service)
    for role in sorted(EVERYONE - allowed):  # the forbidden roles first: nothing may change
        before = service.get_payment_details(world.ctx[ADMIN], world.bundle.bundle_id).model_dump()
        with pytest.raises(PermissionDenied):
            call(service, world, world.ctx[role])
        assert service.get_payment_details(world.ctx[ADMIN], world.bundle.bundle_id).model_dump() == before
    for role in sorted(allowed):
        try:
            call(service, world, world.ctx[role])
        except PermissionDenied:  # pragma: no cover - the failure this test exists for
            pytest.fail(f"{role} was refused {name}")
        except ClasspayError:
            pass  # a rule refused it (already paid, already reversed): permission was granted


def test_a_writer_sees_only_their_own_data(sqlite_service):
    service = sqlite_service
    service.initialize()
    world = World(service)
    own, other = world.ctx[OWN_WRITER], world.ctx[OTHER_WRITER]
    [entry] = service.get_writer_class_payments(own, "writer1")
    dumped = entry.model_dump(mode="json")
    for client_key in ("client_name", "client_id", "total_amount", "balance_remaining", "ledger", "deposit_amount"):
        assert client_key not in dumped
    assert all(set(item) == {"installment_number", "due_date", "is_paid", "status"} for item in dumped["installments"])
    assert {p.writer_username for p in service.list_payouts(own)} == {"writer1"}
    assert {p.writer_username for p in service.list_payouts(other)} == {"writer2"}
    assert [t.username for t in service.writer_totals(own)] == ["writer1"]
    with pytest.raises(PermissionDenied, match="only their own"):
        service.get_writer_class_payments(other, "writer1")
