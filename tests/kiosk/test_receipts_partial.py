"""A partial payment's receipt says what is still owed and by when; card numbers masked."""

import dataclasses
import json
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from kiosk.payment_receipt import CardTender, CashTender, PaymentStatus, Receipt, mask_card
from kiosk.receipt_checks import ReceiptError
from kiosk.receipt_facts import receipt_for, still_owed
from kiosk.receipts import render_text

BEIJING = timezone(timedelta(hours=8))
BILLS = [
    {
        "period": "2026-10",
        "amount_fen": 9630,
        "paid_fen": 0,
        "late_fee_fen": 0,
        "due_date": "2026-11-15",
    },
    {
        "period": "2026-09",
        "amount_fen": 24000,
        "paid_fen": 0,
        "late_fee_fen": 370,
        "due_date": "2026-10-15",
    },
]


def queued_cash(**changes: object) -> Receipt:
    receipt = Receipt(
        utility_name="示范供电公司",
        kiosk_location="营业厅一号机",
        kiosk_id="K0001",
        txn_id="K0001-00000042",
        paid_at=datetime(2026, 11, 2, 10, 15, tzinfo=BEIJING),
        account_no="1000000001",
        holder_masked="王*明",
        bills=(),
        tender=CashTender({5000: 1}),
        amount_applied_fen=5000,
        credited_to_balance_fen=0,
        new_balance_fen=None,
        status=PaymentStatus.QUEUED,
        check_url=None,
    )
    return dataclasses.replace(receipt, **changes)


def test_the_engines_masked_card_number_shows_only_the_last_four_digits() -> None:
    assert mask_card("8800********0001") == "************0001"
    text = render_text(queued_cash(tender=CardTender("8800********0001")), columns=48)
    assert "************0001" in text
    assert "8800" not in text


def test_still_owed_applies_the_payment_to_the_oldest_bill_first() -> None:
    assert still_owed(BILLS, 5000) == still_owed(list(reversed(BILLS)), 5000)
    left = still_owed(BILLS, 5000)
    assert left.owed_fen == 24000 + 370 + 9630 - 5000
    assert left.due_date == "2026-10-15"  # the September bill is not paid off
    left = still_owed(BILLS, 24370)
    assert (left.owed_fen, left.due_date) == (9630, "2026-11-15")
    assert still_owed(BILLS, 40000) == type(left)(0, None)


@pytest.mark.parametrize(
    ("language", "owed", "advice"),
    [
        ("zh", "仍欠电费", "已过缴费截止日 2026-10-15"),
        ("en", "Still owed", "Overdue since 2026-10-15"),
    ],
)
def test_a_partial_receipt_names_what_is_owed_and_the_due_date(language, owed, advice) -> None:
    receipt = queued_cash(language=language, still_owed_fen=29000, owed_due_date="2026-10-15")
    text = render_text(receipt, columns=48)
    assert owed in text and "290.00" in text
    assert advice in " ".join(text.split())


def test_a_due_date_still_ahead_is_a_pay_by_date() -> None:
    receipt = queued_cash(still_owed_fen=9630, owed_due_date="2026-11-15")
    assert "请于 2026-11-15 前缴清" in render_text(receipt, columns=48)


def test_a_paid_off_account_prints_no_owed_line() -> None:
    text = render_text(queued_cash(still_owed_fen=0), columns=48)
    assert "仍欠" not in text


def test_a_bad_due_date_is_refused() -> None:
    with pytest.raises(ReceiptError, match="owed_due_date"):
        queued_cash(still_owed_fen=100, owed_due_date="15/10/2026")


def _row(**changes: object) -> SimpleNamespace:
    row = {
        "txn_id": "K0001-00000042",
        "method": "cash",
        "notes": json.dumps({"5000": 1}),
        "cash_fen": 5000,
        "card_no": None,
        "qr_order_id": None,
        "answer": None,
        "amount_due_fen": 34000,
        "target_fen": 34000,
        "closed_at": "2026-11-02T10:15:00+08:00",
        "created_at": "2026-11-02T10:14:00+08:00",
        "account_no": "1000000001",
        "holder": "王*明",
    }
    row.update(changes)
    return SimpleNamespace(**row)


CONFIG = SimpleNamespace(
    kiosk=SimpleNamespace(utility_name="示范供电公司", location="一号机", id="K0001")
)


def test_receipt_for_a_partial_cash_payment_from_the_journal_row() -> None:
    receipt = receipt_for(CONFIG, _row(), language="zh")  # type: ignore[arg-type]
    assert (receipt.amount_applied_fen, receipt.still_owed_fen) == (5000, 29000)
    assert receipt.owed_due_date is None  # no bills given: the amount only
    receipt = receipt_for(CONFIG, _row(), language="zh", account_bills=BILLS)  # type: ignore[arg-type]
    assert (receipt.still_owed_fen, receipt.owed_due_date) == (29000, "2026-10-15")


def test_receipt_for_a_full_payment_owes_nothing() -> None:
    row = _row(notes=json.dumps({"10000": 4}), cash_fen=40000)
    receipt = receipt_for(CONFIG, row, language="en", account_bills=BILLS)  # type: ignore[arg-type]
    assert receipt.still_owed_fen == 0 and receipt.owed_due_date is None
    assert "Still owed" not in render_text(receipt, columns=48)
