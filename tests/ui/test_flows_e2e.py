"""Every customer flow, end to end: the real window over the real engine, journal, cash and
printer emulators on ptys and the real central server, driven only through the widgets.

Devices are driven from the test (a note inserted, a jam, paper out, the phone paying the QR
code); the test waits on what the screen shows, then checks the money on the server and in
the journal.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("PySide6")

from kiosk import projection
from kiosk.money import format_fen
from tests.support.central_server import (  # noqa: F401 - pytest fixtures
    CentralServer,
    central_server,
    shared_central_server,
)
from tests.ui.e2e_helpers import (
    Customer,
    expire_qr_order,
    journal_kinds,
    kiosk_session,
    new_card,
    wallet_pays,
)
from ui.i18n import tr
from ui.messages import error_text, reason_text


@pytest.fixture
def customer(
    qtbot: Any,
    tmp_path: Path,
    shared_central_server: CentralServer,  # noqa: F811 - the fixture imported above
) -> Iterator[Customer]:
    with kiosk_session(qtbot, tmp_path, shared_central_server) as session:
        yield session


def zh(msg_id: str, **values: object) -> str:
    return tr(msg_id, "zh", **values)


def en(msg_id: str, **values: object) -> str:
    return tr(msg_id, "en", **values)


def finish_cash(customer: Customer) -> str:
    """Touch "finish" (and confirm, when money is still due); wait for the done screen;
    return the transaction number it shows."""
    customer.click("cash_finish")
    if customer.find("partial_confirm").isVisible():
        customer.click("partial_confirm_yes")
    customer.wait_screen("screen_done")
    return customer.done_txn_id()


# ------------------------------------------------------------------------------ cash
def test_cash_exact_amount_is_posted_printed_and_journaled(customer: Customer) -> None:
    stack = customer.stack
    account = stack.server.accounts["residential_paid_up"]
    before = stack.server.balance_fen(account)
    customer.to_cash(account, "20")
    customer.wait_text("cash_still_due", format_fen(2000))
    assert customer.find("cash_cancel").isVisible()  # nothing taken yet
    assert not customer.find("cash_finish").isEnabled()

    stack.insert(1000)
    customer.wait_text("cash_inserted", f"{zh('cash.inserted')}  {format_fen(1000)}")
    customer.wait_text("cash_still_due", format_fen(1000))
    customer.wait_text("cash_cancel_hint", zh("cash.cancel_hint"))
    assert not customer.find("cash_cancel").isEnabled()  # no cancelling after a note
    stack.insert(1000)
    customer.wait_text("cash_inserted", format_fen(2000))

    txn_id = finish_cash(customer)
    customer.wait_text("done_headline", zh("done.posted"))
    customer.wait_text("done_amount", format_fen(2000))
    customer.wait_text("done_printing", zh("print.printed"))
    assert stack.server.payment_count(txn_id) == 1
    assert stack.server.balance_fen(account) == before + 2000
    customer.wait_text("done_balance", format_fen(before + 2000))
    assert txn_id in stack.printer.wait_for_receipt(timeout_s=10).transcript
    assert journal_kinds(stack, txn_id) == [
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
    assert stack.engine.journal.verify().ok

    customer.click("done_home")
    customer.wait_screen("screen_home")


def test_cash_over_the_amount_goes_to_the_prepaid_balance(customer: Customer) -> None:
    stack = customer.stack
    account = stack.server.accounts["residential_paid_up"]
    before = stack.server.balance_fen(account)
    customer.to_cash(account, "5")
    stack.insert(1000)
    customer.wait_text("cash_surplus", format_fen(500))
    customer.wait_text("cash_still_due", format_fen(0))

    txn_id = finish_cash(customer)
    customer.wait_text("done_headline", zh("done.posted"))
    # a paid-up account: the whole note goes to the prepaid balance, no change is given
    customer.wait_text("done_credited", format_fen(1000))
    assert stack.server.balance_fen(account) == before + 1000
    assert stack.server.payment_count(txn_id) == 1
    assert json.loads(stack.engine.txn_row(txn_id).answer)["amount_fen"] == 1000


def test_cash_partial_payment_pays_what_was_inserted(customer: Customer) -> None:
    stack = customer.stack
    account = stack.server.accounts["residential_arrears"]
    credited_before = stack.server.credited_cash_fen(account)
    customer.to_cash(account, "30")
    stack.insert(1000)
    customer.wait_text("cash_still_due", format_fen(2000))
    assert not customer.find("cash_surplus").isVisible()

    customer.click("cash_finish")
    assert customer.find("partial_confirm").isVisible()  # money still due: asked first
    assert format_fen(1000) in customer.find("partial_confirm_message").text()
    txn_id = finish_cash(customer)
    customer.wait_text("done_headline", zh("done.partial"))  # not a plain "paid"
    customer.wait_text("done_amount", format_fen(1000))
    assert customer.find("done_owed").isVisible()
    assert not customer.find("done_credited").isVisible()  # all of it went to the bills
    assert stack.server.payment_count(txn_id) == 1
    assert stack.server.credited_cash_fen(account) == credited_before + 1000
    assert stack.cash.status()["cassette_total_fen"] == 1000


# -------------------------------------------------------------------------------- QR
def show_qr(customer: Customer, account: str, yuan: str) -> str:
    """Up to the QR screen with its code drawn; return the code's payload."""
    customer.to_method(account, yuan)
    customer.click("method_qr")
    customer.wait_screen("screen_qr")
    code = customer.find("qr_code")
    customer.wait_until(lambda: bool(code.payload) and not code.pixmap().isNull(), "QR drawn")
    customer.wait_text("qr_countdown", zh("qr.seconds_left", seconds="").split()[0])
    return str(code.payload)


