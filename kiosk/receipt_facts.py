"""Build a payment receipt from what the journal recorded and what the server answered.

The receipt shows the server's allocation when the payment was posted; when it is queued
(offline) it shows what was taken and says it will be credited once the kiosk is online,
without guessing the allocation.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.config import KioskConfig
from kiosk.receipt_escpos import render_escpos
from kiosk.receipts import (
    BillPaid,
    CardTender,
    CashTender,
    PaymentStatus,
    QrTender,
    Receipt,
    Tender,
    render_text,
)


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
) -> Receipt:
    """``row`` is the journal's derived transaction row (kiosk.projection.transactions);
    ``pending`` the payment's notes whose outcome is not known yet (Engine.pending_notes)."""
    answer: dict[str, Any] | None = json.loads(row.answer) if row.answer else None
    status = PaymentStatus.POSTED if answer else PaymentStatus.QUEUED
    tender: Tender
    if row.method == "cash":
        tender = CashTender({int(k): v for k, v in json.loads(row.notes).items()})
    elif row.method == "card":
        tender = CardTender(row.card_no or "")
    else:
        tender = QrTender(row.qr_order_id or "")
    bills: tuple[BillPaid, ...] = ()
    credited = 0
    new_balance = None
    check_url = None
    if answer is not None:
        bills = tuple(
            BillPaid(a["period"], a["late_fee_fen"], a["principal_fen"])
            for a in answer.get("allocations", [])
        )
        credited = int(answer.get("credited_to_balance_fen", 0))
        new_balance = answer.get("balance_fen")
        check_url = answer.get("receipt_url")
    applied = (
        row.cash_fen
        if row.method == "cash"
        else (sum(b.total_fen for b in bills) + credited if answer else row.target_fen)
    )
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
