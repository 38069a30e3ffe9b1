"""indexes for the bundle list's descending sort orders

Each sort order of the bundle list breaks ties newest bundle first. Ascending orders walk
the indexes of 0004 (key ascending, bundle id descending); descending ones walk these
(both ascending) backwards, so a keyset page of "largest balance first" or "most paid
first" reads about its own rows instead of sorting every bundle.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW = {
    "ix_class_payments_due_bundle_up": ["next_due_date", "bundle_id"],
    "ix_class_payments_balance_bundle_up": ["balance_remaining", "bundle_id"],
    "ix_class_payments_paid_bundle_up": ["amount_paid", "bundle_id"],
}


def upgrade() -> None:
    for name, columns in NEW.items():
        op.create_index(name, "class_payments", columns, unique=False)


def downgrade() -> None:
    for name in NEW:
        op.drop_index(name, table_name="class_payments")
