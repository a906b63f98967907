"""Crediting an account: allocation, bills, ledger and balance, inside the caller's transaction.

Two steps: ``claim_payment`` plans the credit (``plan`` locks the account's unpaid bills and
works out the allocation and the answer) and claims the payment key by inserting the payment
row with that answer (a replay stops there); ``record`` then writes bills, ledger and balance.

Lock order, the same on every path so that PostgreSQL never deadlocks: (QR order) ->
account -> bills -> payment key -> card. Every path locks the account first (``lock_account``
or ``find_account(lock=True)``), so everything after it is serialised per account.

Every way money reaches an account (a kiosk's payment, a paid QR order, a technician's
"credited" resolution) ends here, in the same database transaction that claimed the
payment's idempotency key, so a payment and its ledger entries exist together or not at all.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from central import db
from central.accounts import open_bill, unpaid_bills
from central.allocation import Allocation, allocate
from central.context import Central
from central.invoices import invoice_url
from central.schema import (
    Category,
    LedgerKind,
    accounts,
    bills,
    ledger_entries,
    payment_allocations,
    payment_cash,
    payments,
)


def lock_account(conn: Connection, account_id: int) -> Row[Any]:
    """The account row, locked FOR NO KEY UPDATE.

    Not FOR UPDATE: rows inserted with a foreign key to the account hold KEY SHARE locks on
    it, and FOR UPDATE conflicts with those (two payments to one account would deadlock).
    """
    return conn.execute(
        select(accounts).where(accounts.c.id == account_id).with_for_update(key_share=True)
    ).one()


def server_ref(kiosk_id: str, txn_id: str) -> str:
    """The server's reference for a posting: derived from the key, so the answer is complete
    before the payment row is inserted (one statement fewer per payment)."""
    digest = hashlib.sha256(f"{kiosk_id}/{txn_id}".encode()).digest()
    return "CS" + base64.b32encode(digest).decode()[:14]


@dataclass(frozen=True)
class Credit:
    """How a payment will be applied; nothing is written until ``record``."""

    account: Row[Any]
    amount_fen: int
    pay_date: date
    bills: dict[int, Row[Any]]
    allocation: Allocation
    answer: dict[str, Any]

    def answer_json(self) -> str:
        return json.dumps(self.answer, ensure_ascii=False, separators=(",", ":"))


def plan(
    conn: Connection,
    central: Central,
    *,
    kiosk_id: str,
    txn_id: str,
    account: Row[Any],
    amount_fen: int,
    pay_date: date,
) -> Credit:
    """Lock the account's unpaid bills and work out the allocation and the answer."""
    category = Category(account.category)
    rows = {row.id: row for row in unpaid_bills(conn, account.id, lock=True)}
    allocation = allocate(
        amount_fen, [open_bill(central, row, category, pay_date) for row in rows.values()]
    )
    answer: dict[str, Any] = {
        "txn_id": txn_id,
        "status": "posted",
        "server_ref": server_ref(kiosk_id, txn_id),
        "allocations": [
            {"period": s.period, "principal_fen": s.principal_fen, "late_fee_fen": s.late_fee_fen}
            for s in allocation.shares
        ],
        "credited_to_balance_fen": allocation.to_balance_fen,
        "balance_fen": account.balance_fen + allocation.to_balance_fen,
        "receipt_url": central.receipt_url(txn_id),
        "invoice_url": invoice_url(central, txn_id),
    }
    return Credit(account, amount_fen, pay_date, rows, allocation, answer)


@dataclass(frozen=True)
class Claim:
    """A planned credit and the payment row that claimed its key."""

    credit: Credit
    payment_id: int | None  # None: another payment already holds (kiosk_id, txn_id)


def claim_payment(
    conn: Connection,
    central: Central,
    *,
    kiosk_id: str,
    txn_id: str,
    account: Row[Any],
    amount_fen: int,
    pay_date: date,
    columns: Mapping[str, Any],
) -> Claim:
    """Plan the credit, then claim the payment key by inserting its row with the answer.

    The plan comes first (lock order: bills before the key) so the row holds its answer from
    the start. A taken key inserts nothing: the caller decides what that means (replay, 409)
    and calls ``record`` only for a claimed row. ``columns``: the row's other columns.
    """
    credit = plan(
        conn,
        central,
        kiosk_id=kiosk_id,
        txn_id=txn_id,
        account=account,
        amount_fen=amount_fen,
        pay_date=pay_date,
    )
    payment_id: int | None = conn.execute(
        db.insert_ignoring_conflict(
            conn,
            payments,
            {
                "kiosk_id": kiosk_id,
                "txn_id": txn_id,
                "account_id": account.id,
                "amount_fen": amount_fen,
                **columns,
                "answer": credit.answer_json(),
            },
            ["kiosk_id", "txn_id"],
        ).returning(payments.c.id)
    ).scalar_one_or_none()
    return Claim(credit, payment_id)


def record(
    conn: Connection, credit: Credit, *, payment_id: int, cash: dict[int, int], now: datetime
) -> None:
    """Write the planned credit: bills, ledger entries, balance, allocations, notes."""
    account_id: int = credit.account.id
    pay_date = credit.pay_date
    allocation = credit.allocation
    ledger: list[dict[str, Any]] = [
        _entry(account_id, payment_id, None, LedgerKind.CREDIT, credit.amount_fen, now)
    ]
    for share in allocation.shares:
        bill = credit.bills[share.bill_id]
        fee_from = (
            bill.fee_from if bill.fee_from is not None and bill.fee_from > pay_date else pay_date
        )
        conn.execute(
            update(bills)
            .where(bills.c.id == bill.id)
            .values(
                paid_fen=bills.c.paid_fen + share.principal_fen,
                late_fee_paid_fen=bills.c.late_fee_paid_fen + share.late_fee_fen,
                fee_carried_fen=share.fee_left_fen,
                fee_from=fee_from,
            )
        )
        if share.late_fee_fen:
            ledger.append(
                _entry(
                    account_id, payment_id, bill.id, LedgerKind.LATE_FEE, share.late_fee_fen, now
                )
            )
        if share.principal_fen:
            ledger.append(
                _entry(
                    account_id, payment_id, bill.id, LedgerKind.PRINCIPAL, share.principal_fen, now
                )
            )
    if allocation.to_balance_fen:
        ledger.append(
            _entry(account_id, payment_id, None, LedgerKind.BALANCE, allocation.to_balance_fen, now)
        )
        conn.execute(
            update(accounts)
            .where(accounts.c.id == account_id)
            .values(balance_fen=credit.answer["balance_fen"])
        )
    conn.execute(insert(ledger_entries), ledger)
    if allocation.shares:
        conn.execute(
            insert(payment_allocations),
            [
                {
                    "payment_id": payment_id,
                    "bill_id": s.bill_id,
                    "period": s.period,
                    "principal_fen": s.principal_fen,
                    "late_fee_fen": s.late_fee_fen,
                }
                for s in allocation.shares
            ],
        )
    if cash:
        conn.execute(
            insert(payment_cash),
            [
                {"payment_id": payment_id, "denomination_fen": d, "count": n}
                for d, n in sorted(cash.items())
            ],
        )


def _entry(
    account_id: int,
    payment_id: int,
    bill_id: int | None,
    kind: LedgerKind,
    amount_fen: int,
    now: datetime,
) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "payment_id": payment_id,
        "bill_id": bill_id,
        "kind": kind.value,
        "amount_fen": amount_fen,
        "created_at": now,
    }
