"""Meter readings and monthly consumption (the usage part of the account lookup).

Revision ID: 0007_usage
Revises: 0006_invoices
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_usage"
down_revision = "0006_invoices"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "meter_readings",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("meter_no", sa.String(32), nullable=False),
        sa.Column("read_on", sa.Date(), nullable=False),
        sa.Column("reading_kwh", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("reading_kwh >= 0", name=op.f("ck_meter_readings_reading_not_negative")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_meter_readings_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meter_readings")),
        sa.UniqueConstraint(
            "account_id", "read_on", name=op.f("uq_meter_readings_account_id_read_on")
        ),
    )
    op.create_table(
        "monthly_usage",
        sa.Column("account_id", ID, nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("kwh", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("kwh >= 0", name=op.f("ck_monthly_usage_kwh_not_negative")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_monthly_usage_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", "month", name=op.f("pk_monthly_usage")),
    )


def downgrade() -> None:
    op.drop_table("monthly_usage")
    op.drop_table("meter_readings")
