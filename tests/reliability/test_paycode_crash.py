"""Crash points inside a payment-code payment: a real kiosk process is killed after the code
was posted, while the customer confirms on the phone, and after the cancel at the deadline; a
restart must complete or reverse it exactly once (never one-sided, 单边账): a payment the server
charged is closed and posted in the journal, one it did not is cancelled, and nothing is
charged twice.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.fault_proxy import Decision, Fault, FaultProxy, Request
from tests.reliability.fault_rig import journal_rows, verify_journal
from tests.reliability.processes import (
    EmulatorProcess,
    KioskProcess,
    kiosk_sections,
    write_config,
)
from tests.support.central_server import CentralServer, start_central_server
from tests.support.kiosk_stack import new_kiosk

pytestmark = pytest.mark.slow

WECHAT = "13" + "0" * 12
RECOVERY_TIMEOUT_S = 90.0
# How long the proxy holds a cancel while the test waits to see "cancelling" and kill the kiosk:
# without it the cancel is answered in milliseconds, and a test polling snapshots every 20 ms
# on a loaded machine can miss the state altogether (seen in CI).
HOLD_CANCEL_S = 8.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralServer]:
    central = start_central_server(tmp_path_factory.mktemp("central"))
    try:
        yield central
    finally:
        central.stop()


@pytest.fixture(scope="module")
def devices(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, EmulatorProcess]]:
    work = tmp_path_factory.mktemp("devices")
    started: dict[str, EmulatorProcess] = {}
    try:
        started["cash"] = EmulatorProcess.cash(work, "ccnet", state=work / "cassette.json")
        started["printer"] = EmulatorProcess.printer(work / "receipts")
        started["scanner"] = EmulatorProcess._start(["emulate", "scanner"], work / "scanner.log")
        yield started
    finally:
        for emulator in started.values():
            emulator.stop()


def script(account: str, code: str, scanner_ctl: str) -> list[dict[str, Any]]:
    return [
        {"wait_for": "methods.paycode.ok", "equals": True, "timeout": 60},
        {"do": "start"},
        {"wait": "account_entry"},
        {"do": "enter_account", "account_no": account},
        {"wait": "account_shown"},
        {"do": "choose_amount", "amount_fen": 5000},
        {"wait": "amount_chosen"},
        {"do": "choose_method", "method": "paycode"},
        {"wait": "paycode_scan"},
        {"ctl": scanner_ctl, "command": f"scan {code}"},
        {"wait": "done", "timeout": 120},  # never reached when the test kills it
    ]


def run_and_kill(
    tmp_path: Path,
    server: CentralServer,
    devices: dict[str, EmulatorProcess],
    code: str,
    *,
    kill_when: tuple[str, Any],
    failpoint: str | None = None,
    hold_cancel: bool = False,
) -> dict[str, Any]:
    holding = threading.Event()
    if hold_cancel:
        holding.set()

    def network(request: Request) -> Decision:
        if holding.is_set() and request.path.endswith("/cancel"):
            return Decision(Fault.DELAY, HOLD_CANCEL_S)
        return Decision(Fault.PASS)

    proxy = FaultProxy(server.url, network)
    proxy.start()
    try:
        return _run_and_kill(
            tmp_path,
            server,
            devices,
            code,
            proxy,
            kill_when=kill_when,
            failpoint=failpoint,
            release=holding.clear,
        )
    finally:
        proxy.stop()


def _run_and_kill(
    tmp_path: Path,
    server: CentralServer,
    devices: dict[str, EmulatorProcess],
    code: str,
    proxy: FaultProxy,
    *,
    kill_when: tuple[str, Any],
    failpoint: str | None,
    release: Callable[[], None],
) -> dict[str, Any]:
    kiosk_id, secret = new_kiosk(server)
    sections = kiosk_sections(
        kiosk_id=kiosk_id,
        secret=secret,
        data_dir=tmp_path / "data",
        central_url=proxy.url,
        cash_url=devices["cash"].device,
        printer_url=devices["printer"].device,
        protocol="ccnet",
    )
    sections["scanner"] = {"url": devices["scanner"].device}
    sections["timeouts"].update(paycode_poll_s=0.5, paycode_deadline_s=10)
    config = write_config(tmp_path / "kiosk.toml", **sections)
    account = server.accounts["residential_paid_up"]
    first = KioskProcess.start(
        config,
        script(account, code, devices["scanner"].control_path),
        tmp_path,
        failpoint=failpoint,
        name="first",
    )
    try:
        path, value = kill_when
        deadline = time.monotonic() + 90
        while first.alive:
            snaps = first.snapshots()
            latest: Any = snaps[-1] if snaps else {}
            for part in path.split("."):
                latest = latest.get(part) if isinstance(latest, dict) else None
            if latest == value:
                first.kill()
                break
            assert time.monotonic() < deadline, f"{path} never became {value!r}"
            time.sleep(0.02)
    finally:
        first.stop()
        release()  # the restarted kiosk's own calls go through at once
    second = KioskProcess.start(
        config,
        [{"wait_for": "recovering", "equals": False, "timeout": RECOVERY_TIMEOUT_S}],
        tmp_path,
        name="second",
    )
    code_ = second.wait(RECOVERY_TIMEOUT_S + 30)
    assert code_ == 0, second.stderr()[-3000:]
    journal = tmp_path / "data" / "journal.db"
    txns = journal_rows(journal, "SELECT txn_id, state, outbox FROM transactions")
    events = journal_rows(journal, "SELECT kind, payload FROM events")
    verify_journal(journal)
    return {"txns": txns, "events": events, "journal": journal}


def check_exactly_once(server: CentralServer, outcome: dict[str, Any]) -> str:
    (txn_id, state, outbox), *more = outcome["txns"]
    assert not more, outcome["txns"]
    assert state in ("closed", "cancelled"), f"{txn_id} left {state}"
    charged = server.payment_count(txn_id)
    assert server.credit_count(txn_id) <= 1
    if state == "closed":
        assert outbox == "posted" and charged == 1, (state, outbox, charged)
    else:
        assert server.credit_count(txn_id) == 0, "cancelled in the journal, credited on the server"
    codes = json.dumps(outcome["events"], ensure_ascii=False)
    assert WECHAT not in codes  # the bearer code is never journaled
    return state


def test_killed_right_after_opened_recovers_exactly_once(
    tmp_path: Path, server: CentralServer, devices: dict[str, EmulatorProcess]
) -> None:
    """The post may or may not have left: the server is asked, never guessed."""
    outcome = run_and_kill(
        tmp_path,
        server,
        devices,
        WECHAT + "0000",
        kill_when=("state", "never"),
        failpoint="opened:1",
    )
    check_exactly_once(server, outcome)


def test_killed_while_the_customer_confirms_completes_what_the_phone_paid(
    tmp_path: Path, server: CentralServer, devices: dict[str, EmulatorProcess]
) -> None:
    outcome = run_and_kill(
        tmp_path, server, devices, WECHAT + "1111", kill_when=("paycode.status", "userpaying")
    )
    assert check_exactly_once(server, outcome) in ("closed", "cancelled")


def test_killed_while_never_confirmed_is_reversed_on_restart(
    tmp_path: Path, server: CentralServer, devices: dict[str, EmulatorProcess]
) -> None:
    outcome = run_and_kill(
        tmp_path, server, devices, WECHAT + "2222", kill_when=("paycode.status", "userpaying")
    )
    assert check_exactly_once(server, outcome) == "cancelled"


def test_killed_while_cancelling_at_the_deadline_is_reversed_once(
    tmp_path: Path, server: CentralServer, devices: dict[str, EmulatorProcess]
) -> None:
    outcome = run_and_kill(
        tmp_path,
        server,
        devices,
        WECHAT + "2222",
        kill_when=("paycode.status", "cancelling"),
        hold_cancel=True,
    )
    assert check_exactly_once(server, outcome) == "cancelled"
