"""reminder template, reminder batches and the reminders made per installment

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reminder_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.Column("made_by", sa.String(length=64), nullable=False),
        sa.Column("reminder_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_batches")),
    )
    op.create_table(
        "reminder_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("sender", sa.String(length=254), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_reminder_templates_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_templates")),
    )
    op.create_table(
        "installment_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("installment_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("amount_owed", sa.BigInteger(), nullable=False),
        sa.Column("days_late", sa.Integer(), nullable=False),
        sa.CheckConstraint("amount_owed > 0", name=op.f("ck_installment_reminders_amount_positive")),
        sa.CheckConstraint("level BETWEEN 1 AND 3", name=op.f("ck_installment_reminders_level_range")),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["reminder_batches.id"], name=op.f("fk_installment_reminders_batch_id_reminder_batches")
        ),
        sa.ForeignKeyConstraint(
            ["installment_id"],
            ["class_installments.id"],
            name=op.f("fk_installment_reminders_installment_id_class_installments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_installment_reminders")),
        sa.UniqueConstraint(
            "batch_id", "installment_id", name=op.f("uq_installment_reminders_batch_id_installment_id")
        ),
    )
    with op.batch_alter_table("installment_reminders", schema=None) as batch_op:
        batch_op.create_index("ix_installment_reminders_installment", ["installment_id", "level"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("installment_reminders", schema=None) as batch_op:
        batch_op.drop_index("ix_installment_reminders_installment")
    op.drop_table("installment_reminders")
    op.drop_table("reminder_templates")
    op.drop_table("reminder_batches")
