"""Build a payment receipt from what the journal recorded and what the server answered.

The receipt shows the server's allocation when the payment was posted; when it is queued
(offline) it shows what was taken and says it will be credited once the kiosk is online,
without guessing the allocation.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.config import KioskConfig
from kiosk.payment_receipt import (
    BillPaid,
    CardTender,
    CashTender,
    PaycodeTender,
    PaymentStatus,
    QrTender,
    Receipt,
    Tender,
)
from kiosk.receipt_escpos import render_escpos
from kiosk.receipts import render_text


@dataclass(frozen=True)
class StillOwed:
    """What an account owes after a payment, and the due date that still applies."""

    owed_fen: int
    due_date: str | None  # ISO date of the oldest bill not paid off; None when nothing is owed


def still_owed(bills: Sequence[Mapping[str, Any]], paid_fen: int) -> StillOwed:
    """Apply ``paid_fen`` to ``bills`` oldest first, late fee before principal (the server's
    rule, central/README.md), and say what is left and which bill's due date now applies.

    ``bills`` are the account's bills as the lookup returned them (``amount_fen``,
    ``paid_fen``, ``late_fee_fen``, ``period``, ``due_date``).
    """
    left = max(0, paid_fen)
    owed = 0
    due: str | None = None
    for bill in sorted(bills, key=lambda b: (str(b.get("period")), str(b.get("due_date")))):
        need = max(0, int(bill.get("amount_fen", 0)) - int(bill.get("paid_fen", 0)))
        need += max(0, int(bill.get("late_fee_fen", 0)))
        covered = min(left, need)
        left -= covered
        if need > covered:
            owed += need - covered
            if due is None and bill.get("due_date"):
                due = str(bill["due_date"])[:10]
    return StillOwed(owed, due)


@dataclass(frozen=True)
class PrintableReceipt:
    receipt: Receipt
    text: str
    escpos: bytes


def receipt_for(
    config: KioskConfig,
    row: Any,
    *,
    language: str,
    copy: bool = False,
    pending: Mapping[int, int] | None = None,
    account_bills: Sequence[Mapping[str, Any]] | None = None,
) -> Receipt:
    """``row`` is the journal's derived transaction row (kiosk.projection.transactions);
    ``pending`` the payment's notes whose outcome is not known yet (Engine.pending_notes);
    ``account_bills`` the account's bills as looked up before paying, for the due date that still
    applies to what is owed (without them the receipt names the amount owed only)."""
    answer: dict[str, Any] | None = json.loads(row.answer) if row.answer else None
    status = PaymentStatus.POSTED if answer else PaymentStatus.QUEUED
    tender: Tender
    if row.method == "cash":
        tender = CashTender({int(k): v for k, v in json.loads(row.notes).items()})
    elif row.method == "card":
        tender = CardTender(row.card_no or "")
    elif row.method == "paycode":
        tender = PaycodeTender(row.qr_order_id or "**")
    else:
        tender = QrTender(row.qr_order_id or "")
    bills: tuple[BillPaid, ...] = ()
    credited = 0
    new_balance = None
    check_url = None
    invoice_url = None
    if answer is not None:
        bills = tuple(
            BillPaid(a["period"], a["late_fee_fen"], a["principal_fen"])
            for a in answer.get("allocations", [])
        )
        credited = int(answer.get("credited_to_balance_fen", 0))
        new_balance = answer.get("balance_fen")
        check_url = answer.get("receipt_url")
        invoice_url = answer.get("invoice_url")
    applied = (
        row.cash_fen
        if row.method == "cash"
        else (sum(b.total_fen for b in bills) + credited if answer else row.target_fen)
    )
    to_bills = applied - credited
    owed: int | None = None
    owed_due: str | None = None
    if account_bills:
        left = still_owed(account_bills, to_bills)
        owed, owed_due = left.owed_fen, left.due_date
    elif row.amount_due_fen:
        owed = max(0, int(row.amount_due_fen) - to_bills)
    return Receipt(
        utility_name=config.kiosk.utility_name,
        kiosk_location=config.kiosk.location,
        kiosk_id=config.kiosk.id,
        txn_id=row.txn_id,
        paid_at=datetime.fromisoformat(row.closed_at or row.created_at).astimezone(),
        account_no=row.account_no,
        holder_masked=row.holder or "",
        bills=bills,
        tender=tender,
        amount_applied_fen=applied,
        credited_to_balance_fen=credited,
        new_balance_fen=new_balance,
        status=status,
        check_url=check_url,
        copy=copy,
        language="en" if language == "en" else "zh",
        pending_notes=dict(pending or {}),
        invoice_url=invoice_url if isinstance(invoice_url, str) else None,
        still_owed_fen=owed,
        owed_due_date=owed_due if owed else None,
    )


def printable(config: KioskConfig, receipt: Receipt) -> PrintableReceipt:
    columns = config.chars_per_line
    return PrintableReceipt(
        receipt,
        render_text(receipt, columns=columns),
        render_escpos(
            receipt,
            columns=columns,
            encoding=config.printer.encoding,
            has_cutter=config.printer.has_cutter,
        ),
    )
