"""Payment codes end to end: a real scanner emulator on a pty, the real engine and journal, and
the real central server with its sandbox provider, for each of the sandbox's cases (the code's
last four digits decide): paid at once, paid after the customer confirms, never confirmed
(cancelled and reversed at the deadline), refused for funds, and a provider that times out
first. The journal, the server's ledger and the kiosk's screen must agree, exactly once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.projection import transactions
from tests.reliability.processes import EmulatorProcess
from tests.support.central_server import CentralServer
from tests.support.kiosk_stack import KioskStack

WECHAT = "13" + "0" * 12  # 18 digits with the case's last four


@pytest.fixture
def scanner(tmp_path: Path) -> Iterator[EmulatorProcess]:
    emulator = EmulatorProcess._start(["emulate", "scanner"], tmp_path / "scanner.log")
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def stack(
    tmp_path: Path, shared_central_server: CentralServer, scanner: EmulatorProcess
) -> Iterator[KioskStack]:
    stack = KioskStack.start(
        tmp_path,
        shared_central_server,
        scanner={"url": scanner.device},
        timeouts={"paycode_poll_s": 0.5, "paycode_deadline_s": 12},
    )
    try:
        yield stack
    finally:
        stack.stop()


def to_paycode_scan(stack: KioskStack, account: str) -> None:
    stack.wait_for("methods.paycode.ok", True)
    stack.intent("start")
    stack.wait("account_entry")
    stack.intent("enter_account", account_no=account)
    stack.wait("account_shown")
    stack.intent("choose_amount", amount_fen=5000)
    stack.wait("amount_chosen")
    stack.intent("choose_method", method="paycode")
    stack.wait("paycode_scan")


def journal_kinds(stack: KioskStack, txn_id: str) -> list[str]:
    return [e.kind for e in stack.engine.journal.events(txn_id=txn_id)]


def txn_row(stack: KioskStack, txn_id: str) -> object:
    return stack.engine.journal.read(
        lambda c: c.execute(transactions.select().where(transactions.c.txn_id == txn_id)).one()
    )


@pytest.mark.parametrize("last4", ["0000", "4444"], ids=["paid", "provider_timeout_first"])
def test_a_paid_code_is_posted_once_and_printed_masked(
    stack: KioskStack, scanner: EmulatorProcess, shared_central_server: CentralServer, last4: str
) -> None:
    account = shared_central_server.accounts["residential_paid_up"]
    to_paycode_scan(stack, account)
    code = WECHAT + last4
    assert scanner.ctl(f"scan {code}")["ok"]
    done = stack.wait("done", timeout=60)
    txn_id = done["result"]["txn_id"]
    assert done["result"]["status"] == "posted"
    assert shared_central_server.payment_count(txn_id) == 1
    assert journal_kinds(stack, txn_id)[:3] == ["opened", "posted", "closed"]
    row = txn_row(stack, txn_id)
    assert row.method == "paycode" and row.state == "closed"
    assert "13************" + last4 in done["result"]["receipt_text"]
    everything = json.dumps([e.as_json() for e in stack.engine.journal.events()])
    assert code not in everything  # the bearer code itself is never journaled
    assert code not in json.dumps(stack.snapshots.history)


def test_a_code_confirmed_on_the_phone_is_paid_after_userpaying(
    stack: KioskStack, scanner: EmulatorProcess, shared_central_server: CentralServer
) -> None:
    account = shared_central_server.accounts["residential_paid_up"]
    to_paycode_scan(stack, account)
    assert scanner.ctl(f"scan {WECHAT}1111")["ok"]
    stack.wait_for("paycode.status", "userpaying", timeout=30)
    done = stack.wait("done", timeout=60)
    assert done["result"]["status"] == "posted"
    assert shared_central_server.payment_count(done["result"]["txn_id"]) == 1


def test_a_code_never_confirmed_is_cancelled_and_reversed_at_the_deadline(
    stack: KioskStack, scanner: EmulatorProcess, shared_central_server: CentralServer
) -> None:
    account = shared_central_server.accounts["residential_paid_up"]
    to_paycode_scan(stack, account)
    assert scanner.ctl(f"scan {WECHAT}2222")["ok"]
    stack.wait_for("paycode.status", "userpaying", timeout=30)
    txn_id = stack.snapshots.latest["txn_id"]
    stack.skip(stack.config.timeouts.paycode_deadline_s)  # on the engine's clock, at once
    cancelled = stack.wait("cancelled", timeout=60)
    assert cancelled["result"] == {"status": "cancelled", "reason": "paycode_reversed"}
    assert shared_central_server.credit_count(txn_id) == 0
    assert txn_row(stack, txn_id).state == "cancelled"


def test_insufficient_funds_lets_the_customer_scan_again(
    stack: KioskStack, scanner: EmulatorProcess, shared_central_server: CentralServer
) -> None:
    account = shared_central_server.accounts["residential_paid_up"]
    to_paycode_scan(stack, account)
    assert scanner.ctl(f"scan {WECHAT}3333")["ok"]
    refused = stack.wait_for("paycode.error", "insufficient_funds", timeout=30)
    assert refused["state"] == "paycode_scan"
    assert scanner.ctl(f"scan {WECHAT}0000")["ok"]  # another code, another txn
    done = stack.wait("done", timeout=60)
    assert done["result"]["status"] == "posted"


def test_a_code_that_is_not_a_payment_code_never_leaves_the_kiosk(
    stack: KioskStack, scanner: EmulatorProcess, shared_central_server: CentralServer
) -> None:
    account = shared_central_server.accounts["residential_paid_up"]
    to_paycode_scan(stack, account)
    assert scanner.ctl("scan 6901234567892")["ok"]  # a product bar code (EAN-13)
    refused = stack.wait_for("paycode.error", "unknown_format", timeout=30)
    assert refused["state"] == "paycode_scan"
    assert refused["txn_id"] is None
    assert not [e for e in stack.engine.journal.events() if e.kind == "opened"]
