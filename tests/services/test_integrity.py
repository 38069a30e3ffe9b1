"""``check``: stored summaries equal the ledger, the audit chain is whole, and the
schema the migrations build is the schema the models describe."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import text

from classpay_tui.db.migrate import current_revision, head_revision
from tests.builders import pay, seed_bundle, writer


def seeded(service, admin):
    writer(service, admin)
    bundle = seed_bundle(service, admin)
    pay(service, admin, bundle.bundle_id, "200.00", deposit=True)
    pay(service, admin, bundle.bundle_id, "200.00", installment_number=1)
    return bundle


def test_clean_database_passes(service, admin):
    seeded(service, admin)
    report = service.check(admin)
    assert report.ok, report.problems
    assert (report.bundles_checked, report.payments_checked) == (1, 2)


def test_edited_ledger_row_is_caught(service, admin):
    bundle = seeded(service, admin)
    with service.db.engine.begin() as connection:
        connection.execute(
            text("UPDATE order_payments SET amount = 15000 WHERE reference LIKE 'REF-%' AND kind = 'deposit'")
        )
    problems = service.check(admin).problems
    assert any("allocations add up to 200.00, not 150.00" in p for p in problems), problems
    assert bundle.bundle_id


def test_edited_summary_is_caught(service, admin):
    bundle = seeded(service, admin)
    with service.db.engine.begin() as connection:
        connection.execute(text("UPDATE class_payments SET amount_paid = 50000, balance_remaining = 50000"))
    problems = service.check(admin).problems
    assert f"bundle {bundle.bundle_id} amount paid: stored 500.00, ledger says 400.00" in problems


def test_edited_audit_event_is_caught(service, admin):
    seeded(service, admin)
    with service.db.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE id = 2"))
    problems = service.check(admin).problems
    assert len(problems) == 1 and problems[0].startswith("audit event 2 ")


def test_deleted_audit_event_is_caught(service, admin):
    seeded(service, admin)
    with service.db.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE id = 2"))
    assert service.check(admin).problems[0].startswith("audit event 3 ")


def test_refresh_repairs_a_drifted_summary(service, admin):
    bundle = seeded(service, admin)
    with service.db.engine.begin() as connection:
        connection.execute(text("UPDATE class_payment_installments SET paid_amount = 0, status = 'pending'"))
    assert not service.check(admin).ok
    details = service.refresh_status(admin, bundle.id)
    assert details.paid_installments == 1
    assert service.check(admin).ok


def test_migrations_build_exactly_the_models(service):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from classpay_tui.db.migrate import described_by_models
    from classpay_tui.db.models import Base

    assert current_revision(service.db.engine) == head_revision()
    with service.db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": described_by_models})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_initialize_twice_keeps_the_settings(service):
    assert service.initialize(currency="EUR") is False
    assert service.currency() == "USD"


def enum_columns() -> list[tuple[str, str, str]]:
    from sqlalchemy import Enum

    from classpay_tui.db.models import Base

    return [
        (table.name, column.name, column.type.name)
        for table in Base.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, Enum)
    ]


def test_every_enum_column_refuses_a_value_outside_its_enum(service, admin):
    """The CHECK constraints written as comparisons (migration 0009) still hold every
    stored enum to its values: each refusal names the enum's own constraint."""
    from sqlalchemy.exc import IntegrityError

    writer(service, admin, percent=Decimal("50"))  # a rule of its own: only the enum's check can fail
    bundle = seed_bundle(service, admin)
    pay(service, admin, bundle.bundle_id, "200.00", deposit=True)  # the first allocation: no installment
    pay(service, admin, bundle.bundle_id, "800.00")  # paid in full: a writer payout is scheduled
    service.add_operator(admin, "bob", "staff")
    columns = enum_columns()
    assert len(columns) == 15
    for table, column, enum_name in columns:
        with service.db.engine.connect() as connection:
            assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar(), table
            try:
                connection.execute(
                    text(f"UPDATE {table} SET {column} = 'not-a-value' WHERE id = (SELECT min(id) FROM {table})")
                )
            except IntegrityError as error:
                assert f"ck_{table}_{enum_name}" in str(error)
            else:
                raise AssertionError(f"{table}.{column} took a value outside its enum")


