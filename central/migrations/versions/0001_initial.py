"""Initial schema: accounts, bills, payments, ledger, kiosks, cards, QR orders, collections,
resolutions, heartbeats, nonces and rate limits.

Revision ID: 0001_initial
Revises: 
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import central.schema

revision = '0001_initial'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('accounts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_no', sa.String(length=20), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=400), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('balance_fen', sa.BigInteger(), nullable=False),
    sa.Column('created_at', central.schema.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("category IN ('residential', 'non_residential')", name=op.f('ck_accounts_category')),
    sa.CheckConstraint('balance_fen >= 0', name=op.f('ck_accounts_balance_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('account_no', name=op.f('uq_accounts_account_no'))
    )
    op.create_table('kiosks',
    sa.Column('kiosk_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('secret_sealed', sa.String(length=400), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', central.schema.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('kiosk_id', name=op.f('pk_kiosks'))
    )
    op.create_table('nonces',
    sa.Column('kiosk_id', sa.String(length=32), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('seen_at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('kiosk_id', 'nonce', name=op.f('pk_nonces'))
    )
    op.create_index(op.f('ix_nonces_seen_at'), 'nonces', ['seen_at'])

    op.create_table('rate_limits',
    sa.Column('kiosk_id', sa.String(length=32), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('window_start', sa.BigInteger(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kiosk_id', 'action', 'window_start', name=op.f('pk_rate_limits'))
    )
    op.create_table('bills',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('paid_fen', sa.BigInteger(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('fee_from', sa.Date(), nullable=True),
    sa.Column('fee_carried_fen', sa.BigInteger(), nullable=False),
    sa.Column('late_fee_paid_fen', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('amount_fen > 0', name=op.f('ck_bills_amount_positive')),
    sa.CheckConstraint('paid_fen >= 0 AND paid_fen <= amount_fen', name=op.f('ck_bills_paid_within_amount')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_bills_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bills')),
    sa.UniqueConstraint('account_id', 'period', name=op.f('uq_bills_account_id_period'))
    )
    op.create_table('collections',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('kiosk_id', sa.String(length=32), nullable=False),
    sa.Column('collection_id', sa.String(length=64), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('journal_total_fen', sa.BigInteger(), nullable=False),
    sa.Column('device_total_fen', sa.BigInteger(), nullable=True),
    sa.Column('physical_total_fen', sa.BigInteger(), nullable=False),
    sa.Column('technician', sa.String(length=64), nullable=False),
    sa.Column('at', central.schema.UtcDateTime(timezone=True), nullable=False),
    sa.Column('received_at', central.schema.UtcDateTime(timezone=True), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.kiosk_id'], name=op.f('fk_collections_kiosk_id_kiosks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collections')),
    sa.UniqueConstraint('kiosk_id', 'collection_id', name=op.f('uq_collections_kiosk_id_collection_id'))
    )
    op.create_table('heartbeats',
    sa.Column('kiosk_id', sa.String(length=32), nullable=False),
    sa.Column('received_at', central.schema.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.String(length=64), nullable=False),
    sa.Column('outbox_pending', sa.Integer(), nullable=False),
    sa.Column('oldest_unposted_at', central.schema.UtcDateTime(timezone=True), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.kiosk_id'], name=op.f('fk_heartbeats_kiosk_id_kiosks')),
    sa.PrimaryKeyConstraint('kiosk_id', name=op.f('pk_heartbeats'))
    )
    op.create_table('payments',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('kiosk_id', sa.String(length=32), nullable=False),
    sa.Column('txn_id', sa.String(length=48), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('created_at', central.schema.UtcDateTime(timezone=True), nullable=False),
    sa.Column('received_at', central.schema.UtcDateTime(timezone=True), nullable=False),
    sa.Column('offline', sa.Boolean(), nullable=False),
    sa.Column('qr_order_id', sa.String(length=40), nullable=True),
    sa.Column('card_no', sa.String(length=32), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.CheckConstraint("method IN ('cash', 'card', 'qr')", name=op.f('ck_payments_method')),
    sa.CheckConstraint("origin IN ('kiosk', 'qr_provider', 'resolution')", name=op.f('ck_payments_origin')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_payments_account_id_accounts')),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.kiosk_id'], name=op.f('fk_payments_kiosk_id_kiosks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments')),
    sa.UniqueConstraint('kiosk_id', 'txn_id', name=op.f('uq_payments_kiosk_id_txn_id'))
    )
    op.create_index(op.f('ix_payments_received_at'), 'payments', ['received_at'])

    op.create_table('cards',
    sa.Column('card_no', sa.String(length=32), nullable=False),
    sa.Column('face_fen', sa.BigInteger(), nullable=False),
    sa.Column('pin_hash', sa.String(length=200), nullable=False),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.Column('locked', sa.Boolean(), nullable=False),
    sa.Column('used_at', central.schema.UtcDateTime(timezone=True), nullable=True),
    sa.Column('used_by_payment_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', central.schema.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['used_by_payment_id'], ['payments.id'], name=op.f('fk_cards_used_by_payment_id_payments')),
    sa.PrimaryKeyConstraint('card_no', name=op.f('pk_cards'))
    )
    op.create_table('collection_counts',
    sa.Column('collection_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('denomination_fen', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['collection_pk'], ['collections.id'], name=op.f('fk_collection_counts_collection_pk_collections')),
    sa.PrimaryKeyConstraint('collection_pk', 'denomination_fen', name=op.f('pk_collection_counts'))
    )
    op.create_table('ledger_entries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('payment_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('bill_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('created_at', central.schema.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('credit', 'late_fee', 'principal', 'balance')", name=op.f('ck_ledger_entries_kind')),
    sa.CheckConstraint('amount_fen > 0', name=op.f('ck_ledger_entries_amount_positive')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_ledger_entries_account_id_accounts')),
    sa.ForeignKeyConstraint(['bill_id'], ['bills.id'], name=op.f('fk_ledger_entries_bill_id_bills')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_ledger_entries_payment_id_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entries'))
    )
    op.create_index(op.f('ix_ledger_entries_account_id'), 'ledger_entries', ['account_id'])
    op.create_index(op.f('ix_ledger_entries_payment_id'), 'ledger_entries', ['payment_id'])

    op.create_table('payment_allocations',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('payment_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('bill_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('principal_fen', sa.BigInteger(), nullable=False),
    sa.Column('late_fee_fen', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['bill_id'], ['bills.id'], name=op.f('fk_payment_allocations_bill_id_bills')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_payment_allocations_payment_id_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_allocations'))
    )
    op.create_index(op.f('ix_payment_allocations_payment_id'), 'payment_allocations', ['payment_id'])

    op.create_table('payment_cash',
    sa.Column('payment_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('denomination_fen', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_payment_cash_payment_id_payments')),
    sa.PrimaryKeyConstraint('payment_id', 'denomination_fen', name=op.f('pk_payment_cash'))
    )
    op.create_table('qr_orders',
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('kiosk_id', sa.String(length=32), nullable=False),
    sa.Column('txn_id', sa.String(length=48), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', central.schema.UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', central.schema.UtcDateTime(timezone=True), nullable=False),
    sa.Column('settled_at', central.schema.UtcDateTime(timezone=True), nullable=True),
    sa.Column('payment_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'paid', 'expired', 'cancelled')", name=op.f('ck_qr_orders_status')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_qr_orders_account_id_accounts')),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.kiosk_id'], name=op.f('fk_qr_orders_kiosk_id_kiosks')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_qr_orders_payment_id_payments')),
    sa.PrimaryKeyConstraint('order_id', name=op.f('pk_qr_orders')),
    sa.UniqueConstraint('kiosk_id', 'txn_id', name=op.f('uq_qr_orders_kiosk_id_txn_id'))
    )
    op.create_table('resolutions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('kiosk_id', sa.String(length=32), nullable=False),
    sa.Column('txn_id', sa.String(length=48), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('account_no', sa.String(length=20), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('technician', sa.String(length=64), nullable=False),
    sa.Column('at', central.schema.UtcDateTime(timezone=True), nullable=False),
    sa.Column('received_at', central.schema.UtcDateTime(timezone=True), nullable=False),
    sa.Column('payment_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.CheckConstraint("outcome IN ('credited', 'not_received')", name=op.f('ck_resolutions_outcome')),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.kiosk_id'], name=op.f('fk_resolutions_kiosk_id_kiosks')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_resolutions_payment_id_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resolutions')),
    sa.UniqueConstraint('kiosk_id', 'txn_id', name=op.f('uq_resolutions_kiosk_id_txn_id'))
    )


def downgrade() -> None:
    op.drop_table('resolutions')
    op.drop_table('qr_orders')
    op.drop_table('payment_cash')
    op.drop_index(op.f('ix_payment_allocations_payment_id'), table_name='payment_allocations')

    op.drop_table('payment_allocations')
    op.drop_index(op.f('ix_ledger_entries_payment_id'), table_name='ledger_entries')
    op.drop_index(op.f('ix_ledger_entries_account_id'), table_name='ledger_entries')

    op.drop_table('ledger_entries')
    op.drop_table('collection_counts')
    op.drop_table('cards')
    op.drop_index(op.f('ix_payments_received_at'), table_name='payments')

    op.drop_table('payments')
    op.drop_table('heartbeats')
    op.drop_table('collections')
    op.drop_table('bills')
    op.drop_table('rate_limits')
    op.drop_index(op.f('ix_nonces_seen_at'), table_name='nonces')

    op.drop_table('nonces')
    op.drop_table('kiosks')
    op.drop_table('accounts')
