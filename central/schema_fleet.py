"""Tables of the fleet console: operators, sessions, audit, heartbeat history, kiosk status,
alerts and their webhooks, remote commands, pairing codes and other channels' payments.

Imported at the end of central.schema so that one ``metadata`` holds every table (the
migrations and the schema test see them all). Instants are UTC (``UtcDateTime``).
"""

from __future__ import annotations

import enum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from central.schema import (
    ACCOUNT_NO_MAX,
    KIOSK_ID_MAX,
    UtcDateTime,
    _enum_check,
    metadata,
)


class Role(enum.StrEnum):
    VIEWER = "viewer"  # reads every page
    OPERATOR = "operator"  # and acknowledges alerts, sends commands
    ADMIN = "admin"  # and rotates secrets, issues pairing codes


class AlertKind(enum.StrEnum):
    OFFLINE = "offline"
    CASHBOX_FULL = "cashbox_full"
    PAPER = "paper"
    ACCEPTOR = "acceptor"
    OUTBOX = "outbox"
    SUSPECT = "suspect"
    CLOCK = "clock"


class AlertStep(enum.StrEnum):
    RAISED = "raised"
    ACKNOWLEDGED = "acknowledged"
    CLEARED = "cleared"


class CommandKind(enum.StrEnum):
    LOCK = "lock"
    UNLOCK = "unlock"
    RESTART = "restart"
    RETRY_OUTBOX = "retry_outbox"
    ENABLE_METHOD = "enable_method"
    DISABLE_METHOD = "disable_method"
    UPLOAD_LOGS = "upload_logs"


class CommandStatus(enum.StrEnum):
    PENDING = "pending"  # not yet sent in a heartbeat answer
    DELIVERED = "delivered"  # sent at least once, no result yet (sent again each heartbeat)
    DONE = "done"
    REFUSED = "refused"
    FAILED = "failed"


RESULT_STATUSES = (CommandStatus.DONE, CommandStatus.REFUSED, CommandStatus.FAILED)


def _pk() -> Column[int]:
    return Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )


operators = Table(
    "operators",
    metadata,
    _pk(),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(10), nullable=False),
    Column("password_hash", String(300), nullable=False),
    Column("failed_logins", Integer, nullable=False),
    Column("locked_until", UtcDateTime, nullable=True),
    Column("enabled", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    _enum_check("role", "role", Role),
)

