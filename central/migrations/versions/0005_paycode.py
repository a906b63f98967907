"""Payment-code payments, the sandbox provider's trades; method paycode, ledger kind reversal.

Revision ID: 0005_paycode
Revises: 0004_crypto_v2
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import central.schema

revision = "0005_paycode"
down_revision = "0004_crypto_v2"
branch_labels = None
depends_on = None

UTC = central.schema.UtcDateTime(timezone=True)
METHODS_BEFORE = "method IN ('cash', 'card', 'qr')"
METHODS_AFTER = "method IN ('cash', 'card', 'qr', 'paycode')"
KINDS_BEFORE = "kind IN ('credit', 'late_fee', 'principal', 'balance')"
KINDS_AFTER = "kind IN ('credit', 'late_fee', 'principal', 'balance', 'reversal')"


def _recheck(table: str, name: str, before: str, after: str) -> None:
    """Replace a CHECK constraint's condition (the new one allows what the old one did, and more).

    SQLite cannot alter a constraint, and rebuilding ``payments`` would break the rows of
    other tables that point at it; SQLite documents editing the stored CREATE TABLE statement
    for exactly this case (a looser CHECK changes nothing on disk).
    """
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f(f"ck_{table}_{name}"), table, type_="check")
        op.create_check_constraint(name, table, after)
        return
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    if before not in sql:
        raise RuntimeError(f"{table}: the CHECK {before!r} is not in its CREATE TABLE")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
        (sql.replace(before, after), table),
    )
    bind.exec_driver_sql(f"PRAGMA schema_version={int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema=OFF")


def upgrade() -> None:
    _recheck("payments", "method", METHODS_BEFORE, METHODS_AFTER)
    _recheck("ledger_entries", "kind", KINDS_BEFORE, KINDS_AFTER)
    op.create_table(
        "paycode_payments",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("kiosk_id", sa.String(32), nullable=False),
        sa.Column("txn_id", sa.String(48), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column(
            "account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("code_masked", sa.String(8), nullable=False),
        sa.Column("scheme", sa.String(12), nullable=False),
        sa.Column("provider", sa.String(20), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("reason", sa.String(40), nullable=True),
        sa.Column("provider_ref", sa.String(64), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("received_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("paid_at", UTC, nullable=True),
        sa.Column("reversed_at", UTC, nullable=True),
        sa.Column(
            "payment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("bills_before", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'userpaying', 'paid', 'failed', 'reversing', 'reversed')",
            name=op.f("ck_paycode_payments_state"),
        ),
        sa.ForeignKeyConstraint(
            ["kiosk_id"], ["kiosks.kiosk_id"], name=op.f("fk_paycode_payments_kiosk_id_kiosks")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_paycode_payments_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_paycode_payments_payment_id_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paycode_payments")),
        sa.UniqueConstraint("kiosk_id", "txn_id", name=op.f("uq_paycode_payments_kiosk_id_txn_id")),
    )
    op.create_index(op.f("ix_paycode_payments_paid_at"), "paycode_payments", ["paid_at"])
    op.create_table(
        "sandbox_trades",
        sa.Column("out_trade_no", sa.String(80), nullable=False),
        sa.Column("trade_no", sa.String(32), nullable=False),
        sa.Column("code_masked", sa.String(8), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("reason", sa.String(40), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("paid_at", UTC, nullable=True),
        sa.Column("reversed_at", UTC, nullable=True),
        sa.Column("pay_calls", sa.Integer(), nullable=False),
        sa.Column("reverse_calls", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "state IN ('userpaying', 'paid', 'failed', 'reversed')",
            name=op.f("ck_sandbox_trades_state"),
        ),
        sa.PrimaryKeyConstraint("out_trade_no", name=op.f("pk_sandbox_trades")),
        sa.UniqueConstraint("trade_no", name=op.f("uq_sandbox_trades_trade_no")),
    )
    op.create_index(op.f("ix_sandbox_trades_paid_at"), "sandbox_trades", ["paid_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_sandbox_trades_paid_at"), table_name="sandbox_trades")
    op.drop_table("sandbox_trades")
    op.drop_index(op.f("ix_paycode_payments_paid_at"), table_name="paycode_payments")
    op.drop_table("paycode_payments")
    _recheck("ledger_entries", "kind", KINDS_AFTER, KINDS_BEFORE)
    _recheck("payments", "method", METHODS_AFTER, METHODS_BEFORE)
