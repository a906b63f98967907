"""Demo data for the console (part of `kiosk-central seed-demo`): districts of the demo
accounts and kiosk, a few payments through other channels, and a demo admin operator.

Safe to run again: districts are only filled where unset, channel payments and the operator
are only added when missing.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, select, update

from central import collection_rate, db, operators
from central.schema import accounts, kiosks
from central.schema_fleet import Role, channel_payments
from central.schema_fleet import operators as operators_table
from central.seed import DEMO_ACCOUNTS

DEMO_OPERATOR = "admin"
DEMO_OPERATOR_PASSWORD = "demo-admin-password"  # noqa: S105 - demo only, printed by seed-demo
DEMO_KIOSK_DISTRICT = "城东区"
DISTRICT = re.compile(r"^示范市(.{1,4}?区)")
# (channel, ref, account role, amount in fen, days ago)
DEMO_CHANNEL_PAYMENTS = (
    ("bank", "DEMO-BANK-0001", "residential_paid_up", 8800, 12),
    ("online", "DEMO-WEB-0001", "non_residential", 50000, 3),
)


def seed(engine: Engine, today: date, *, kiosk_id: str) -> list[dict[str, object]]:
    numbers = {a.role: a.account_no for a in DEMO_ACCOUNTS}
    with db.write(engine) as conn:
        for account in DEMO_ACCOUNTS:
            found = DISTRICT.match(account.address)
            if found:
                conn.execute(
                    update(accounts)
                    .where(
                        accounts.c.account_no == account.account_no, accounts.c.district.is_(None)
                    )
                    .values(district=found.group(1))
                )
        conn.execute(
            update(kiosks)
            .where(kiosks.c.kiosk_id == kiosk_id, kiosks.c.district.is_(None))
            .values(district=DEMO_KIOSK_DISTRICT)
        )
        ids = dict(
            conn.execute(
                select(accounts.c.account_no, accounts.c.id).where(
                    accounts.c.account_no.in_(numbers.values())
                )
            ).all()
        )
        for channel, ref, role, amount, days_ago in DEMO_CHANNEL_PAYMENTS:
            conn.execute(
                db.insert_ignoring_conflict(
                    conn,
                    channel_payments,
                    {
                        "channel": channel,
                        "ref": ref,
                        "account_id": ids[numbers[role]],
                        "account_no": numbers[role],
                        "amount_fen": amount,
                        "paid_on": today - timedelta(days=days_ago),
                        "imported_at": datetime.now(UTC),
                    },
                    ["channel", "ref"],
                )
            )
        collection_rate.forget(
            conn, sorted({today - timedelta(days=p[4]) for p in DEMO_CHANNEL_PAYMENTS})
        )
        exists = conn.execute(
            select(operators_table.c.id).where(operators_table.c.name == DEMO_OPERATOR)
        ).first()
    if exists is None:
        operators.add(
            engine,
            DEMO_OPERATOR,
            Role.ADMIN,
            DEMO_OPERATOR_PASSWORD,
            now=datetime.now(UTC),
            actor="seed-demo",
        )
    return [
        {
            "operator": DEMO_OPERATOR,
            "password": DEMO_OPERATOR_PASSWORD,
            "operator_role": Role.ADMIN.value,
            "console": "/console",
        }
    ]
