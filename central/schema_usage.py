"""Meter readings and monthly consumption per account (central/usage.py answers from them).

Imported at the end of central.schema so that one ``metadata`` holds every table.
Readings and consumption are whole kWh, as the bill prints them. A reading names its meter:
the meter of an account's latest reading is the account's meter (a replaced meter keeps its
old readings).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    UniqueConstraint,
)

from central.schema import metadata

METER_NO_MAX = 32

meter_readings = Table(
    "meter_readings",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("account_id", ForeignKey("accounts.id"), nullable=False),
    Column("meter_no", String(METER_NO_MAX), nullable=False),
    Column("read_on", Date, nullable=False),
    Column("reading_kwh", BigInteger, nullable=False),
    UniqueConstraint("account_id", "read_on"),
    CheckConstraint("reading_kwh >= 0", name="reading_not_negative"),
)

monthly_usage = Table(
    "monthly_usage",
    metadata,
    Column("account_id", ForeignKey("accounts.id"), nullable=False),
    Column("month", String(7), nullable=False),  # YYYY-MM, as bills' periods
    Column("kwh", BigInteger, nullable=False),
    PrimaryKeyConstraint("account_id", "month"),
    CheckConstraint("kwh >= 0", name="kwh_not_negative"),
)