def test_qr_paid_on_the_phone_is_posted_and_printed(customer: Customer) -> None:
    stack = customer.stack
    account = stack.server.accounts["residential_arrears"]
    payload = show_qr(customer, account, "12.34")
    customer.wait_text("qr_amount", format_fen(1234))

    wallet_pays(stack.server, payload)
    customer.wait_screen("screen_done")
    customer.wait_text("done_headline", zh("done.posted"))
    customer.wait_text("done_amount", format_fen(1234))
    customer.wait_text("done_printing", zh("print.printed"))
    txn_id = customer.done_txn_id()
    assert stack.server.payment_count(txn_id) == 1
    assert journal_kinds(stack, txn_id) == [
        "opened",
        "qr_order",
        "posted",
        "closed",
        "receipt_printed",
    ]


def test_qr_expired_ends_the_payment_with_nothing_charged(customer: Customer) -> None:
    stack = customer.stack
    payload = show_qr(customer, stack.server.accounts["residential_arrears"], "10")

    expire_qr_order(stack.server, payload.rstrip("/").rsplit("/", 1)[-1])
    customer.wait_screen("screen_done")
    customer.wait_text("done_headline", zh("done.cancelled"))
    txn_id = customer.done_txn_id()
    assert stack.engine.txn_row(txn_id).state == projection.TxnState.CANCELLED
    assert "qr_closed" in journal_kinds(stack, txn_id)
    assert stack.server.payment_count(txn_id) == 0
    customer.click("done_home")
    customer.wait_screen("screen_home")


def test_qr_expiry_is_explained_to_the_customer(customer: Customer) -> None:
    stack = customer.stack
    payload = show_qr(customer, stack.server.accounts["residential_arrears"], "10")
    expire_qr_order(stack.server, payload.rstrip("/").rsplit("/", 1)[-1])
    customer.wait_text("done_headline", zh("done.cancelled"))
    assert customer.find("done_reason").isVisible()
    assert customer.label("done_reason") == error_text({"code": "qr_expired"}, "zh")


def test_qr_cancelled_by_the_customer(customer: Customer) -> None:
    stack = customer.stack
    show_qr(customer, stack.server.accounts["residential_arrears"], "10")

    customer.click("qr_cancel")
    customer.wait_screen("screen_done")
    customer.wait_text("done_headline", zh("done.cancelled"))
    txn_id = customer.done_txn_id()
    assert stack.engine.txn_row(txn_id).state == projection.TxnState.CANCELLED
    assert stack.server.payment_count(txn_id) == 0
    assert not customer.find("done_amount").isVisible()