operator_sessions = Table(
    "operator_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 of the cookie's token
    Column("operator_id", ForeignKey("operators.id"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False, index=True),
)

audit_log = Table(
    "audit_log",
    metadata,
    _pk(),
    Column("at", UtcDateTime, nullable=False, index=True),
    Column("actor", String(80), nullable=False),  # operator name, "cli", or "kiosk:K0001"
    Column("action", String(40), nullable=False),
    Column("kiosk_id", String(KIOSK_ID_MAX), nullable=True, index=True),
    Column("detail", Text, nullable=False),  # JSON
)

heartbeat_history = Table(
    "heartbeat_history",
    metadata,
    _pk(),
    Column("kiosk_id", String(KIOSK_ID_MAX), nullable=False),
    Column("received_at", UtcDateTime, nullable=False, index=True),
    Column("version", String(64), nullable=False),
    Column("acceptor", String(40), nullable=True),
    Column("printer", String(40), nullable=True),
    Column("cashbox_notes", Integer, nullable=False),
    Column("outbox_pending", Integer, nullable=False),
    Column("oldest_unposted_at", UtcDateTime, nullable=True),
    Column("clock_offset_s", Integer, nullable=True),
    Column("body", Text, nullable=False),
    Index(None, "kiosk_id", "received_at"),
)

kiosk_status = Table(
    "kiosk_status",
    metadata,
    Column("kiosk_id", ForeignKey("kiosks.kiosk_id"), primary_key=True),
    Column("last_seen_at", UtcDateTime, nullable=False, index=True),
    Column("online_since", UtcDateTime, nullable=False),
    Column("version", String(64), nullable=False),
    Column("acceptor", String(40), nullable=True),
    Column("printer", String(40), nullable=True),
    Column("paper", String(20), nullable=True),
    Column("cashbox_notes", Integer, nullable=False),
    Column("cashbox_fill_pct", Integer, nullable=True),
    Column("outbox_pending", Integer, nullable=False),
    Column("oldest_unposted_at", UtcDateTime, nullable=True),
    Column("clock_offset_s", Integer, nullable=True),
    Column("suspects", Integer, nullable=False),
    Column("open_alerts", Integer, nullable=False),
)

alerts = Table(
    "alerts",
    metadata,
    _pk(),
    Column("kiosk_id", ForeignKey("kiosks.kiosk_id"), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    # "kiosk_id/kind" while the alert is open, NULL once cleared: one open alert per kind.
    Column("open_key", String(64), nullable=True, unique=True),
    Column("detail", String(500), nullable=False),  # in English (central/alert_words.py)
    # The detail's fields as JSON, worded in the console's language; NULL on a row raised
    # before 0008 whose line that migration could not read (shown as stored).
    Column("detail_fields", Text, nullable=True),
    Column("raised_at", UtcDateTime, nullable=False, index=True),
    Column("acknowledged_at", UtcDateTime, nullable=True),
    Column("acknowledged_by", String(64), nullable=True),
    Column("cleared_at", UtcDateTime, nullable=True),
    _enum_check("kind", "kind", AlertKind),
)

alert_events = Table(
    "alert_events",
    metadata,
    _pk(),
    Column("alert_id", ForeignKey("alerts.id"), nullable=False, index=True),
    Column("step", String(20), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(80), nullable=False),
    Column("detail", String(500), nullable=False),
    _enum_check("step", "step", AlertStep),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    _pk(),
    Column("url", String(500), nullable=False),
    Column("payload", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("give_up_at", UtcDateTime, nullable=False),
    Column("delivered_at", UtcDateTime, nullable=True),
    Column("failed", Boolean, nullable=False),
    Column("last_error", String(300), nullable=True),
    Index(None, "delivered_at", "failed", "next_attempt_at"),
)

commands = Table(
    "commands",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("kiosk_id", ForeignKey("kiosks.kiosk_id"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("args", Text, nullable=False),  # JSON object
    Column("status", String(10), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(80), nullable=False),
    Column("first_delivered_at", UtcDateTime, nullable=True),
    Column("deliveries", Integer, nullable=False),
    Column("result_at", UtcDateTime, nullable=True),
    Column("result_detail", String(2000), nullable=True),
    Column("attachment", Text, nullable=True),  # upload_logs: the log text
    Index(None, "kiosk_id", "status"),
    _enum_check("kind", "kind", CommandKind),
    _enum_check("status", "status", CommandStatus),
)

pair_codes = Table(
    "pair_codes",
    metadata,
    Column("kiosk_id", ForeignKey("kiosks.kiosk_id"), primary_key=True),
    Column("code_hash", String(64), nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("failed_attempts", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

channel_payments = Table(
    "channel_payments",
    metadata,
    _pk(),
    Column("channel", String(32), nullable=False),
    Column("ref", String(64), nullable=False),
    Column("account_id", ForeignKey("accounts.id"), nullable=False),
    Column("account_no", String(ACCOUNT_NO_MAX), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("paid_on", Date, nullable=False, index=True),
    Column("imported_at", UtcDateTime, nullable=False),
    UniqueConstraint("channel", "ref"),
)

# The collection-rate report's daily totals of kiosk payments (migration 0003): a day before
# today never changes (payments count on the day the server received them), so it is summed
# once (``summarized_days`` marks it) and the report adds up days instead of payments.
collection_days = Table(
    "collection_days",
    metadata,
    Column("day", Date, nullable=False),
    Column("district", String(64), nullable=False),  # "" when the account has none
    Column("category", String(20), nullable=False),
    Column("channel", String(40), nullable=False),  # kiosk:cash, kiosk:card, kiosk:qr
    Column("amount_fen", BigInteger, nullable=False),
    Column("payments", Integer, nullable=False),
    PrimaryKeyConstraint("day", "district", "category", "channel"),
)

summarized_days = Table(
    "summarized_days",
    metadata,
    Column("day", Date, primary_key=True),
    Column("summarized_at", UtcDateTime, nullable=False),
)
