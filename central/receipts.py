"""GET /r/{txn_id}?h=tag: find a payment for the receipt check page, if the tag is right."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from central import db
from central.context import Central
from central.crypto import receipt_tag_ok
from central.masking import mask_name
from central.schema import accounts, kiosks, payments

TXN_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}-[0-9]{8,12}$")
TAG = re.compile(r"^[0-9a-f]{16}$")


@dataclass(frozen=True)
class Receipt:
    payment: Any
    account_no: str
    holder: str
    kiosk_name: str


def find(central: Central, txn_id: str, tag: str | None) -> Receipt | None:
    """The receipt, or None for a wrong tag or an unknown txn (indistinguishable on purpose)."""
    if tag is None or not TAG.match(tag) or not TXN_ID.match(txn_id):
        return None
    if not receipt_tag_ok(central.config.server.receipt_key, txn_id, tag):
        return None
    kiosk_id = txn_id.rpartition("-")[0]
    with db.read(central.engine) as conn:
        row = conn.execute(
            select(
                payments,
                accounts.c.account_no,
                accounts.c.holder,
                kiosks.c.name.label("kiosk_name"),
            )
            .join(accounts, accounts.c.id == payments.c.account_id)
            .join(kiosks, kiosks.c.kiosk_id == payments.c.kiosk_id)
            .where(payments.c.kiosk_id == kiosk_id, payments.c.txn_id == txn_id)
        ).first()
    if row is None or row.answer is None:
        return None
    return Receipt(
        payment=row,
        account_no=row.account_no,
        holder=mask_name(row.holder),
        kiosk_name=row.kiosk_name,
    )
