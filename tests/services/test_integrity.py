"""``check``: stored summaries equal the ledger, the audit chain is whole, and the
schema the migrations build is the schema the models describe."""

from __future__ import annotations

from decimal import Decimal

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
