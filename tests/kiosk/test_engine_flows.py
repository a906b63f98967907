"""QR, idle, faults and offline through the real engine, emulators and central server."""

import time

import pytest
import requests

from kiosk import projection
from tests.support.kiosk_stack import KioskStack, stack_fixture


@pytest.fixture
def stack(tmp_path, shared_central_server):
    yield from stack_fixture(tmp_path, shared_central_server, protocol="ccnet")


def to_method(stack: KioskStack, account: str, amount_fen: int = 1000) -> None:
    stack.intent("start")
    stack.wait("account_entry")
    stack.intent("enter_account", account_no=account)
    stack.wait("account_shown")
    stack.intent("choose_amount", amount_fen=amount_fen)
    stack.wait("amount_chosen")


def test_qr_paid_on_the_wallet_page_is_journaled_and_printed(stack: KioskStack) -> None:
    account = stack.server.accounts["residential_arrears"]
    to_method(stack, account)
    stack.intent("choose_method", method="qr")
    snap = stack.wait("qr_wait")
    order_id, payload = snap["qr"]["order_id"], snap["qr"]["payload"]
    assert order_id and order_id in payload and snap["qr"]["seconds_left"] > 0
    response = requests.post(f"{stack.server.url}/pay/{order_id}", timeout=5, allow_redirects=False)
    assert response.status_code == 303
    done = stack.wait("done")
    assert done["result"]["status"] == "posted"
    stack.wait_for("result.printing", "printed")
    kinds = [e.kind for e in stack.engine.journal.events(txn_id=snap["txn_id"])]
    assert kinds == ["opened", "qr_order", "posted", "closed", "receipt_printed"]
    assert stack.server.payment_count(snap["txn_id"]) == 1


def test_qr_cancelled_by_the_customer(stack: KioskStack) -> None:
    to_method(stack, stack.server.accounts["residential_arrears"])
    stack.intent("choose_method", method="qr")
    snap = stack.wait("qr_wait")
    stack.intent("cancel")
    stack.wait("cancelled")
    row = stack.engine.txn_row(snap["txn_id"])
    assert row.state == projection.TxnState.CANCELLED
    assert stack.server.payment_count(snap["txn_id"]) == 0


def test_unknown_account_is_explained_and_nothing_opened(stack: KioskStack) -> None:
    stack.intent("start")
    stack.wait("account_entry")
    stack.intent("enter_account", account_no=stack.server.accounts["unknown"])
    snap = stack.wait_for("error.code", "account_not_found")
    assert snap["state"] == "account_entry"
    stack.intent("enter_account", account_no="12ab")
    stack.wait_for("error.code", "account_format")


def test_idle_customer_with_cash_is_finished_and_credited(stack: KioskStack) -> None:
    """The configured timeouts pass on the engine's clock, in milliseconds of real time."""
    timeouts = stack.config.timeouts
    snap = stack.to_cash_insert(stack.server.accounts["residential_arrears"])
    stack.insert(2000)
    stack.wait_for("cash.inserted_fen", 2000)
    stack.skip(timeouts.idle_prompt_s - 1)
    left = stack.engine.call(lambda: stack.engine.timer_remaining("idle_prompt"))
    assert left is not None and 0 < left <= 1.5  # the skip counted, and the prompt is not due
    stack.skip(1)
    stack.wait_for("idle_prompt.seconds_left", timeouts.idle_finish_s)
    stack.skip(timeouts.idle_finish_s)
    done = stack.wait("done")
    assert done["result"]["status"] == "posted"
    closed = [e for e in stack.engine.journal.events(txn_id=snap["txn_id"]) if e.kind == "closed"]
    assert closed[0].payload["reason"] == "idle_timeout"


