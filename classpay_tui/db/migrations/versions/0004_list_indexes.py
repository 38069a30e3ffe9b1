"""indexes for the bundle list's filters and sort orders

Each filter and sort order of ``payments list`` (and the terminal app's bundle list)
walks an index that ends with the bundle id, so a page of 50 reads about 50 rows
instead of sorting every bundle; clients are found and sorted by ``lower(name)``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW = {
    "ix_class_payments_writer_bundle": ["writer_id", "bundle_id"],
    # Ascending by the sort key, ties newest bundle first (the list's order).
    "ix_class_payments_due_bundle": ["next_due_date", sa.text("bundle_id DESC")],
    "ix_class_payments_balance_bundle": ["balance_remaining", sa.text("bundle_id DESC")],
    "ix_class_payments_paid_bundle": ["amount_paid", sa.text("bundle_id DESC")],
}
REPLACED = {"ix_class_payments_writer_id": ["writer_id"], "ix_class_payments_next_due_date": ["next_due_date"]}


def upgrade() -> None:
    for name in REPLACED:  # each is the first column of a new one
        op.drop_index(name, table_name="class_payments")
    for name, columns in NEW.items():
        op.create_index(name, "class_payments", columns, unique=False)
    op.create_index("ix_clients_name_lower", "clients", [sa.text("lower(name)")], unique=False)


def downgrade() -> None:
    op.drop_index("ix_clients_name_lower", table_name="clients")
    for name in NEW:
        op.drop_index(name, table_name="class_payments")
    for name, columns in REPLACED.items():
        op.create_index(name, "class_payments", columns, unique=False)
