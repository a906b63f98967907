"""A cash payment through the real engine, devices on ptys and the real central server."""

import json

from kiosk import projection
from tests.support.kiosk_stack import KioskStack


def test_exact_cash_payment_is_journaled_posted_and_printed(stack: KioskStack) -> None:
    account = stack.server.accounts["residential_paid_up"]
    before = stack.server.balance_fen(account)
    snap = stack.to_cash_insert(account, amount_fen=2000)
    txn_id = snap["txn_id"]
    assert snap["cash"]["can_cancel"] is True
    stack.insert(1000)
    stack.wait_for("cash.inserted_fen", 1000)
    assert stack.snapshots.latest["cash"]["can_cancel"] is False
    stack.insert(1000)
    stack.wait_for("cash.inserted_fen", 2000)
    stack.intent("finish")
    done = stack.wait("done")
    stack.wait_for("result.printing", "printed")
    assert done["result"]["status"] == "posted"
    receipt = stack.printer.wait_for_receipt(timeout_s=10)
    assert txn_id in receipt.transcript
    kinds = [e.kind for e in stack.engine.journal.events(txn_id=txn_id)]
    assert kinds == [
        "opened",
        "escrow",
        "stacked",
        "escrow",
        "stacked",
        "closed",
        "queued",
        "posted",
        "receipt_printed",
    ]
    assert stack.server.payment_count(txn_id) == 1
    assert stack.server.balance_fen(account) == before + 2000
    assert stack.cash.status()["cassette_total_fen"] == 2000
    assert stack.engine.journal.verify().ok


def test_cancel_before_a_note_returns_home_and_nothing_is_posted(stack: KioskStack) -> None:
    account = stack.server.accounts["residential_arrears"]
    snap = stack.to_cash_insert(account)
    stack.intent("cancel")
    stack.wait("cancelled")
    row = stack.engine.txn_row(snap["txn_id"])
    assert row.state == projection.TxnState.CANCELLED
    assert stack.server.payment_count(snap["txn_id"]) == 0


def test_cancel_after_a_note_is_refused_and_finish_credits_it(stack: KioskStack) -> None:
    account = stack.server.accounts["residential_arrears"]
    snap = stack.to_cash_insert(account)
    stack.insert(5000)
    stack.wait_for("cash.inserted_fen", 5000)
    stack.intent("cancel")
    stack.intent("finish")
    stack.wait("done")
    assert stack.server.payment_count(snap["txn_id"]) == 1
    assert any("refused" in r for r in stack.engine.refused)


def test_overpayment_surplus_goes_to_balance(stack: KioskStack) -> None:
    account = stack.server.accounts["residential_paid_up"]
    snap = stack.to_cash_insert(account, amount_fen=500)
    stack.insert(1000)
    stack.wait_for("cash.surplus_fen", 500)
    stack.intent("finish")
    done = stack.wait("done")
    assert done["result"]["credited_to_balance_fen"] == 1000  # paid-up: all to balance
    answer = json.loads(stack.engine.txn_row(snap["txn_id"]).answer)
    assert answer["amount_fen"] == 1000


def test_unaccepted_denomination_is_returned_and_not_counted(stack: KioskStack) -> None:
    account = stack.server.accounts["residential_paid_up"]
    snap = stack.to_cash_insert(account, amount_fen=1000)
    stack.insert(100)  # ¥1 is in the device's table but not in config's accepted notes
    stack.insert(1000)
    stack.wait_for("cash.inserted_fen", 1000)
    events = stack.engine.journal.events(txn_id=snap["txn_id"])
    decisions = [e.payload["decision"] for e in events if e.kind == "escrow"]
    assert decisions[-1] == "stack"
    assert stack.snapshots.latest["cash"]["notes"] == {"1000": 1}
