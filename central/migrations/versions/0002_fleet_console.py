"""Fleet console: operators, sessions, audit log, heartbeat history, kiosk status, alerts,
webhook deliveries, remote commands, pairing codes, other channels' payments; districts.

Revision ID: 0002_fleet_console
Revises: 0001_initial
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import central.schema

revision = "0002_fleet_console"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def _pk() -> sa.Column[int]:
    return sa.Column(
        "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True,
        nullable=False,
    )


def _ref(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False)


UTC = central.schema.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "operators",
        _pk(),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("password_hash", sa.String(300), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", UTC, nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.CheckConstraint("role IN ('viewer', 'operator', 'admin')", name=op.f("ck_operators_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operators")),
        sa.UniqueConstraint("name", name=op.f("uq_operators_name")),
    )
    op.create_table(
        "operator_sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        _ref("operator_id"),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["operator_id"], ["operators.id"], name=op.f("fk_operator_sessions_operator_id_operators")),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_operator_sessions")),
    )
    op.create_index(op.f("ix_operator_sessions_operator_id"), "operator_sessions", ["operator_id"])
    op.create_index(op.f("ix_operator_sessions_expires_at"), "operator_sessions", ["expires_at"])
    op.create_table(
        "audit_log",
        _pk(),
        sa.Column("at", UTC, nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("kiosk_id", sa.String(32), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"])
    op.create_index(op.f("ix_audit_log_kiosk_id"), "audit_log", ["kiosk_id"])
    op.create_table(
        "heartbeat_history",
        _pk(),
        sa.Column("kiosk_id", sa.String(32), nullable=False),
        sa.Column("received_at", UTC, nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("acceptor", sa.String(40), nullable=True),
        sa.Column("printer", sa.String(40), nullable=True),
        sa.Column("cashbox_notes", sa.Integer(), nullable=False),
        sa.Column("outbox_pending", sa.Integer(), nullable=False),
        sa.Column("oldest_unposted_at", UTC, nullable=True),
        sa.Column("clock_offset_s", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_heartbeat_history")),
    )
    op.create_index(op.f("ix_heartbeat_history_received_at"), "heartbeat_history", ["received_at"])
    op.create_index(
        op.f("ix_heartbeat_history_kiosk_id_received_at"),
        "heartbeat_history",
        ["kiosk_id", "received_at"],
    )
    op.create_table(
        "kiosk_status",
        sa.Column("kiosk_id", sa.String(32), nullable=False),
        sa.Column("last_seen_at", UTC, nullable=False),
        sa.Column("online_since", UTC, nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("acceptor", sa.String(40), nullable=True),
        sa.Column("printer", sa.String(40), nullable=True),
        sa.Column("paper", sa.String(20), nullable=True),
        sa.Column("cashbox_notes", sa.Integer(), nullable=False),
        sa.Column("cashbox_fill_pct", sa.Integer(), nullable=True),
        sa.Column("outbox_pending", sa.Integer(), nullable=False),
        sa.Column("oldest_unposted_at", UTC, nullable=True),
        sa.Column("clock_offset_s", sa.Integer(), nullable=True),
        sa.Column("suspects", sa.Integer(), nullable=False),
        sa.Column("open_alerts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.kiosk_id"], name=op.f("fk_kiosk_status_kiosk_id_kiosks")),
        sa.PrimaryKeyConstraint("kiosk_id", name=op.f("pk_kiosk_status")),
    )
    op.create_index(op.f("ix_kiosk_status_last_seen_at"), "kiosk_status", ["last_seen_at"])
    op.create_table(
        "alerts",
        _pk(),
        sa.Column("kiosk_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("open_key", sa.String(64), nullable=True),
        sa.Column("detail", sa.String(500), nullable=False),
        sa.Column("raised_at", UTC, nullable=False),
        sa.Column("acknowledged_at", UTC, nullable=True),
        sa.Column("acknowledged_by", sa.String(64), nullable=True),
        sa.Column("cleared_at", UTC, nullable=True),
        sa.CheckConstraint(
            "kind IN ('offline', 'cashbox_full', 'paper', 'acceptor', 'outbox', 'suspect', 'clock')",
            name=op.f("ck_alerts_kind"),
        ),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.kiosk_id"], name=op.f("fk_alerts_kiosk_id_kiosks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("open_key", name=op.f("uq_alerts_open_key")),
    )
    op.create_index(op.f("ix_alerts_kiosk_id"), "alerts", ["kiosk_id"])
    op.create_index(op.f("ix_alerts_raised_at"), "alerts", ["raised_at"])
    op.create_table(
        "alert_events",
        _pk(),
        _ref("alert_id"),
        sa.Column("step", sa.String(20), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("detail", sa.String(500), nullable=False),
        sa.CheckConstraint("step IN ('raised', 'acknowledged', 'cleared')", name=op.f("ck_alert_events_step")),
        sa.ForeignKeyConstraint(["alert_id"], ["alerts.id"], name=op.f("fk_alert_events_alert_id_alerts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_events")),
    )
    op.create_index(op.f("ix_alert_events_alert_id"), "alert_events", ["alert_id"])
    op.create_table(
        "webhook_deliveries",
        _pk(),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC, nullable=False),
        sa.Column("give_up_at", UTC, nullable=False),
        sa.Column("delivered_at", UTC, nullable=True),
        sa.Column("failed", sa.Boolean(), nullable=False),
        sa.Column("last_error", sa.String(300), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
    )
    op.create_index(
        op.f("ix_webhook_deliveries_delivered_at_failed_next_attempt_at"),
        "webhook_deliveries",
        ["delivered_at", "failed", "next_attempt_at"],
    )
    op.create_table(
        "commands",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("kiosk_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("args", sa.Text(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("first_delivered_at", UTC, nullable=True),
        sa.Column("deliveries", sa.Integer(), nullable=False),
        sa.Column("result_at", UTC, nullable=True),
        sa.Column("result_detail", sa.String(2000), nullable=True),
        sa.Column("attachment", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('lock', 'unlock', 'restart', 'retry_outbox', 'enable_method', "
            "'disable_method', 'upload_logs')",
            name=op.f("ck_commands_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'delivered', 'done', 'refused', 'failed')",
            name=op.f("ck_commands_status"),
        ),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.kiosk_id"], name=op.f("fk_commands_kiosk_id_kiosks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commands")),
    )
    op.create_index(op.f("ix_commands_kiosk_id_status"), "commands", ["kiosk_id", "status"])
    op.create_table(
        "pair_codes",
        sa.Column("kiosk_id", sa.String(32), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.kiosk_id"], name=op.f("fk_pair_codes_kiosk_id_kiosks")),
        sa.PrimaryKeyConstraint("kiosk_id", name=op.f("pk_pair_codes")),
    )
    op.create_table(
        "channel_payments",
        _pk(),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("ref", sa.String(64), nullable=False),
        _ref("account_id"),
        sa.Column("account_no", sa.String(20), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("imported_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_channel_payments_account_id_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_payments")),
        sa.UniqueConstraint("channel", "ref", name=op.f("uq_channel_payments_channel_ref")),
    )
    op.create_index(op.f("ix_channel_payments_paid_on"), "channel_payments", ["paid_on"])
    with op.batch_alter_table("kiosks") as batch:
        batch.add_column(sa.Column("district", sa.String(64), nullable=True))
        batch.add_column(sa.Column("secret_previous_sealed", sa.String(400), nullable=True))
        batch.add_column(sa.Column("secret_previous_until", UTC, nullable=True))
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("district", sa.String(64), nullable=True))
    op.create_index("ix_accounts_district", "accounts", ["district"])
    op.create_index("ix_payments_kiosk_id_created_at", "payments", ["kiosk_id", "created_at"])
    op.create_index("ix_payments_created_at", "payments", ["created_at"])
    op.create_index("ix_bills_due_date", "bills", ["due_date"])


def downgrade() -> None:
    op.drop_index("ix_bills_due_date", table_name="bills")
    op.drop_index("ix_payments_created_at", table_name="payments")
    op.drop_index("ix_payments_kiosk_id_created_at", table_name="payments")
    op.drop_index("ix_accounts_district", table_name="accounts")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("district")
    with op.batch_alter_table("kiosks") as batch:
        batch.drop_column("secret_previous_until")
        batch.drop_column("secret_previous_sealed")
        batch.drop_column("district")
    for table in (
        "channel_payments", "pair_codes", "commands", "webhook_deliveries", "alert_events",
        "alerts", "kiosk_status", "heartbeat_history", "audit_log", "operator_sessions",
        "operators",
    ):
        op.drop_table(table)
