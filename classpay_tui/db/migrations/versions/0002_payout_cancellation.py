"""payout cancellation details

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("writer_bonuses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("class_writer_payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancel_reason", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("class_writer_payments", schema=None) as batch_op:
        batch_op.drop_column("cancel_reason")
    with op.batch_alter_table("writer_bonuses", schema=None) as batch_op:
        batch_op.drop_column("cancelled_at")