def test_jam_mid_payment_finishes_with_what_was_taken(stack: KioskStack) -> None:
    snap = stack.to_cash_insert(stack.server.accounts["residential_arrears"])
    stack.insert(5000)
    stack.wait_for("cash.inserted_fen", 5000)
    deadline = time.monotonic() + 10  # the note has left the mechanism: the jam comes after it
    while stack.cash.status()["bill_in_mechanism"] is not None:
        assert time.monotonic() < deadline, stack.cash.status()
        time.sleep(0.02)
    stack.cash.jam()
    done = stack.wait("done")
    assert done["result"]["status"] == "posted"
    assert stack.server.payment_count(snap["txn_id"]) == 1
    stack.cash.clear_jam()
    stack.intent("home")
    stack.wait("home")
    stack.wait_for("methods.cash.ok", True)


def test_printer_out_of_paper_greys_out_payments(stack: KioskStack) -> None:
    stack.printer.paper_out()
    stack.engine.set_timer("health", 0)  # do not wait for the periodic check
    stack.engine.submit(lambda: stack.engine.set_timer("health", 0))
    snap = stack.wait_for("methods.cash.reason", "printer_paper_out")
    assert snap["methods"]["qr"]["ok"] is False
    stack.printer.ready()
    stack.engine.submit(lambda: stack.engine.set_timer("health", 0))
    stack.wait_for("methods.cash.ok", True)


def test_server_down_payment_is_queued_then_posted(tmp_path, central_server) -> None:
    gen = stack_fixture(tmp_path, central_server, protocol="ccnet")
    stack = next(gen)
    try:
        account = central_server.accounts["residential_arrears"]
        stack.intent("start")
        stack.wait("account_entry")
        stack.intent("enter_account", account_no=account)
        stack.wait("account_shown")
        stack.intent("choose_amount", amount_fen=None)
        stack.intent("choose_method", method="cash")
        snap = stack.wait("cash_insert")
        stack.wait_enabled()
        central_server.process.send_signal(19)  # SIGSTOP: the server stops answering
        try:
            stack.insert(1000)
            stack.wait_for("cash.inserted_fen", 1000)
            stack.intent("finish")
            done = stack.wait("done", timeout=30)
            assert done["result"]["status"] == "queued"
            receipt = stack.printer.wait_for_receipt(timeout_s=10)
            assert snap["txn_id"] in receipt.transcript
        finally:
            central_server.process.send_signal(18)  # SIGCONT
        stack.engine.outbox.wake()
        deadline = time.monotonic() + 30
        while stack.engine.txn_row(snap["txn_id"]).outbox != "posted":
            assert time.monotonic() < deadline, "the queued payment was never posted"
            time.sleep(0.2)
        assert central_server.payment_count(snap["txn_id"]) == 1
    finally:
        next(gen, None)


def to_card_entry(stack: KioskStack, account: str) -> None:
    stack.intent("start", mode="card")
    stack.wait("account_entry")
    stack.intent("enter_account", account_no=account)
    stack.wait("account_shown")
    stack.intent("choose_method", method="card")
    stack.wait("card_entry")


def test_card_wrong_pin_then_right_pin_then_used(tmp_path, central_server) -> None:
    gen = stack_fixture(tmp_path, central_server, protocol="ccnet")
    stack = next(gen)
    try:
        account = central_server.accounts["residential_paid_up"]
        card = central_server.cards[0]
        before = central_server.balance_fen(account)
        to_card_entry(stack, account)
        stack.intent("submit_card", card_no=card.card_no, pin="000000")
        snap = stack.wait_for("card.error", "card_pin_invalid")
        assert snap["state"] == "card_entry" and snap["card"]["attempts_left"] == 4
        stack.intent("submit_card", card_no=card.card_no, pin=card.pin)
        done = stack.wait("done")
        assert done["result"]["status"] == "posted"
        assert done["result"]["amount_fen"] == card.face_fen
        assert central_server.balance_fen(account) == before + card.face_fen
        receipt = stack.printer.wait_for_receipt(timeout_s=10)
        assert card.card_no not in receipt.transcript  # only the last four digits
        stack.intent("home")
        stack.wait("home")
        to_card_entry(stack, account)
        stack.intent("submit_card", card_no=card.card_no, pin=card.pin)
        stack.wait_for("card.error", "card_used")
    finally:
        next(gen, None)
