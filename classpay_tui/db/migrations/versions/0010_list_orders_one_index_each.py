"""one index per sort column of the bundle list: 0006's ascending twins dropped

0006 added, for each of the due date, balance and amount paid, a second index (both
columns ascending) so that a descending order could break ties newest first as the
ascending one does. Every payment moves its bundle's record in each index whose columns
it changes, so the three twins cost each recorded payment and every imported bundle three
more index moves (~0.12 s of SQL in an import of 100,000 payments). A descending order is
now the ascending one read backwards: ties oldest first (``services.listing.tie_order``),
served by 0004's indexes walked backwards.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TWINS = {
    "ix_class_payments_due_bundle_up": ["next_due_date", "bundle_id"],
    "ix_class_payments_balance_bundle_up": ["balance_remaining", "bundle_id"],
    "ix_class_payments_paid_bundle_up": ["amount_paid", "bundle_id"],
}


def upgrade() -> None:
    for name in TWINS:
        op.drop_index(name, table_name="class_payments")


def downgrade() -> None:
    for name, columns in TWINS.items():
        op.create_index(name, "class_payments", columns, unique=False)
