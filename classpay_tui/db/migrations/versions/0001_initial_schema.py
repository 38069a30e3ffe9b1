"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op



revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('entity_kind', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('before', sa.Text(), nullable=True),
    sa.Column('after', sa.Text(), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events')),
    sa.UniqueConstraint('hash', name=op.f('uq_audit_events_hash'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_entity', ['entity_kind', 'entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_occurred_at'), ['occurred_at'], unique=False)

    op.create_table('clients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=50), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clients'))
    )
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clients_name'), ['name'], unique=False)

    op.create_table('office_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('payout_weekday', sa.Integer(), nullable=False),
    sa.Column('payout_mode', sa.Enum('on_full_payment', 'per_installment', name='payout_mode', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('default_rule_kind', sa.Enum('percent', 'per_class', name='rule_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('default_rule_value', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_office_settings_single_row')),
    sa.CheckConstraint('payout_weekday BETWEEN 0 AND 6', name=op.f('ck_office_settings_weekday')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_office_settings'))
    )
    op.create_table('writers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('rule_kind', sa.Enum('percent', 'per_class', name='rule_kind', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('rule_value', sa.BigInteger(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('(rule_kind IS NULL) = (rule_value IS NULL)', name=op.f('ck_writers_rule_complete')),
    sa.CheckConstraint('rule_value IS NULL OR rule_value >= 0', name=op.f('ck_writers_rule_value_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_writers')),
    sa.UniqueConstraint('username', name=op.f('uq_writers_username'))
    )
    op.create_table('class_bundles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('number_of_classes', sa.Integer(), nullable=False),
    sa.Column('total_amount', sa.BigInteger(), nullable=False),
    sa.Column('deposit_amount', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.Enum('not_started', 'in_progress', 'completed', 'cancelled', name='bundle_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('writer_id', sa.Integer(), nullable=True),
    sa.Column('compensation_override', sa.BigInteger(), nullable=True),
    sa.Column('payout_mode', sa.Enum('on_full_payment', 'per_installment', name='payout_mode', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('compensation_override IS NULL OR compensation_override >= 0', name=op.f('ck_class_bundles_override_not_negative')),
    sa.CheckConstraint('deposit_amount >= 0 AND deposit_amount <= total_amount', name=op.f('ck_class_bundles_deposit_within_total')),
    sa.CheckConstraint('number_of_classes >= 1', name=op.f('ck_class_bundles_classes_at_least_one')),
    sa.CheckConstraint('total_amount > 0', name=op.f('ck_class_bundles_total_positive')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_class_bundles_client_id_clients')),
    sa.ForeignKeyConstraint(['writer_id'], ['writers.id'], name=op.f('fk_class_bundles_writer_id_writers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_bundles'))
    )
    with op.batch_alter_table('class_bundles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_bundles_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_class_bundles_writer_id'), ['writer_id'], unique=False)

    op.create_table('operators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('login', sa.String(length=64), nullable=False),
    sa.Column('role', sa.Enum('admin', 'staff', 'writer', name='role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('writer_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(role = 'writer') = (writer_id IS NOT NULL)", name=op.f('ck_operators_writer_role_linked')),
    sa.ForeignKeyConstraint(['writer_id'], ['writers.id'], name=op.f('fk_operators_writer_id_writers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operators')),
    sa.UniqueConstraint('login', name=op.f('uq_operators_login'))
    )
    op.create_table('class_installments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bundle_id', sa.Integer(), nullable=False),
    sa.Column('installment_number', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_class_installments_amount_positive')),
    sa.CheckConstraint('installment_number >= 1', name=op.f('ck_class_installments_number_positive')),
    sa.ForeignKeyConstraint(['bundle_id'], ['class_bundles.id'], name=op.f('fk_class_installments_bundle_id_class_bundles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_installments')),
    sa.UniqueConstraint('bundle_id', 'installment_number', name=op.f('uq_class_installments_bundle_id_installment_number'))
    )
    with op.batch_alter_table('class_installments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_installments_due_date'), ['due_date'], unique=False)

    op.create_table('class_payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bundle_id', sa.Integer(), nullable=False),
    sa.Column('writer_id', sa.Integer(), nullable=True),
    sa.Column('total_amount', sa.BigInteger(), nullable=False),
    sa.Column('deposit_amount', sa.BigInteger(), nullable=False),
    sa.Column('deposit_paid', sa.BigInteger(), nullable=False),
    sa.Column('amount_paid', sa.BigInteger(), nullable=False),
    sa.Column('refunded_amount', sa.BigInteger(), nullable=False),
    sa.Column('balance_remaining', sa.BigInteger(), nullable=False),
    sa.Column('client_payment_status', sa.Enum('pending', 'partial', 'paid', 'refunded', 'cancelled', name='client_payment_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('writer_compensation_amount', sa.BigInteger(), nullable=False),
    sa.Column('writer_paid_amount', sa.BigInteger(), nullable=False),
    sa.Column('writer_scheduled_amount', sa.BigInteger(), nullable=False),
    sa.Column('writer_owed_back', sa.BigInteger(), nullable=False),
    sa.Column('writer_payment_status', sa.Enum('pending', 'scheduled', 'partial', 'paid', 'cancelled', name='writer_payment_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('uses_installments', sa.Boolean(), nullable=False),
    sa.Column('total_installments', sa.Integer(), nullable=False),
    sa.Column('paid_installments', sa.Integer(), nullable=False),
    sa.Column('next_due_date', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('amount_paid >= 0 AND amount_paid <= total_amount', name=op.f('ck_class_payments_paid_within_total')),
    sa.CheckConstraint('balance_remaining = total_amount - amount_paid', name=op.f('ck_class_payments_balance_consistent')),
    sa.CheckConstraint('deposit_paid >= 0 AND deposit_paid <= deposit_amount', name=op.f('ck_class_payments_deposit_paid_within')),
    sa.CheckConstraint('paid_installments >= 0 AND paid_installments <= total_installments', name=op.f('ck_class_payments_installment_count')),
    sa.CheckConstraint('refunded_amount >= 0', name=op.f('ck_class_payments_refunded_not_negative')),
    sa.CheckConstraint('writer_compensation_amount >= 0', name=op.f('ck_class_payments_compensation_not_negative')),
    sa.CheckConstraint('writer_owed_back >= 0', name=op.f('ck_class_payments_owed_back_not_negative')),
    sa.CheckConstraint('writer_paid_amount >= 0', name=op.f('ck_class_payments_writer_paid_not_negative')),
    sa.CheckConstraint('writer_scheduled_amount >= 0', name=op.f('ck_class_payments_writer_scheduled_not_negative')),
    sa.ForeignKeyConstraint(['bundle_id'], ['class_bundles.id'], name=op.f('fk_class_payments_bundle_id_class_bundles')),
    sa.ForeignKeyConstraint(['writer_id'], ['writers.id'], name=op.f('fk_class_payments_writer_id_writers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_payments')),
    sa.UniqueConstraint('bundle_id', name=op.f('uq_class_payments_bundle_id'))
    )
    with op.batch_alter_table('class_payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_payments_next_due_date'), ['next_due_date'], unique=False)
        batch_op.create_index('ix_class_payments_status_bundle', ['client_payment_status', 'bundle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_class_payments_writer_id'), ['writer_id'], unique=False)

    op.create_table('order_payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bundle_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('deposit', 'installment', 'payment', 'refund', 'reversal', name='payment_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('method', sa.Enum('cash', 'card', 'bank_transfer', 'paypal', 'other', name='payment_method', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('target_installment', sa.Integer(), nullable=True),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(kind = 'reversal') = (reverses_id IS NOT NULL)", name=op.f('ck_order_payments_reversal_names_payment')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_order_payments_amount_positive')),
    sa.ForeignKeyConstraint(['bundle_id'], ['class_bundles.id'], name=op.f('fk_order_payments_bundle_id_class_bundles')),
    sa.ForeignKeyConstraint(['reverses_id'], ['order_payments.id'], name=op.f('fk_order_payments_reverses_id_order_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_payments')),
    sa.UniqueConstraint('reference', name=op.f('uq_order_payments_reference')),
    sa.UniqueConstraint('reverses_id', name=op.f('uq_order_payments_reverses_id'))
    )
    with op.batch_alter_table('order_payments', schema=None) as batch_op:
        batch_op.create_index('ix_order_payments_bundle_id', ['bundle_id', 'id'], unique=False)

    op.create_table('writer_bonuses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('writer_id', sa.Integer(), nullable=False),
    sa.Column('bundle_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('granted_at', sa.DateTime(), nullable=False),
    sa.Column('is_paid', sa.Boolean(), nullable=False),
    sa.Column('paid_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_writer_bonuses_amount_positive')),
    sa.ForeignKeyConstraint(['bundle_id'], ['class_bundles.id'], name=op.f('fk_writer_bonuses_bundle_id_class_bundles')),
    sa.ForeignKeyConstraint(['writer_id'], ['writers.id'], name=op.f('fk_writer_bonuses_writer_id_writers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_writer_bonuses'))
    )
    with op.batch_alter_table('writer_bonuses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_writer_bonuses_bundle_id'), ['bundle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_writer_bonuses_writer_id'), ['writer_id'], unique=False)

    op.create_table('class_payment_installments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('class_payment_id', sa.Integer(), nullable=False),
    sa.Column('installment_id', sa.Integer(), nullable=False),
    sa.Column('paid_amount', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'partial', 'paid', 'overdue', name='installment_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('paid_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('paid_amount >= 0', name=op.f('ck_class_payment_installments_paid_not_negative')),
    sa.ForeignKeyConstraint(['class_payment_id'], ['class_payments.id'], name=op.f('fk_class_payment_installments_class_payment_id_class_payments')),
    sa.ForeignKeyConstraint(['installment_id'], ['class_installments.id'], name=op.f('fk_class_payment_installments_installment_id_class_installments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_payment_installments')),
    sa.UniqueConstraint('installment_id', name=op.f('uq_class_payment_installments_installment_id'))
    )
    with op.batch_alter_table('class_payment_installments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_payment_installments_class_payment_id'), ['class_payment_id'], unique=False)

    op.create_table('class_writer_payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('class_payment_id', sa.Integer(), nullable=False),
    sa.Column('writer_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('payment_type', sa.Enum('full', 'partial', 'installment', name='writer_payment_type', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('scheduled', 'paid', 'cancelled', name='writer_payout_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('scheduled_for', sa.Date(), nullable=False),
    sa.Column('paid_at', sa.DateTime(), nullable=True),
    sa.Column('reference', sa.String(length=100), nullable=True),
    sa.Column('method', sa.Enum('cash', 'card', 'bank_transfer', 'paypal', 'other', name='payment_method', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('bonus_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_class_writer_payments_amount_positive')),
    sa.ForeignKeyConstraint(['bonus_id'], ['writer_bonuses.id'], name=op.f('fk_class_writer_payments_bonus_id_writer_bonuses')),
    sa.ForeignKeyConstraint(['class_payment_id'], ['class_payments.id'], name=op.f('fk_class_writer_payments_class_payment_id_class_payments')),
    sa.ForeignKeyConstraint(['writer_id'], ['writers.id'], name=op.f('fk_class_writer_payments_writer_id_writers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_writer_payments')),
    sa.UniqueConstraint('bonus_id', name=op.f('uq_class_writer_payments_bonus_id')),
    sa.UniqueConstraint('reference', name=op.f('uq_class_writer_payments_reference'))
    )
    with op.batch_alter_table('class_writer_payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_writer_payments_class_payment_id'), ['class_payment_id'], unique=False)
        batch_op.create_index('ix_class_writer_payments_status_due', ['status', 'scheduled_for'], unique=False)
        batch_op.create_index(batch_op.f('ix_class_writer_payments_writer_id'), ['writer_id'], unique=False)

    op.create_table('payment_allocations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_payment_id', sa.Integer(), nullable=False),
    sa.Column('class_payment_id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.Enum('deposit', 'installment', 'balance', name='slot_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('payment_installment_id', sa.Integer(), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.CheckConstraint("(slot = 'installment') = (payment_installment_id IS NOT NULL)", name=op.f('ck_payment_allocations_slot_installment')),
    sa.CheckConstraint('amount <> 0', name=op.f('ck_payment_allocations_amount_not_zero')),
    sa.ForeignKeyConstraint(['class_payment_id'], ['class_payments.id'], name=op.f('fk_payment_allocations_class_payment_id_class_payments')),
    sa.ForeignKeyConstraint(['order_payment_id'], ['order_payments.id'], name=op.f('fk_payment_allocations_order_payment_id_order_payments')),
    sa.ForeignKeyConstraint(['payment_installment_id'], ['class_payment_installments.id'], name=op.f('fk_payment_allocations_payment_installment_id_class_payment_installments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_allocations'))
    )
    with op.batch_alter_table('payment_allocations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_allocations_class_payment_id'), ['class_payment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_allocations_order_payment_id'), ['order_payment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_allocations_payment_installment_id'), ['payment_installment_id'], unique=False)

    


def downgrade() -> None:
    
    with op.batch_alter_table('payment_allocations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_allocations_payment_installment_id'))
        batch_op.drop_index(batch_op.f('ix_payment_allocations_order_payment_id'))
        batch_op.drop_index(batch_op.f('ix_payment_allocations_class_payment_id'))

    op.drop_table('payment_allocations')
    with op.batch_alter_table('class_writer_payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_writer_payments_writer_id'))
        batch_op.drop_index('ix_class_writer_payments_status_due')
        batch_op.drop_index(batch_op.f('ix_class_writer_payments_class_payment_id'))

    op.drop_table('class_writer_payments')
    with op.batch_alter_table('class_payment_installments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_payment_installments_class_payment_id'))

    op.drop_table('class_payment_installments')
    with op.batch_alter_table('writer_bonuses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_writer_bonuses_writer_id'))
        batch_op.drop_index(batch_op.f('ix_writer_bonuses_bundle_id'))

    op.drop_table('writer_bonuses')
    with op.batch_alter_table('order_payments', schema=None) as batch_op:
        batch_op.drop_index('ix_order_payments_bundle_id')

    op.drop_table('order_payments')
    with op.batch_alter_table('class_payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_payments_writer_id'))
        batch_op.drop_index('ix_class_payments_status_bundle')
        batch_op.drop_index(batch_op.f('ix_class_payments_next_due_date'))

    op.drop_table('class_payments')
    with op.batch_alter_table('class_installments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_installments_due_date'))

    op.drop_table('class_installments')
    op.drop_table('operators')
    with op.batch_alter_table('class_bundles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_bundles_writer_id'))
        batch_op.drop_index(batch_op.f('ix_class_bundles_client_id'))

    op.drop_table('class_bundles')
    op.drop_table('writers')
    op.drop_table('office_settings')
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clients_name'))

    op.drop_table('clients')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_occurred_at'))
        batch_op.drop_index('ix_audit_events_entity')

    op.drop_table('audit_events')
    