# Each stored value edited behind the service's back, and every sentence ``check`` says of
# it: the seeded bundle (1000.00, deposit 200.00 and installment 1 of 4 paid), bundle 1.
EDITED = [
    (
        "UPDATE class_payments SET total_amount = 90000, balance_remaining = 50000",
        [
            "bundle 1 total: stored 900.00, ledger says 1000.00",
            "bundle 1 balance_remaining: stored 500.00, ledger says 600.00",
        ],
    ),
    ("UPDATE class_payments SET deposit_amount = 25000", ["bundle 1 deposit: stored 250.00, ledger says 200.00"]),
    ("UPDATE class_payments SET deposit_paid = 0", ["bundle 1 deposit_paid: stored 0.00, ledger says 200.00"]),
    ("UPDATE class_payments SET refunded_amount = 500", ["bundle 1 refunded: stored 5.00, ledger says 0.00"]),
    (
        "UPDATE class_payments SET client_payment_status = 'paid'",
        ["bundle 1 client_payment_status: stored paid, ledger says partial"],
    ),
    (
        "UPDATE class_payments SET paid_installments = 3, total_installments = 5",
        ["bundle 1 paid_installments: stored 3, ledger says 1", "bundle 1 total_installments: stored 5, ledger says 4"],
    ),
    (
        "UPDATE class_payments SET writer_paid_amount = 100, writer_scheduled_amount = 200",
        [
            "bundle 1 writer_paid_amount: stored 1.00, ledger says 0.00",
            "bundle 1 writer scheduled: stored 2.00, ledger says 0.00",
        ],
    ),
    ("UPDATE class_payments SET writer_id = NULL", ["bundle 1 writer: stored None, ledger says 1"]),
    (
        "UPDATE class_payment_installments SET paid_amount = 100 WHERE paid_amount > 0",
        ["bundle 1 installment 1 paid amount: stored 1.00, ledger says 200.00"],
    ),
    (
        "UPDATE class_payment_installments SET status = 'paid'",
        [f"bundle 1 installment {number} status: stored paid, ledger says pending" for number in (2, 3, 4)],
    ),
    (
        "UPDATE payment_allocations SET amount = 30000 WHERE slot = 'deposit'",
        [
            "payment 1 on bundle 1: allocations add up to 300.00, not 200.00",
            "bundle 1: the deposit holds 300.00 of 200.00",
            "bundle 1 deposit_paid: stored 200.00, ledger says 300.00",
            "bundle 1 amount paid: stored 400.00, ledger says 500.00",
            "bundle 1 balance_remaining: stored 600.00, ledger says 500.00",
        ],
    ),
]


@pytest.mark.parametrize(("edit", "said"), EDITED, ids=[edit.split(" SET ")[1] for edit, _ in EDITED])
def test_every_edited_value_is_said_once_in_its_own_words(service, admin, edit, said):
    seeded(service, admin)
    with service.db.engine.begin() as connection:
        connection.execute(text(edit))
    assert service.check(admin).problems == said


def test_more_paid_or_scheduled_to_the_writer_than_the_compensation_is_caught(service, admin):
    bundle = seeded(service, admin)
    for number in (2, 3, 4):  # paid in full: the writer's 600.00 is scheduled
        pay(service, admin, bundle.bundle_id, "200.00", installment_number=number)
    assert service.check(admin).ok
    with service.db.engine.begin() as connection:
        connection.execute(text("UPDATE class_writer_payments SET amount = 99999900"))
        connection.execute(text("UPDATE class_payments SET writer_scheduled_amount = 99999900"))
    assert service.check(admin).problems == [
        "bundle 1: 999999.00 paid or scheduled to the writer, more than the compensation 600.00"
    ]
