"""E-invoice requests, one per posted payment.

Revision ID: 0006_invoices
Revises: 0005_paycode
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import central.schema

revision = "0006_invoices"
down_revision = "0005_paycode"
branch_labels = None
depends_on = None

UTC = central.schema.UtcDateTime(timezone=True)
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "invoice_requests",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("payment_id", ID, nullable=False),
        sa.Column("txn_id", sa.String(48), nullable=False),
        sa.Column("title_kind", sa.String(10), nullable=False),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("tax_no", sa.String(18), nullable=True),
        sa.Column("email", sa.String(200), nullable=True),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("provider", sa.String(20), nullable=True),
        sa.Column("invoice_no", sa.String(32), nullable=True),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("requested_at", UTC, nullable=False),
        sa.Column("issued_at", UTC, nullable=True),
        sa.CheckConstraint(
            "title_kind IN ('personal', 'company')", name=op.f("ck_invoice_requests_title_kind")
        ),
        sa.CheckConstraint(
            "state IN ('requested', 'issued', 'failed')", name=op.f("ck_invoice_requests_state")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_invoice_requests_payment_id_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_requests")),
        sa.UniqueConstraint("payment_id", name=op.f("uq_invoice_requests_payment_id")),
    )
    op.create_index(op.f("ix_invoice_requests_state"), "invoice_requests", ["state"])


def downgrade() -> None:
    op.drop_index(op.f("ix_invoice_requests_state"), table_name="invoice_requests")
    op.drop_table("invoice_requests")