# ------------------------------------------------------------------------------ card
def enter_card(customer: Customer, account: str, card_no: str, pin: str) -> None:
    customer.to_account(account, mode="home_card")
    customer.click("shown_card")
    customer.wait_screen("screen_card")
    customer.keypad("card_keypad", card_no, ok=True)  # OK moves on to the PIN
    customer.keypad("card_keypad", pin, ok=True)


def test_card_wrong_pin_then_right_pin(customer: Customer, tmp_path: Path) -> None:
    stack = customer.stack
    account = stack.server.accounts["residential_paid_up"]
    card = new_card(stack.server, tmp_path, face_fen=5000)
    wrong = "".join("1" if digit != "1" else "2" for digit in card.pin)
    before = stack.server.balance_fen(account)

    enter_card(customer, account, card.card_no, wrong)
    customer.wait_text("card_error", zh("card.attempts_left", n=4))
    customer.wait_screen("screen_card")
    typed = customer.find("card_number").text()
    assert typed.replace(" ", "") == card.card_no  # only the PIN is typed again
    assert customer.find("card_pin").text() == ""
    assert stack.server.balance_fen(account) == before

    customer.keypad("card_keypad", card.pin, ok=True)
    customer.wait_screen("screen_done")
    customer.wait_text("done_headline", zh("done.posted"))
    customer.wait_text("done_amount", format_fen(card.face_fen))
    txn_id = customer.done_txn_id()
    assert stack.server.payment_count(txn_id) == 1
    assert stack.server.balance_fen(account) == before + card.face_fen
    receipt = stack.printer.wait_for_receipt(timeout_s=10)
    assert card.card_no not in receipt.transcript  # only the last digits are printed
    assert journal_kinds(stack, txn_id)[-1] == "receipt_printed"


def test_card_used_once_is_refused_the_second_time(customer: Customer, tmp_path: Path) -> None:
    stack = customer.stack
    account = stack.server.accounts["residential_paid_up"]
    card = new_card(stack.server, tmp_path, face_fen=2000)
    enter_card(customer, account, card.card_no, card.pin)
    customer.wait_text("done_headline", zh("done.posted"))
    customer.click("done_home")
    customer.wait_screen("screen_home")
    balance = stack.server.balance_fen(account)

    # The next customer finds the previous number still typed (the bug pinned by
    # test_the_next_customer_finds_every_field_empty): clear the fields as one would.
    customer.click("home_card")
    customer.wait_screen("screen_account_entry")
    customer.click("account_keypad_key_clear")
    customer.keypad("account_keypad", account, ok=True)
    customer.wait_screen("screen_account_shown")
    customer.click("shown_card")
    customer.wait_screen("screen_card")
    customer.tap("card_number")
    customer.click("card_keypad_key_clear")
    customer.keypad("card_keypad", card.card_no, ok=True)
    customer.keypad("card_keypad", card.pin, ok=True)
    customer.wait_text("card_error", error_text({"code": "card_used"}, "zh"))
    customer.wait_screen("screen_card")
    assert stack.server.balance_fen(account) == balance

    customer.click("card_cancel")
    customer.wait_text("done_headline", zh("done.cancelled"))


