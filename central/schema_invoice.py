"""The table of e-invoice requests (central/invoices.py): one per posted payment.

Imported at the end of central.schema so that one ``metadata`` holds every table.
"""

from __future__ import annotations

import enum

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)

from central.schema import TXN_ID_MAX, UtcDateTime, _enum_check, metadata


class TitleKind(enum.StrEnum):
    PERSONAL = "personal"  # 个人
    COMPANY = "company"  # 单位, with its unified social credit code


class InvoiceState(enum.StrEnum):
    REQUESTED = "requested"  # recorded; no invoice provider has issued it yet
    ISSUED = "issued"
    FAILED = "failed"  # the provider refused; ``error`` says why


invoice_requests = Table(
    "invoice_requests",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("payment_id", ForeignKey("payments.id"), nullable=False, unique=True),
    Column("txn_id", String(TXN_ID_MAX), nullable=False),
    Column("title_kind", String(10), nullable=False),
    Column("title", String(100), nullable=False),
    Column("tax_no", String(18), nullable=True),
    Column("email", String(200), nullable=True),
    Column("phone", String(20), nullable=True),
    Column("state", String(10), nullable=False),
    Column("provider", String(20), nullable=True),
    Column("invoice_no", String(32), nullable=True),
    Column("pdf", LargeBinary, nullable=True),
    Column("error", Text, nullable=True),
    Column("requested_at", UtcDateTime, nullable=False),
    Column("issued_at", UtcDateTime, nullable=True),
    _enum_check("title_kind", "title_kind", TitleKind),
    _enum_check("state", "state", InvoiceState),
    Index(None, "state"),
)
