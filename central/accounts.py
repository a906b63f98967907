"""Account lookups: masked holder and address, unpaid bills with late fees as of today, and
the account's usage (central/usage.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, Row, select

from central import db
from central.allocation import OpenBill
from central.context import Central
from central.errors import ApiError
from central.late_fee import late_fee_fen
from central.masking import mask_address, mask_name
from central.schema import Category, accounts, bills
from central.usage import usage


def find_account(conn: Connection, account_no: str, *, lock: bool = False) -> Row[Any]:
    query = select(accounts).where(accounts.c.account_no == account_no)
    if lock:
        query = query.with_for_update(key_share=True)
    row = conn.execute(query).first()
    if row is None:
        raise ApiError(404, "account_not_found", account_no=account_no)
    return row


def unpaid_bills(conn: Connection, account_id: int, *, lock: bool = False) -> list[Row[Any]]:
    query = (
        select(bills)
        .where(bills.c.account_id == account_id, bills.c.paid_fen < bills.c.amount_fen)
        .order_by(bills.c.period, bills.c.due_date, bills.c.id)
    )
    if lock:
        query = query.with_for_update(key_share=True)
    return list(conn.execute(query))


def fee_of(central: Central, bill: Row[Any], category: Category, as_of: date) -> int:
    return late_fee_fen(
        unpaid_fen=bill.amount_fen - bill.paid_fen,
        due_date=bill.due_date,
        as_of=as_of,
        category=category,
        rules=central.rules,
        fee_from=bill.fee_from,
        carried_fen=bill.fee_carried_fen,
        paid_before_fen=bill.late_fee_paid_fen,
    )


def open_bill(central: Central, bill: Row[Any], category: Category, as_of: date) -> OpenBill:
    return OpenBill(
        bill_id=bill.id,
        period=bill.period,
        due_date=bill.due_date,
        unpaid_fen=bill.amount_fen - bill.paid_fen,
        late_fee_fen=fee_of(central, bill, category, as_of),
    )


def lookup(central: Central, account_no: str) -> dict[str, object]:
    """The answer of GET /v1/accounts/{account_no}."""
    as_of = central.today()
    with db.read(central.engine) as conn:
        account = find_account(conn, account_no)
        rows = unpaid_bills(conn, account.id)
        category = Category(account.category)
        used = usage(conn, account.id, category, central.config.tariff, as_of)
    listed = []
    fees = 0
    for row in rows:
        fee = fee_of(central, row, category, as_of)
        fees += fee
        listed.append(
            {
                "period": row.period,
                "amount_fen": row.amount_fen,
                "paid_fen": row.paid_fen,
                "due_date": row.due_date.isoformat(),
                "late_fee_fen": fee,
            }
        )
    arrears = sum(row.amount_fen - row.paid_fen for row in rows)
    return {
        "account_no": account.account_no,
        "holder": mask_name(account.holder),
        "address": mask_address(account.address),
        "category": category.value,
        "balance_fen": account.balance_fen,
        "bills": listed,
        "arrears_fen": arrears,
        "late_fee_fen": fees,
        "due_fen": arrears + fees,
        "as_of": as_of.isoformat(),
        "usage": used,
    }