def test_the_next_customer_finds_every_field_empty(customer: Customer, tmp_path: Path) -> None:
    stack = customer.stack
    account = stack.server.accounts["residential_paid_up"]
    card = new_card(stack.server, tmp_path, face_fen=1000)
    enter_card(customer, account, card.card_no, card.pin)
    customer.wait_text("done_headline", zh("done.posted"))
    customer.click("done_home")
    customer.wait_screen("screen_home")

    customer.click("home_pay")  # the next customer pays another amount, then cancels
    customer.wait_screen("screen_account_entry")
    assert customer.find("account_input").text() == ""
    customer.keypad("account_keypad", account, ok=True)
    customer.wait_screen("screen_account_shown")
    customer.click("shown_other")
    customer.keypad("amount_keypad", "10", ok=True)
    customer.wait_screen("screen_method")
    customer.click("method_cash")
    customer.click("cash_cancel")
    customer.wait_text("done_headline", zh("done.cancelled"))
    customer.click("done_home")
    customer.wait_screen("screen_home")

    customer.click("home_card")  # and the one after pays by card
    customer.wait_screen("screen_account_entry")
    assert customer.find("account_input").text() == ""
    customer.keypad("account_keypad", account, ok=True)
    customer.wait_screen("screen_account_shown")
    assert not customer.find("amount_panel").isVisible()
    assert customer.find("amount_input").text() == ""
    customer.click("shown_card")
    customer.wait_screen("screen_card")
    assert customer.find("card_number").text() == ""
    customer.keypad("card_keypad", "1")
    assert customer.find("card_number").text() == "1"  # the keypad types the number first


# --------------------------------------------------------------------- account lookup
def test_unknown_account_is_explained_and_another_can_be_scanned(customer: Customer) -> None:
    server = customer.stack.server
    customer.click("home_pay")
    customer.wait_screen("screen_account_entry")
    customer.scan(server.accounts["unknown"])
    customer.wait_banner(error_text({"code": "account_not_found"}, "zh"))
    customer.wait_screen("screen_account_entry")
    assert customer.find("account_input").text() == server.accounts["unknown"]

    customer.click("account_keypad_key_clear")
    customer.scan(server.accounts["residential_paid_up"])
    customer.wait_screen("screen_account_shown")
    customer.wait_text("shown_account_no", server.accounts["residential_paid_up"])
    assert customer.banner() == ""


def test_server_offline_during_lookup_is_explained_then_retried(
    qtbot: Any,
    tmp_path: Path,
    central_server: CentralServer,  # noqa: F811 - its own server: this test stops it
) -> None:
    account = central_server.accounts["residential_arrears"]
    with kiosk_session(qtbot, tmp_path, central_server) as customer:
        customer.click("home_pay")
        customer.wait_screen("screen_account_entry")
        customer.keypad("account_keypad", account)
        central_server.process.send_signal(signal.SIGSTOP)  # the server stops answering
        try:
            customer.click("account_keypad_key_ok")
            customer.wait_screen("screen_looking_up")
            # The title's template has the number, but the snapshot has none while looking up.
            customer.wait_text("lookup_title", zh("lookup.title", account_no="").strip())
            customer.click("lookup_cancel")  # the customer gives up waiting
            customer.wait_screen("screen_account_entry")
            assert customer.banner() == ""

            customer.click("account_keypad_key_ok")
            customer.wait_screen("screen_looking_up")
            customer.wait_banner(error_text({"code": "server_offline"}, "zh"))
            customer.wait_screen("screen_account_entry")
        finally:
            central_server.process.send_signal(signal.SIGCONT)
        customer.click("account_keypad_key_ok")  # the number is still there: try again
        customer.wait_screen("screen_account_shown")
        customer.wait_text("shown_account_no", account)
        customer.wait_text("shown_holder", "*")  # the holder's name is masked


# --------------------------------------------------------------------------- devices
def test_acceptor_jam_mid_payment_credits_what_was_taken(customer: Customer) -> None:
    stack = customer.stack
    account = stack.server.accounts["residential_arrears"]
    credited_before = stack.server.credited_cash_fen(account)
    customer.to_cash(account, "100")
    stack.insert(5000)
    customer.wait_text("cash_inserted", format_fen(5000))
    stack.cash.wait_for(lambda status: status["phase"] == "settled")  # the note is in the box

    stack.cash.jam()
    customer.wait_screen("screen_done")
    customer.wait_text("done_headline", zh("done.partial"))  # less than chosen
    customer.wait_text("done_amount", format_fen(5000))
    assert customer.find("done_owed").isVisible()
    customer.wait_text("done_reason", error_text({"code": "acceptor_fault"}, "zh"))
    txn_id = customer.done_txn_id()
    assert stack.server.payment_count(txn_id) == 1
    assert stack.server.credited_cash_fen(account) == credited_before + 5000

    stack.cash.clear_jam()
    customer.click("done_home")
    customer.wait_screen("screen_home")


