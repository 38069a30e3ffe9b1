"""On PostgreSQL the README's grants make the ledger insert-only for staff, while the
service keeps working under them."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from classpay_tui.db.engine import Database
from classpay_tui.services import ClassPaymentService
from classpay_tui.services.context import FixedClock
from tests.builders import pay, seed_bundle, writer


def test_ledger_is_insert_only_for_a_staff_login(postgres_schema_url, clock, admin):
    url = make_url(postgres_schema_url)
    schema = url.query["options"].split("=", 1)[1]
    owner = ClassPaymentService(Database(postgres_schema_url), clock)
    owner.initialize()
    writer(owner, admin)
    role = f"classpay_staff_{uuid.uuid4().hex[:8]}"
    grants = f"""
        CREATE ROLE {role} NOLOGIN;
        GRANT USAGE ON SCHEMA "{schema}" TO {role};
        GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA "{schema}" TO {role};
        REVOKE UPDATE, DELETE, TRUNCATE ON order_payments, payment_allocations, audit_events FROM {role};
        GRANT USAGE ON ALL SEQUENCES IN SCHEMA "{schema}" TO {role};
    """
    with owner.db.engine.begin() as connection:
        connection.execute(text(grants))
    try:
        as_staff = url.update_query_dict({"options": f"-csearch_path={schema} -crole={role}"})
        staff_service = ClassPaymentService(Database(as_staff.render_as_string(hide_password=False)), FixedClock())
        bundle = seed_bundle(staff_service, admin)
        result = pay(staff_service, admin, bundle.bundle_id, "200.00", deposit=True)
        assert result.details.deposit_paid == 200
        engine = create_engine(as_staff)
        for statement in ("UPDATE order_payments SET amount = 1", "DELETE FROM audit_events"):
            with pytest.raises(ProgrammingError, match="permission denied"), engine.begin() as connection:
                connection.execute(text(statement))
        engine.dispose()
        staff_service.db.dispose()
    finally:
        with owner.db.engine.begin() as connection:
            connection.execute(text(f'REVOKE ALL ON ALL TABLES IN SCHEMA "{schema}" FROM {role}'))
            connection.execute(text(f'REVOKE ALL ON ALL SEQUENCES IN SCHEMA "{schema}" FROM {role}'))
            connection.execute(text(f'REVOKE ALL ON SCHEMA "{schema}" FROM {role}'))
            connection.execute(text(f"DROP ROLE {role}"))
        owner.db.dispose()
