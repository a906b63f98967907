"""Tables of payment-code payments (central/paycode.py) and of the sandbox provider's own books.

Imported at the end of central.schema so that one ``metadata`` holds every table. A payment
code is a bearer credential: no table holds one, only its mask (first 2 and last 4 digits).
"""

from __future__ import annotations

import enum

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from central.schema import (
    KIOSK_ID_MAX,
    TXN_ID_MAX,
    UtcDateTime,
    _enum_check,
    metadata,
)


class PaycodeState(enum.StrEnum):
    """A payment code payment on the server; ``paid`` is the only state with a ledger credit."""

    PENDING = "pending"  # claimed; the provider's answer is not known yet
    USERPAYING = "userpaying"  # the customer must confirm on the phone
    PAID = "paid"
    FAILED = "failed"
    REVERSING = "reversing"  # a cancel asked the provider to reverse; not confirmed yet
    REVERSED = "reversed"


class TradeState(enum.StrEnum):
    """A trade in the sandbox provider's books."""

    USERPAYING = "userpaying"
    PAID = "paid"
    FAILED = "failed"
    REVERSED = "reversed"


paycode_payments = Table(
    "paycode_payments",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("kiosk_id", ForeignKey("kiosks.kiosk_id"), nullable=False),
    Column("txn_id", String(TXN_ID_MAX), nullable=False),
    Column("fingerprint", String(64), nullable=False),  # HMAC of the body (it holds the code)
    Column("account_id", ForeignKey("accounts.id"), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("code_masked", String(8), nullable=False),
    Column("scheme", String(12), nullable=False),  # wechat, alipay, unionpay
    Column("provider", String(20), nullable=False),
    Column("state", String(12), nullable=False),
    Column("reason", String(40), nullable=True),
    Column("provider_ref", String(64), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),  # the kiosk's created_at
    Column("received_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("paid_at", UtcDateTime, nullable=True),
    Column("reversed_at", UtcDateTime, nullable=True),
    Column("payment_id", ForeignKey("payments.id"), nullable=True),
    # The credited bills' late-fee state before the credit, restored by a reversal.
    Column("bills_before", Text, nullable=True),
    UniqueConstraint("kiosk_id", "txn_id"),
    _enum_check("state", "state", PaycodeState),
    Index(None, "paid_at"),
)

sandbox_trades = Table(
    "sandbox_trades",
    metadata,
    Column("out_trade_no", String(KIOSK_ID_MAX + TXN_ID_MAX), primary_key=True),
    Column("trade_no", String(32), nullable=False, unique=True),
    Column("code_masked", String(8), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("state", String(12), nullable=False),
    Column("reason", String(40), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("paid_at", UtcDateTime, nullable=True),
    Column("reversed_at", UtcDateTime, nullable=True),
    Column("pay_calls", Integer, nullable=False),
    Column("reverse_calls", Integer, nullable=False),
    _enum_check("state", "state", TradeState),
    Index(None, "paid_at"),
)