def test_printer_out_of_paper_before_payment_greys_out_the_methods(customer: Customer) -> None:
    stack = customer.stack
    customer.to_method(stack.server.accounts["residential_paid_up"], "10")
    stack.printer.paper_out()
    cash = customer.find("method_cash")
    # The kiosk checks the printer when cash is chosen (or in its periodic check, if sooner).
    chose_cash = cash.isEnabled()
    if chose_cash:
        customer.click("method_cash")
    paper_out = zh("method.unavailable", reason=reason_text("printer_paper_out", "zh"))
    customer.wait_text("method_cash_reason", paper_out)
    customer.wait_text("method_qr_reason", paper_out)
    assert not cash.isEnabled()
    assert not customer.find("method_qr").isEnabled()
    customer.wait_screen("screen_method")
    if chose_cash:
        detail = {"method": "cash", "reason": "printer_paper_out"}
        none = {m: {"ok": False} for m in ("cash", "qr", "card")}  # nothing else to choose
        error = {"code": "method_unavailable", "detail": detail}
        customer.wait_banner(error_text(error, "zh", none))
    assert stack.cash.status()["enabled_fen"] == []  # no note can be taken

    stack.printer.ready()  # the periodic printer check (every 10 s) brings the methods back
    customer.wait_until(cash.isEnabled, "cash offered again once the paper is back")
    customer.click("method_cash")
    customer.wait_screen("screen_cash")
    customer.click("cash_cancel")
    customer.wait_text("done_headline", zh("done.cancelled"))


def test_printer_out_of_paper_after_payment_shows_the_receipt_as_a_qr_code(
    customer: Customer,
) -> None:
    stack = customer.stack
    account = stack.server.accounts["residential_paid_up"]
    before = stack.server.balance_fen(account)
    customer.to_cash(account, "10")
    stack.printer.paper_out()  # runs out after the check made when cash was chosen
    stack.insert(1000)
    customer.wait_text("cash_inserted", format_fen(1000))

    txn_id = finish_cash(customer)
    customer.wait_text("done_headline", zh("done.posted"))
    customer.wait_text("done_printing", zh("print.failed", where=zh("where.below")))
    receipt_qr = customer.find("done_receipt_qr")
    customer.wait_until(receipt_qr.isVisible, "the receipt's QR code shown")
    assert txn_id in str(receipt_qr.payload)
    assert not receipt_qr.pixmap().isNull()
    assert "receipt_failed" in journal_kinds(stack, txn_id)
    assert stack.server.balance_fen(account) == before + 1000
    assert stack.printer.receipts == []


# ------------------------------------------------------------------------------ idle
def test_idle_customer_with_cash_is_finished_and_credited(
    qtbot: Any,
    tmp_path: Path,
    shared_central_server: CentralServer,  # noqa: F811 - the fixture imported above
) -> None:
    server = shared_central_server
    account = server.accounts["residential_arrears"]
    credited_before = server.credited_cash_fen(account)
    with kiosk_session(qtbot, tmp_path, server) as customer:
        timeouts = customer.stack.config.timeouts  # passed on the engine's clock at once
        customer.to_cash(account, "50")
        customer.stack.insert(2000)
        customer.wait_text("cash_inserted", format_fen(2000))
        customer.stack.skip(timeouts.idle_prompt_s)
        customer.wait_text("idle_title", zh("idle.title"))  # "need more time?"
        # with money in: the payment ends by itself and the money is credited, not "home"
        customer.wait_text("idle_seconds", "计入您的账户")

        customer.stack.skip(timeouts.idle_finish_s)
        customer.wait_screen("screen_done")  # nobody answered: the engine finishes the payment
        customer.wait_text("done_headline", zh("done.partial"))  # less than chosen
        customer.wait_text("done_amount", format_fen(2000))
        assert customer.find("done_owed").isVisible()
        assert not customer.find("idle_prompt").isVisible()
        txn_id = customer.done_txn_id()
        closed = [
            event
            for event in customer.stack.engine.journal.events(txn_id=txn_id)
            if event.kind == "closed"
        ]
        assert closed[0].payload["reason"] == "idle_timeout"
        assert server.payment_count(txn_id) == 1
        assert server.credited_cash_fen(account) == credited_before + 2000


