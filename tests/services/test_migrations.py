"""Upgrading a database made by the first release (schema 0001), with data in it whose
tables reference each other, to the current schema: nothing lost, every check passes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import text

from classpay_tui.db.engine import Database
from classpay_tui.db.migrate import alembic_config, current_revision, head_revision
from classpay_tui.services import ClassPaymentService
from classpay_tui.services.schemas import BundleIn, WriterIn

OLD_ROWS = """
INSERT INTO office_settings VALUES (1, 'USD', 4, 'on_full_payment', 'percent', 6000);
INSERT INTO clients (id, name, created_at) VALUES (1, 'Old Client', '2024-01-01 09:00:00');
INSERT INTO writers (id, username, display_name, active, created_at) VALUES (1, 'w1', 'W One', true, '2024-01-01');
INSERT INTO class_bundles (id, client_id, title, number_of_classes, total_amount, deposit_amount, status,
    writer_id, created_at, updated_at)
    VALUES (1, 1, 'Course', 4, 40000, 0, 'in_progress', 1, '2024-01-01', '2024-01-01');
INSERT INTO class_installments (id, bundle_id, installment_number, amount, due_date)
    VALUES (1, 1, 1, 20000, '2024-02-01'), (2, 1, 2, 20000, '2024-03-01');
INSERT INTO order_payments (id, bundle_id, kind, amount, method, reference, target_installment, received_at,
    recorded_at, recorded_by) VALUES (1, 1, 'payment', 40000, 'cash', 'OLD-1', NULL, '2024-02-01 12:00:00',
    '2024-02-01 12:00:00', 'clerk');
INSERT INTO writer_bonuses (id, writer_id, bundle_id, category, amount, granted_at, is_paid)
    VALUES (1, 1, 1, 'class_payment', 24000, '2024-02-02', false);
INSERT INTO class_payments (id, bundle_id, writer_id, total_amount, deposit_amount, deposit_paid, amount_paid,
    refunded_amount, balance_remaining, client_payment_status, writer_compensation_amount, writer_paid_amount,
    writer_scheduled_amount, writer_owed_back, writer_payment_status, uses_installments, total_installments,
    paid_installments, created_at, updated_at)
    VALUES (1, 1, 1, 40000, 0, 0, 0, 0, 40000, 'pending', 24000, 0, 0, 0, 'pending', true, 2, 0,
    '2024-01-01', '2024-01-01');
INSERT INTO class_payment_installments (id, class_payment_id, installment_id, paid_amount, status)
    VALUES (1, 1, 1, 0, 'pending'), (2, 1, 2, 0, 'pending');
INSERT INTO class_writer_payments (id, class_payment_id, writer_id, amount, payment_type, status, scheduled_for,
    bonus_id, created_at) VALUES (1, 1, 1, 24000, 'full', 'scheduled', '2024-02-09', 1, '2024-02-02');
"""


@pytest.fixture(params=["sqlite", "postgres"])
def empty_db_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "first-release.db")
    return request.getfixturevalue("postgres_schema_url")


def test_first_release_database_upgrades_with_its_data(empty_db_url, admin):
    database = Database(empty_db_url)
    command.upgrade(alembic_config(database.engine), "0001")
    with database.engine.begin() as connection:
        for statement in filter(str.strip, OLD_ROWS.split(";")):
            connection.execute(text(statement))
    service = ClassPaymentService(database)
    assert service.initialize() is False  # settings were there: only the schema moves
    assert current_revision(database.engine) == head_revision()
    assert service.check(admin).problems[0] == "payment 1 on bundle 1: allocations add up to 0.00, not 400.00"
    # The old payment was never allocated: a refresh allocates it, as the first read of an old bundle would.
    details = service.refresh_status(admin, 1)
    assert details.client_payment_status.value == "paid" and details.paid_installments == 2
    assert [(p.amount, p.status.value) for p in details.writer_payments] == [(240, "scheduled")]
    assert service.check(admin).ok
    # The search index (0008) was filled from the rows already there.
    for term in ("cour", "old cl", "w1", "1"):
        assert [row.bundle_id for row in service.list_payments(admin, search=term)] == [1], term
    assert service.list_payments(admin, search="nothing") == []
    database.dispose()


def search_objects(database: Database) -> set[str]:
    """The search index's tables and triggers (SQLite only: PostgreSQL searches its tables)."""
    if database.engine.dialect.name != "sqlite":
        return set()
    with database.engine.connect() as connection:
        query = text("SELECT name FROM sqlite_master WHERE name LIKE 'bundle_search%'")
        return set(connection.execute(query).scalars())


def test_the_search_index_goes_with_a_downgrade_and_comes_back_filled(empty_db_url, admin):
    database = Database(empty_db_url)
    service = ClassPaymentService(database)
    service.initialize()
    service.add_writer(admin, WriterIn(username="kim"))
    data = BundleIn(
        client_name="Ada Abbott", title="Memoir", number_of_classes=1, total_amount=Decimal("10.00"), writer="kim"
    )
    bundle = service.create_bundle(admin, data).bundle_id
    made = search_objects(database)
    if database.engine.dialect.name == "sqlite":
        assert {"bundle_search", "bundle_search_index", "bundle_search_client_renamed"} <= made
    command.downgrade(alembic_config(database.engine), "0007")
    assert search_objects(database) == set()
    service.initialize()
    assert search_objects(database) == made
    for term in ("abbott", "mem", "ki", "a"):
        assert [row.bundle_id for row in service.list_payments(admin, search=term)] == [bundle], term
    database.dispose()


def payment_kind_check(database: Database) -> str:
    """How the database holds the ledger's kind to its values."""
    with database.engine.connect() as connection:
        if database.engine.dialect.name == "sqlite":
            return connection.execute(text("SELECT sql FROM sqlite_master WHERE name = 'order_payments'")).scalar_one()
        query = "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = :name"
        return connection.execute(text(query), {"name": "ck_order_payments_payment_kind"}).scalar_one()


def test_enum_checks_go_from_in_lists_to_comparisons_and_back(empty_db_url, admin):
    database = Database(empty_db_url)
    service = ClassPaymentService(database)
    service.initialize()
    assert "'deposit'" in payment_kind_check(database) and " IN " not in payment_kind_check(database).upper()
    command.downgrade(alembic_config(database.engine), "0008")
    assert " IN (" in payment_kind_check(database) or "ANY" in payment_kind_check(database)
    service.initialize()
    assert current_revision(database.engine) == head_revision()
    assert " IN " not in payment_kind_check(database).upper()
    # The edited schema is the one in use: the tables still take rows and refuse bad ones.
    service.add_writer(admin, WriterIn(username="kim"))
    data = BundleIn(client_name="Ada", title="Memoir", number_of_classes=1, total_amount=Decimal("10.00"), writer="kim")
    service.create_bundle(admin, data)
    with database.engine.connect() as connection, pytest.raises(Exception, match="ck_order_payments_payment_kind"):
        connection.execute(text("UPDATE order_payments SET kind = 'gift'"))
        connection.execute(
            text(
                "INSERT INTO order_payments (bundle_id, kind, amount, method, reference, received_at, recorded_at,"
                " recorded_by) VALUES (1, 'gift', 100, 'cash', 'R-1', '2024-01-01', '2024-01-01', 'x')"
            )
        )
    database.dispose()
