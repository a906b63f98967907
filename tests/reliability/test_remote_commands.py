"""Remote commands end to end: an operator queues them on the real central server
(`kiosk-central command`), a real headless kiosk process receives them in its heartbeat
answers, acts between customers only, and reports each result once.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.fault_rig import FaultRig, fault_rig, journal_rows
from tests.support.central_server import CentralServer, start_central_server

pytestmark = pytest.mark.slow

LOCK_MESSAGE = "设备检修中，请到营业厅缴费 / Under repair: please pay at the counter"


@pytest.fixture(scope="module")
def command_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralServer]:
    server = start_central_server(tmp_path_factory.mktemp("central"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def rig(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    command_server: CentralServer,
) -> Iterator[FaultRig]:
    protocol = getattr(request, "param", "ccnet")
    work = tmp_path_factory.mktemp(f"devices-{protocol}")
    with fault_rig(work, command_server, protocol, speed=4.0) as made:
        yield made


def queue(server: CentralServer, kiosk_id: str, kind: str, *args: str) -> str:
    done = server.admin("command", kiosk_id, kind, *args)
    return str(json.loads(done.stdout.strip().splitlines()[-1])["id"])


def statuses(server: CentralServer, kiosk_id: str) -> dict[str, dict[str, Any]]:
    done = server.admin("commands", kiosk_id)
    lines = [json.loads(line) for line in done.stdout.strip().splitlines() if line.strip()]
    return {line["id"]: line for line in lines}


def wait_status(server: CentralServer, kiosk_id: str, command_id: str, status: str) -> None:
    deadline = time.monotonic() + 180  # heartbeats every 5 s; generous for a loaded machine
    while True:
        current = statuses(server, kiosk_id).get(command_id, {}).get("status")
        if current == status:
            return
        assert time.monotonic() < deadline, f"{command_id} is {current}, never {status}"
        time.sleep(0.5)


def test_lock_waits_for_the_payment_then_takes_the_kiosk_out_of_service_until_unlock(
    rig: FaultRig, tmp_path: Path
) -> None:
    after_payment = [
        {"wait_for": "locked", "equals": LOCK_MESSAGE, "timeout": 90},
        {"wait_for": "locked", "equals": None, "timeout": 90},
    ]
    run = rig.start_payment(tmp_path, amount_fen=10000, expected_fen=10000, then=after_payment)
    kiosk_id = run.kiosk_id
    try:
        rig.wait_accepting(run)
        lock = queue(rig.server, kiosk_id, "lock", "--message", LOCK_MESSAGE)
        # mid-payment: delivered with the heartbeats, but not acted on
        wait_status(rig.server, kiosk_id, lock, "delivered")
        assert run.latest()["state"] == "cash_insert"
        assert run.latest()["locked"] is None
        rig.insert(run, 10000)
        run.wait_snapshot("state", "done", timeout_s=60)
        # after the payment: locked, with the operator's words, and the result reported once
        locked = run.wait_snapshot("locked", LOCK_MESSAGE, timeout_s=60)
        assert {m["reason"] for m in locked["methods"].values()} == {"locked"}
        run.wait_snapshot("state", "out_of_service", timeout_s=30)
        wait_status(rig.server, kiosk_id, lock, "done")
        unlock = queue(rig.server, kiosk_id, "unlock")
        run.wait_snapshot("locked", None, timeout_s=60)
        run.wait_snapshot("methods.cash.ok", True, timeout_s=30)
        wait_status(rig.server, kiosk_id, unlock, "done")
        outcome = rig.finish(run)
    finally:
        run.kiosk.stop()
    assert outcome["credited_fen"] == outcome["cassette_fen"] == 10000
    audits = [
        json.loads(p)
        for (p,) in journal_rows(run.journal, "SELECT payload FROM events WHERE kind='audit'")
    ]
    acted = [a["command_id"] for a in audits if a.get("action") == "remote_command"]
    assert acted.count(lock) == 1 and acted.count(unlock) == 1  # at most once, each