def test_idle_customer_without_cash_is_asked_then_sent_home(
    qtbot: Any,
    tmp_path: Path,
    shared_central_server: CentralServer,  # noqa: F811 - the fixture imported above
) -> None:
    server = shared_central_server
    with kiosk_session(qtbot, tmp_path, server) as customer:
        timeouts = customer.stack.config.timeouts  # passed on the engine's clock at once
        customer.to_cash(server.accounts["residential_arrears"], "50")
        prompt = customer.find("idle_prompt")
        customer.stack.skip(timeouts.idle_prompt_s)
        customer.wait_until(prompt.isVisible, "the need-more-time prompt")
        customer.click("idle_still_here")
        customer.wait_until(lambda: not prompt.isVisible(), "the prompt gone after 'yes'")
        customer.wait_screen("screen_cash")
        assert customer.stack.cash.status()["enabled_fen"]  # still taking notes

        customer.stack.skip(timeouts.idle_prompt_s)
        customer.wait_until(prompt.isVisible, "the prompt again")
        customer.stack.skip(timeouts.idle_finish_s)
        customer.wait_screen("screen_done")  # no answer this time
        customer.wait_text("done_headline", zh("done.cancelled"))
        txn_id = customer.done_txn_id()
        customer.stack.skip(timeouts.done_screen_s)
        customer.wait_screen("screen_home")  # the done screen times out to home by itself
        assert customer.stack.engine.txn_row(txn_id).state == projection.TxnState.CANCELLED
        assert server.payment_count(txn_id) == 0
        assert customer.stack.cash.status()["enabled_fen"] == []


# -------------------------------------------------------------------------- language
def test_language_switch_mid_flow_keeps_the_payment(customer: Customer) -> None:
    stack = customer.stack
    account = stack.server.accounts["residential_paid_up"]
    before = stack.server.balance_fen(account)
    customer.click("home_pay")
    customer.wait_screen("screen_account_entry")
    customer.wait_text("account_title", zh("account.title"))
    customer.keypad("account_keypad", account[:5])

    customer.click("language_switch")  # English in the middle of typing the number
    customer.wait_text("account_title", en("account.title"))
    assert customer.find("language_switch").text() == en("lang.switch")
    assert customer.find("account_input").text() == account[:5]  # nothing typed is lost
    customer.keypad("account_keypad", account[5:], ok=True)
    customer.wait_screen("screen_account_shown")
    customer.wait_text("shown_title", en("shown.title"))
    customer.click("shown_other")
    customer.keypad("amount_keypad", "10", ok=True)
    customer.wait_screen("screen_method")
    customer.wait_text("method_title", en("method.title"))
    customer.click("method_cash")
    customer.wait_screen("screen_cash")
    stack.wait_enabled()
    customer.wait_text("cash_title", en("cash.title"))

    stack.insert(1000)
    customer.wait_text("cash_inserted", f"{en('cash.inserted')}  {format_fen(1000)}")
    customer.click("language_switch")  # and back to Chinese with a note already in
    customer.wait_text("cash_inserted", f"{zh('cash.inserted')}  {format_fen(1000)}")
    customer.wait_text("cash_title", zh("cash.title"))
    customer.click("language_switch")

    txn_id = finish_cash(customer)
    customer.wait_text("done_headline", en("done.posted"))
    customer.wait_text("done_printing", en("print.printed"))
    assert stack.server.payment_count(txn_id) == 1
    assert stack.server.balance_fen(account) == before + 1000

    customer.click("done_home")  # the next customer starts in the default language
    customer.wait_screen("screen_home")
    customer.wait_text("home_title", zh("home.title"))
