"""The engine's decisions in-process (tests/support/engine_harness.py): a hand-moved clock,
fake devices and a fake server, the real engine, journal and projection. Timeouts of
seconds or minutes pass in milliseconds; the same rules run end to end, with emulators and
the real server, in test_engine_flows.py and tests/ui/test_flows_e2e.py."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.cash.api import Decision, Disconnected, Ready
from drivers.printer.status import PrinterState
from kiosk.central_client import CentralOffline
from kiosk.engine.card import CARD_POST_ATTEMPTS
from kiosk.engine.cash import STACK_WAIT_S
from tests.support.engine_harness import EngineHarness

ACCOUNT = "3100000001"
DUE = 15000


@pytest.fixture
def h(tmp_path: Path) -> Iterator[EngineHarness]:
    harness = EngineHarness.start(tmp_path)
    harness.central.add_account(ACCOUNT, due_fen=DUE)
    try:
        yield harness
    finally:
        harness.stop()


def settled_kinds(h: EngineHarness, txn_id: str) -> list[str]:
    return [k for k in h.kinds(txn_id) if k not in ("escrow", "receipt_printed")]


# ------------------------------------------------------------------ idle customers
def test_an_idle_customer_is_asked_at_the_prompt_time_then_sent_home(h: EngineHarness) -> None:
    timeouts = h.config.timeouts
    h.intent("start")
    h.intent("enter_account", account_no=ACCOUNT)
    h.advance(timeouts.idle_prompt_s - 0.5)
    assert h.snapshot()["idle_prompt"] is None
    h.advance(0.5)
    assert h.snapshot()["idle_prompt"] == {"seconds_left": timeouts.idle_finish_s}
    h.advance(timeouts.idle_finish_s - 1)
    assert h.snapshot()["idle_prompt"] == {"seconds_left": 1}
    h.advance(1)
    assert h.state == "home"
    assert h.snapshot()["account"] is None  # the next customer sees nothing of this one


def test_a_touch_starts_the_idle_clock_again(h: EngineHarness) -> None:
    timeouts = h.config.timeouts
    h.intent("start")
    h.intent("enter_account", account_no=ACCOUNT)
    h.advance(timeouts.idle_prompt_s + 2)
    assert h.snapshot()["idle_prompt"] is not None
    h.intent("still_here")
    assert h.snapshot()["idle_prompt"] is None
    h.advance(timeouts.idle_prompt_s - 1)
    assert h.state == "account_shown"
    assert h.snapshot()["idle_prompt"] is None


def test_large_text_gives_the_customer_longer(h: EngineHarness) -> None:
    timeouts, factor = h.config.timeouts, h.config.ui.senior_timeout_factor
    h.intent("start")
    h.intent("set_large_text", on=True)
    h.intent("enter_account", account_no=ACCOUNT)
    h.advance(timeouts.idle_prompt_s + 1)
    assert h.snapshot()["idle_prompt"] is None
    h.advance(timeouts.idle_prompt_s * factor - (timeouts.idle_prompt_s + 1))
    assert h.snapshot()["idle_prompt"] == {"seconds_left": int(timeouts.idle_finish_s * factor)}


def test_an_idle_customer_with_cash_in_is_finished_and_credited(h: EngineHarness) -> None:
    timeouts = h.config.timeouts
    snap = h.to_cash_insert(ACCOUNT)
    assert h.acceptor.insert(10000) is Decision.STACK
    h.advance(timeouts.idle_prompt_s + timeouts.idle_finish_s)
    assert h.acceptor.enabled == frozenset()  # no note can go in after the close
    h.flush_outbox()
    snap = h.snapshot()
    assert snap["state"] == "done"
    assert snap["result"]["amount_fen"] == 10000
    txn_id = snap["txn_id"]
    assert h.central.payments[txn_id]["amount_fen"] == 10000
    assert settled_kinds(h, txn_id) == ["opened", "stacked", "closed", "queued", "posted"]


def test_the_done_screen_goes_home_by_itself(h: EngineHarness) -> None:
    h.to_cash_insert(ACCOUNT)
    h.acceptor.insert(5000)
    h.intent("finish")
    h.flush_outbox()
    assert h.state == "done"
    assert h.snapshot()["home_in_s"] == h.config.timeouts.done_screen_s
    h.advance(h.config.timeouts.done_screen_s)
    assert h.state == "home"


# ------------------------------------------------------------------ the stack timeout
def test_a_note_never_reported_is_shown_pending_then_credited_once_when_reported(
    h: EngineHarness,
) -> None:
    h.to_cash_insert(ACCOUNT)
    h.acceptor.insert(10000)
    h.acceptor.insert(5000, stacked=False)  # STACK sent; the device says nothing
    assert h.snapshot()["cash"]["in_escrow_fen"] == 5000
    h.intent("finish")
    assert h.state == "processing"  # waits for the note under STACK
    h.advance(STACK_WAIT_S - 0.1)
    assert h.state == "processing"
    h.advance(0.1)
    snap = h.snapshot()
    assert snap["state"] == "done"
    assert snap["result"]["pending_fen"] == 5000
    assert snap["result"]["pending_notes"] == {"5000": 1}
    txn_id = snap["txn_id"]
    assert "closed" not in h.kinds(txn_id)  # held open until the note is settled

    h.acceptor.report_stacked()  # the device speaks again
    h.flush_outbox()
    assert h.kinds(txn_id).count("stacked") == 2
    assert h.kinds(txn_id).count("closed") == 1
    assert h.central.payments[txn_id]["amount_fen"] == 15000
    assert h.central.calls.count("post_payment") == 1


def test_an_unreported_note_holds_cash_back_then_goes_to_a_technician(
    h: EngineHarness,
) -> None:
    """While the device may still report the note, no new cash is taken; once recovery's
    window closes with the device ready and silent, the note is a suspect for a person to
    settle, and cash is offered again."""
    h.to_cash_insert(ACCOUNT)
    h.acceptor.insert(5000, stacked=False)
    h.intent("finish")
    h.advance(STACK_WAIT_S)
    txn_id = h.snapshot()["txn_id"]
    assert h.snapshot()["methods"]["cash"] == {"ok": False, "reason": "recovering"}
    h.advance(h.config.timeouts.done_screen_s)
    assert h.state == "home"
    assert h.snapshot()["recovering"] is False
    assert h.snapshot()["methods"]["cash"]["ok"] is True
    assert "suspect" in h.kinds(txn_id)
    assert txn_id not in h.central.payments  # nothing posted for a note nobody saw stacked


# ------------------------------------------------------------------ escrow rules
def test_a_note_over_the_payment_limit_is_returned(tmp_path: Path) -> None:
    h = EngineHarness.start(tmp_path, limits={"max_payment_fen": 12000})
    try:
        h.central.add_account(ACCOUNT, due_fen=DUE)
        h.to_cash_insert(ACCOUNT, amount_fen=12000)
        assert h.acceptor.insert(10000) is Decision.STACK
        assert h.acceptor.insert(5000) is Decision.RETURN
        assert h.acceptor.returned == [5000]
        assert h.snapshot()["cash"]["inserted_fen"] == 10000
    finally:
        h.stop()


def test_a_partial_payment_says_what_is_still_owed(h: EngineHarness) -> None:
    h.to_cash_insert(ACCOUNT)
    h.acceptor.insert(10000)
    cash = h.snapshot()["cash"]
    assert (cash["inserted_fen"], cash["still_due_fen"], cash["surplus_fen"]) == (10000, 5000, 0)
    h.intent("finish")
    h.flush_outbox()
    result = h.snapshot()["result"]
    assert result["status"] == "posted"
    assert result["amount_fen"] == 10000
    assert h.central.payments[h.snapshot()["txn_id"]]["amount_fen"] == 10000


def test_a_surplus_goes_to_the_balance(h: EngineHarness) -> None:
    h.to_cash_insert(ACCOUNT)
    h.acceptor.insert(10000)
    h.acceptor.insert(10000)
    assert h.snapshot()["cash"]["surplus_fen"] == 5000
    h.intent("finish")
    h.flush_outbox()
    assert h.snapshot()["result"]["credited_to_balance_fen"] == 5000


def test_cancel_is_refused_once_a_note_is_in(h: EngineHarness) -> None:
    h.to_cash_insert(ACCOUNT)
    h.acceptor.insert(5000)
    h.intent("cancel")
    assert h.state == "cash_insert"
    assert h.engine.refused and "cancel" in h.engine.refused[-1]


def test_an_acceptor_lost_mid_payment_closes_with_what_was_taken(h: EngineHarness) -> None:
    h.to_cash_insert(ACCOUNT)
    h.acceptor.insert(5000)
    h.acceptor.event(Disconnected("cable pulled"))
    h.flush_outbox()
    snap = h.snapshot()
    assert snap["state"] == "done"
    assert snap["error"]["code"] == "acceptor_fault"
    assert h.central.payments[snap["txn_id"]]["amount_fen"] == 5000
    assert snap["methods"]["cash"]["ok"] is False
    h.acceptor.event(Ready(h.acceptor.identity, h.acceptor.table))
    assert h.snapshot()["methods"]["cash"]["ok"] is True


# ------------------------------------------------------------------ QR codes
def to_qr_wait(h: EngineHarness) -> str:
    h.intent("start")
    h.intent("enter_account", account_no=ACCOUNT)
    h.intent("choose_amount", amount_fen=None)
    snap = h.intent("choose_method", method="qr")
    assert snap["state"] == "qr_wait", snap["error"]
    return str(snap["qr"]["order_id"])


def test_a_qr_order_the_server_expires_ends_with_nothing_charged(h: EngineHarness) -> None:
    order_id = to_qr_wait(h)
    h.central.expire_qr(order_id)
    h.advance(h.config.timeouts.qr_poll_interval_s)
    snap = h.snapshot()
    assert snap["state"] == "cancelled"
    assert snap["error"]["code"] == "qr_expired"
    assert h.kinds(snap["txn_id"]) == ["opened", "qr_order", "qr_closed", "cancelled"]
    assert not h.central.payments


def test_a_qr_order_past_its_time_with_the_server_silent_is_ended_and_explained(
    h: EngineHarness,
) -> None:
    """The kiosk's own expiry timer (the server's five minutes and a margin) ends the wait
    when the server cannot say so, tells the customer why, and cancels the order."""
    to_qr_wait(h)
    left = h.snapshot()["qr"]["seconds_left"]
    assert 300 <= left <= 306
    h.central.down = CentralOffline("network down")
    h.advance(left - 1)
    assert h.state == "qr_wait"
    h.advance(1)
    snap = h.snapshot()
    assert snap["state"] == "cancelled"
    assert snap["error"]["code"] == "qr_expired"
    assert h.kinds(snap["txn_id"]) == ["opened", "qr_order", "qr_closed", "cancelled"]
    assert "cancel_qr_order" in h.central.calls  # asked, though the server is away
    assert not h.central.payments


def test_a_qr_order_paid_on_the_phone_is_shown_paid_at_the_next_poll(h: EngineHarness) -> None:
    order_id = to_qr_wait(h)
    h.central.pay_qr(order_id)
    h.advance(h.config.timeouts.qr_poll_interval_s)
    snap = h.snapshot()
    assert snap["state"] == "done"
    assert snap["result"]["status"] == "posted"
    assert snap["result"]["amount_fen"] == DUE
    assert h.kinds(snap["txn_id"])[:4] == ["opened", "qr_order", "posted", "closed"]


def test_a_qr_order_paid_while_the_customer_cancels_counts_as_paid(h: EngineHarness) -> None:
    order_id = to_qr_wait(h)
    h.loop.hold_background = True
    h.intent("cancel")
    h.central.pay_qr(order_id)  # paid on the phone before the cancel reaches the server
    h.loop.hold_background = False
    h.loop.run_held()
    snap = h.snapshot()
    assert snap["state"] == "done"
    assert snap["result"]["status"] == "posted"


# ------------------------------------------------------------------ the server's answers
def test_an_answer_for_an_earlier_customer_is_ignored(h: EngineHarness) -> None:
    h.intent("start")
    h.loop.hold_background = True
    h.intent("enter_account", account_no=ACCOUNT)
    assert h.snapshot()["pending_account_no"] == ACCOUNT
    h.intent("home")
    h.intent("start")
    h.loop.hold_background = False
    h.loop.run_held()  # the first customer's lookup answers now
    snap = h.snapshot()
    assert snap["state"] == "account_entry"
    assert snap["account"] is None


def test_an_unknown_account_is_explained_and_nothing_is_opened(h: EngineHarness) -> None:
    h.intent("start")
    snap = h.intent("enter_account", account_no="3100009999")
    assert snap["state"] == "account_entry"
    assert snap["error"]["code"] == "account_not_found"
    assert h.journal.events(kinds=("opened",)) == []


def test_a_server_down_at_lookup_says_so_and_cash_stays_on_offer(h: EngineHarness) -> None:
    h.central.down = CentralOffline("connection refused")
    h.intent("start")
    snap = h.intent("enter_account", account_no=ACCOUNT)
    assert snap["state"] == "account_entry"
    assert snap["error"]["code"] == "server_offline"
    h.central.down = None
    snap = h.intent("enter_account", account_no=ACCOUNT)
    assert snap["state"] == "account_shown"


# ------------------------------------------------------------------ recharge cards
CARD, PIN = "8800123456789012", "246810"


def to_card_entry(h: EngineHarness) -> None:
    h.intent("start")
    h.intent("enter_account", account_no=ACCOUNT)
    h.intent("choose_amount", amount_fen=None)
    snap = h.intent("choose_method", method="card")
    assert snap["state"] == "card_entry", snap["error"]


def test_a_recharge_card_pays_its_face_value_and_the_pin_is_kept_nowhere(
    h: EngineHarness,
) -> None:
    h.central.add_card(CARD, PIN, 20000)
    to_card_entry(h)
    snap = h.intent("submit_card", card_no=CARD, pin=PIN)
    assert snap["state"] == "done"
    assert snap["result"]["status"] == "posted"
    assert snap["result"]["amount_fen"] == 20000
    assert snap["result"]["credited_to_balance_fen"] == 5000  # 200 yuan for 150 owed
    journal_text = "".join(str(e.payload) for e in h.journal.events())
    assert PIN not in journal_text and CARD not in journal_text  # masked: 8800********9012
    assert PIN not in str(h.published)


def test_a_wrong_pin_says_how_many_tries_are_left_and_opens_nothing(h: EngineHarness) -> None:
    h.central.add_card(CARD, PIN, 20000)
    to_card_entry(h)
    snap = h.intent("submit_card", card_no=CARD, pin="000000")
    assert snap["state"] == "card_entry"
    assert snap["card"] == {"error": "card_pin_invalid", "attempts_left": 4}
    assert snap["txn_id"] is None
    snap = h.intent("submit_card", card_no=CARD, pin=PIN)
    assert snap["result"]["amount_fen"] == 20000


def test_a_card_payment_the_server_never_answers_goes_to_a_technician(h: EngineHarness) -> None:
    """The server may have applied the card: never guessed, never posted again."""
    h.central.add_card(CARD, PIN, 20000)
    to_card_entry(h)
    h.central.down = CentralOffline("network down")
    snap = h.intent("submit_card", card_no=CARD, pin=PIN)
    assert snap["state"] == "done"
    assert snap["result"]["status"] == "unconfirmed"
    kinds = h.kinds(snap["txn_id"])
    assert "needs_attention" in kinds and kinds[-1] == "closed"
    h.central.down = None
    h.flush_outbox()
    assert h.central.calls.count("post_payment") == CARD_POST_ATTEMPTS  # none after the verdict


def test_a_malformed_card_number_is_refused_before_anything_is_journaled(
    h: EngineHarness,
) -> None:
    to_card_entry(h)
    snap = h.intent("submit_card", card_no="12AB", pin=PIN)
    assert snap["card"] == {"error": "card_format"}
    assert h.journal.events(kinds=("opened",)) == []


# ------------------------------------------------------------------ the printer
def test_paper_out_before_the_method_is_chosen_is_said_up_front(h: EngineHarness) -> None:
    h.printer.state = PrinterState.PAPER_OUT
    h.intent("start")
    h.intent("enter_account", account_no=ACCOUNT)
    snap = h.intent("choose_amount", amount_fen=None)
    assert snap["printer"] == {
        "can_print": False,
        "reason": "printer_paper_out",
        "onscreen_receipt": h.config.printer.onscreen_receipt_fallback,
    }


def test_a_replaced_config_changes_what_is_offered_at_the_next_snapshot(
    h: EngineHarness,
) -> None:
    assert h.snapshot()["methods"]["cash"]["ok"] is True
    engine = h.engine
    engine.config = dataclasses.replace(
        engine.config, cash=dataclasses.replace(engine.config.cash, enabled=False)
    )
    engine.touch()  # any event publishes a snapshot
    assert h.snapshot()["methods"]["cash"]["ok"] is False
