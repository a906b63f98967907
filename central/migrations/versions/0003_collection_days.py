"""Daily totals of kiosk payments for the collection-rate report.

Revision ID: 0003_collection_days
Revises: 0002_fleet_console
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import central.schema

revision = "0003_collection_days"
down_revision = "0002_fleet_console"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "collection_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("district", sa.String(64), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("channel", sa.String(40), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("payments", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "district", "category", "channel", name=op.f("pk_collection_days")
        ),
    )
    op.create_table(
        "summarized_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("summarized_at", central.schema.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_summarized_days")),
    )


def downgrade() -> None:
    op.drop_table("summarized_days")
    op.drop_table("collection_days")
