"""The database schema (SQLAlchemy Core tables); migrations in central/migrations create it.

Money columns are BIGINT fen. Instants are stored as UTC (``UtcDateTime``); calendar dates
(due dates, late-fee days) are plain dates in the server's configured time zone.
Idempotency lives in unique constraints: (kiosk_id, txn_id) on payments, QR orders and
resolutions, (kiosk_id, collection_id) on collections, (kiosk_id, nonce) on nonces.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """An aware datetime in, an aware UTC datetime out (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UtcDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:  # noqa: ARG002
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Category(enum.StrEnum):
    RESIDENTIAL = "residential"
    NON_RESIDENTIAL = "non_residential"


class Method(enum.StrEnum):
    CASH = "cash"
    CARD = "card"
    QR = "qr"
    PAYCODE = "paycode"  # the customer's payment code, scanned by the kiosk (central/paycode.py)


class Origin(enum.StrEnum):
    """Who created a payment row: the kiosk's POST, the QR provider, or a technician."""

    KIOSK = "kiosk"
    QR_PROVIDER = "qr_provider"
    RESOLUTION = "resolution"


class LedgerKind(enum.StrEnum):
    CREDIT = "credit"  # money received for the account: exactly one per payment
    LATE_FEE = "late_fee"  # part of a credit applied to a bill's late fee
    PRINCIPAL = "principal"  # part of a credit applied to a bill's principal
    BALANCE = "balance"  # part of a credit kept as prepaid balance
    REVERSAL = "reversal"  # a credit taken back (a payment code reversed after it was paid)


class QrStatus(enum.StrEnum):
    PENDING = "pending"
    PAID = "paid"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class Outcome(enum.StrEnum):
    CREDITED = "credited"
    NOT_RECEIVED = "not_received"


ACCOUNT_NO_MAX = 20
KIOSK_ID_MAX = 32
TXN_ID_MAX = 48

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _enum_check(name: str, column: str, values: type[enum.StrEnum]) -> CheckConstraint:
    allowed = ", ".join(f"'{v.value}'" for v in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=name)


kiosks = Table(
    "kiosks",
    metadata,
    Column("kiosk_id", String(KIOSK_ID_MAX), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("secret_sealed", String(400), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    # Migration 0002: where a kiosk stands, and the previous secret kept valid for a grace
    # period after a rotation.
    Column("district", String(64), nullable=True),
    Column("secret_previous_sealed", String(400), nullable=True),
    Column("secret_previous_until", UtcDateTime, nullable=True),
)

accounts = Table(
    "accounts",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("account_no", String(ACCOUNT_NO_MAX), nullable=False, unique=True),
    Column("holder", String(200), nullable=False),
    Column("address", String(400), nullable=False),
    Column("category", String(20), nullable=False),
    Column("balance_fen", BigInteger, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("district", String(64), nullable=True),  # migration 0002
    _enum_check("category", "category", Category),
    CheckConstraint("balance_fen >= 0", name="balance_not_negative"),
)

bills = Table(
    "bills",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("account_id", ForeignKey("accounts.id"), nullable=False),
    Column("period", String(7), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("paid_fen", BigInteger, nullable=False),
    Column("due_date", Date, nullable=False),
    # Late fees before this date are settled or carried; new ones accrue from the day after.
    Column("fee_from", Date, nullable=True),
    Column("fee_carried_fen", BigInteger, nullable=False),
    Column("late_fee_paid_fen", BigInteger, nullable=False),
    UniqueConstraint("account_id", "period"),
    CheckConstraint("amount_fen > 0", name="amount_positive"),
    CheckConstraint("paid_fen >= 0 AND paid_fen <= amount_fen", name="paid_within_amount"),
)

payments = Table(
    "payments",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("kiosk_id", ForeignKey("kiosks.kiosk_id"), nullable=False),
    Column("txn_id", String(TXN_ID_MAX), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("origin", String(20), nullable=False),
    Column("account_id", ForeignKey("accounts.id"), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("method", String(10), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("offline", Boolean, nullable=False),
    Column("qr_order_id", String(40), nullable=True),
    Column("card_no", String(32), nullable=True),
    Column("answer", Text, nullable=True),
    UniqueConstraint("kiosk_id", "txn_id"),
    _enum_check("origin", "origin", Origin),
    _enum_check("method", "method", Method),
    Index(None, "received_at"),
)

payment_cash = Table(
    "payment_cash",
    metadata,
    Column("payment_id", ForeignKey("payments.id"), nullable=False),
    Column("denomination_fen", Integer, nullable=False),
    Column("count", Integer, nullable=False),
    PrimaryKeyConstraint("payment_id", "denomination_fen"),
)

payment_allocations = Table(
    "payment_allocations",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("payment_id", ForeignKey("payments.id"), nullable=False, index=True),
    Column("bill_id", ForeignKey("bills.id"), nullable=False),
    Column("period", String(7), nullable=False),
    Column("principal_fen", BigInteger, nullable=False),
    Column("late_fee_fen", BigInteger, nullable=False),
)

ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("account_id", ForeignKey("accounts.id"), nullable=False, index=True),
    Column("payment_id", ForeignKey("payments.id"), nullable=False, index=True),
    Column("bill_id", ForeignKey("bills.id"), nullable=True),
    Column("kind", String(12), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    _enum_check("kind", "kind", LedgerKind),
    CheckConstraint("amount_fen > 0", name="amount_positive"),
)

cards = Table(
    "cards",
    metadata,
    Column("card_no", String(32), primary_key=True),
    Column("face_fen", BigInteger, nullable=False),
    Column("pin_hash", String(200), nullable=False),
    Column("failed_attempts", Integer, nullable=False),
    Column("locked", Boolean, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
    Column("used_by_payment_id", ForeignKey("payments.id"), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
)

qr_orders = Table(
    "qr_orders",
    metadata,
    Column("order_id", String(40), primary_key=True),
    Column("kiosk_id", ForeignKey("kiosks.kiosk_id"), nullable=False),
    Column("txn_id", String(TXN_ID_MAX), nullable=False),
    Column("account_id", ForeignKey("accounts.id"), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("status", String(10), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("settled_at", UtcDateTime, nullable=True),
    Column("payment_id", ForeignKey("payments.id"), nullable=True),
    UniqueConstraint("kiosk_id", "txn_id"),
    _enum_check("status", "status", QrStatus),
)

collections = Table(
    "collections",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("kiosk_id", ForeignKey("kiosks.kiosk_id"), nullable=False),
    Column("collection_id", String(64), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("journal_total_fen", BigInteger, nullable=False),
    Column("device_total_fen", BigInteger, nullable=True),  # None: the device keeps no count
    Column("physical_total_fen", BigInteger, nullable=False),
    Column("technician", String(64), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("answer", Text, nullable=False),
    UniqueConstraint("kiosk_id", "collection_id"),
)

collection_counts = Table(
    "collection_counts",
    metadata,
    Column("collection_pk", ForeignKey("collections.id"), nullable=False),
    Column("denomination_fen", Integer, nullable=False),
    Column("count", Integer, nullable=False),
    PrimaryKeyConstraint("collection_pk", "denomination_fen"),
)

resolutions = Table(
    "resolutions",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("kiosk_id", ForeignKey("kiosks.kiosk_id"), nullable=False),
    Column("txn_id", String(TXN_ID_MAX), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("account_no", String(ACCOUNT_NO_MAX), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("reason", String(500), nullable=False),
    Column("technician", String(64), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("payment_id", ForeignKey("payments.id"), nullable=True),
    Column("answer", Text, nullable=False),
    UniqueConstraint("kiosk_id", "txn_id"),
    _enum_check("outcome", "outcome", Outcome),
)

heartbeats = Table(
    "heartbeats",
    metadata,
    Column("kiosk_id", ForeignKey("kiosks.kiosk_id"), primary_key=True),
    Column("received_at", UtcDateTime, nullable=False),
    Column("version", String(64), nullable=False),
    Column("outbox_pending", Integer, nullable=False),
    Column("oldest_unposted_at", UtcDateTime, nullable=True),
    Column("body", Text, nullable=False),
)

nonces = Table(
    "nonces",
    metadata,
    Column("kiosk_id", String(KIOSK_ID_MAX), nullable=False),
    Column("nonce", String(64), nullable=False),
    Column("seen_at", BigInteger, nullable=False),  # unix seconds
    PrimaryKeyConstraint("kiosk_id", "nonce"),
    Index(None, "seen_at"),
)

rate_limits = Table(
    "rate_limits",
    metadata,
    Column("kiosk_id", String(KIOSK_ID_MAX), nullable=False),
    Column("action", String(32), nullable=False),
    Column("window_start", BigInteger, nullable=False),  # unix seconds, start of the minute
    Column("count", Integer, nullable=False),
    PrimaryKeyConstraint("kiosk_id", "action", "window_start"),
)


def utcnow() -> datetime:
    return datetime.now(UTC)


# Indexes of the fleet console's reports (migration 0002).
Index("ix_accounts_district", accounts.c.district)
Index("ix_payments_kiosk_id_created_at", payments.c.kiosk_id, payments.c.created_at)
Index("ix_payments_created_at", payments.c.created_at)
Index("ix_bills_due_date", bills.c.due_date)
