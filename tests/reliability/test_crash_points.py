"""Crash points: a real kiosk process is SIGKILLed after each journal write of a cash payment
(and at random moments), restarted, and must end with

    bills in the emulator's cassette == cash stacked in the journal == cash credited on the
    server, no payment posted twice, the journal's chain intact, every suspect listed,

where a suspect may account for the difference between the cassette and the credit (a note
whose fate the device could not report), but nothing is silently dropped or doubled.

Processes: the cash and printer emulators (`kiosk emulate ...`, one pair per protocol, the
cassette persisted with --state), the real central server on loopback, and for each run two
kiosk processes (`kiosk run --headless`): the first with ``KIOSK_FAILPOINT=<kind>:<n>``, the
second without, recovering from what the first left.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.fault_rig import FaultRig, Run, wait_recovered
from tests.reliability.processes import (
    EmulatorProcess,
    KioskProcess,
    kiosk_sections,
    write_config,
)
from tests.support.central_server import CentralServer, start_central_server
from tests.support.kiosk_stack import new_kiosk

NOTES_FEN = (10000, 5000)  # two notes: every per-note write is killed at n = 1 and n = 2
AMOUNT_FEN = 15000
PAYMENT_TIMEOUT_S = 60.0
RECOVERY_TIMEOUT_S = 60.0

# (kind, n): SIGKILL right after the n-th committed event of that kind (kiosk/journal.py).
# `closed` and `queued` are one commit, so "closed:1" is the kill after both.
KILL_POINTS = [
    pytest.param("opened", 1, id="opened-1"),
    pytest.param("escrow", 1, id="escrow-1"),
    pytest.param("stacked", 1, id="stacked-1"),
    pytest.param("escrow", 2, id="escrow-2"),
    pytest.param("stacked", 2, id="stacked-2"),
    pytest.param("closed", 1, id="closed-1"),
    pytest.param("posted", 1, id="posted-1"),
    pytest.param("receipt_printed", 1, id="receipt_printed-1"),
]
RANDOM_KILLS = 6  # per protocol
RANDOM_SEED = 20261006
DEFAULT_PAYMENT_S = 3.0  # until the clean run of the protocol has measured it


@dataclass
class Rig(FaultRig):
    payment_s: float = DEFAULT_PAYMENT_S  # a whole payment, process start to exit


@pytest.fixture(scope="module")
def crash_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralServer]:
    server = start_central_server(tmp_path_factory.mktemp("central"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module", params=["ccnet", "id003", "ict"])
def rig(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    crash_server: CentralServer,
) -> Iterator[Rig]:
    protocol = request.param
    work = tmp_path_factory.mktemp(f"devices-{protocol}")
    cash = EmulatorProcess.cash(work, protocol, state=work / "cassette.json")
    try:
        printer = EmulatorProcess.printer(work / "receipts")
    except BaseException:
        cash.stop()
        raise
    try:
        yield Rig(
            protocol, crash_server, cash, printer, crash_server.accounts["residential_paid_up"]
        )
    finally:
        printer.stop()
        cash.stop()


def payment_script() -> list[dict[str, Any]]:
    return [
        {"wait_for": "methods.cash.ok", "equals": True},
        {"do": "start"},
        {"wait": "account_entry"},
        {"do": "enter_account", "account_no": "__ACCOUNT__"},
        {"wait": "account_shown"},
        {"do": "choose_amount", "amount_fen": AMOUNT_FEN},
        {"wait": "amount_chosen"},
        {"do": "choose_method", "method": "cash"},
        {"wait": "cash_insert"},
        {"wait_for": "cash.inserted_fen", "equals": sum(NOTES_FEN), "timeout": PAYMENT_TIMEOUT_S},
        {"do": "finish"},
        {"wait": "done"},
        {"wait_for": "result.printing", "equals": "printed"},
    ]


def customer(
    kiosk: KioskProcess, cash: EmulatorProcess, notes: tuple[int, ...], deadline: float
) -> int:
    """Insert the notes one by one as a customer would, each once the acceptor draws notes in
    and the one before is stacked or returned; stop when the kiosk dies or at the deadline.
    Returns how many notes were handed to the acceptor."""
    given = 0
    for note in notes:
        while True:
            if not kiosk.alive or time.monotonic() > deadline:
                return given
            status = cash.status()
            idle = status["enabled_fen"] and status["phase"] == "settled"
            # A customer inserts when the screen asks for notes, not whenever the device
            # happens to draw them in (it still is during a new kiosk's start-up).
            snaps = kiosk.snapshots()
            asked = bool(snaps) and bool((snaps[-1].get("cash") or {}).get("accepting"))
            if idle and asked and cash.ctl(f"insert {note}").get("ok"):
                given += 1
                break
            time.sleep(0.05)
        while kiosk.alive and time.monotonic() < deadline:
            status = cash.status()
            if status["phase"] == "settled" and status["bill_in_mechanism"] is None:
                break
            time.sleep(0.05)
    return given


def run_once(
    rig: Rig, workdir: Path, *, failpoint: str | None, kill_after_s: float | None
) -> dict[str, Any]:
    """One payment killed once, one restart; the money checks; what happened."""
    server = rig.server
    kiosk_id, secret = new_kiosk(server)
    data_dir = workdir / "data"
    config = write_config(
        workdir / "kiosk.toml",
        **kiosk_sections(
            kiosk_id=kiosk_id,
            secret=secret,
            data_dir=data_dir,
            central_url=server.url,
            cash_url=rig.cash.device,
            printer_url=rig.printer.device,
            protocol=rig.protocol,
        ),
    )
    journal = data_dir / "journal.db"
    cassette_before = rig.cash.status()["cassette_total_fen"]
    credited_before = server.credited_cash_fen(rig.account)
    script = [
        {**s, "account_no": rig.account} if s.get("account_no") else s for s in payment_script()
    ]

    began = time.monotonic()
    first = KioskProcess.start(config, script, workdir, failpoint=failpoint, name="first")
    try:
        if kill_after_s is not None:
            # a power cut at a random moment: the customer goes on until the kiosk is gone
            killer_deadline = began + kill_after_s
            given = customer(first, rig.cash, NOTES_FEN, killer_deadline)
            remaining = killer_deadline - time.monotonic()
            if remaining > 0:
                time.sleep(remaining)
            first.kill()
            code = first.process.returncode
        else:
            given = customer(first, rig.cash, NOTES_FEN, began + PAYMENT_TIMEOUT_S)
            code = first.wait(PAYMENT_TIMEOUT_S)
        elapsed = time.monotonic() - began
    finally:
        first.stop()
    if failpoint is not None:
        assert code == -9, (
            f"the failpoint {failpoint} never fired (exit {code}): {first.stderr()[-3000:]}"
        )

    second = KioskProcess.start(
        config,
        [{"wait_for": "recovering", "equals": False, "timeout": RECOVERY_TIMEOUT_S}],
        workdir,
        keep_running=True,
        name="second",
    )
    try:
        wait_recovered(second, journal, RECOVERY_TIMEOUT_S)
    finally:
        second.stop()
    assert second.process.returncode == 0, second.stderr()[-3000:]

    # The money checks the fault suites share (FaultRig.check_money), on what the first
    # process paid and the second recovered; then what only a kill can break.
    outcome = rig.check_money(
        Run(
            second,
            journal,
            data_dir,
            cassette_before,
            credited_before,
            AMOUNT_FEN,
            kiosk_id,
            list(NOTES_FEN[:given]),
        )
    )
    cassette, suspects = outcome["cassette_fen"], outcome["suspects"]
    assert cassette <= sum(NOTES_FEN[:given]), f"{cassette} fen in the box, {given} notes given"
    assert all(row[1] > 0 for row in suspects), f"a suspect names no note: {suspects}"
    return {**outcome, "exit": code, "notes_given": given, "first_run_s": round(elapsed, 2)}


def report(rig: Rig, point: str, outcome: dict[str, Any]) -> None:
    """Each run's outcome as a JSON line in $RELIABILITY_REPORT (for the figures), if set."""
    path = os.environ.get("RELIABILITY_REPORT")
    if path:
        line = {"protocol": rig.protocol, "kill": point, **outcome}
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")


def test_uninterrupted_payment_balances(rig: Rig, tmp_path: Path) -> None:
    """The control run (and the payment's duration, which the random kills sample)."""
    outcome = run_once(rig, tmp_path, failpoint=None, kill_after_s=None)
    report(rig, "none", outcome)
    assert outcome["exit"] == 0
    assert outcome["credited_fen"] == outcome["cassette_fen"] == sum(NOTES_FEN)
    assert not outcome["suspects"]
    rig.payment_s = outcome["first_run_s"]


@pytest.mark.parametrize(("kind", "n"), KILL_POINTS)
def test_killed_after_a_journal_write_recovers_every_fen(
    rig: Rig, tmp_path: Path, kind: str, n: int
) -> None:
    outcome = run_once(rig, tmp_path, failpoint=f"{kind}:{n}", kill_after_s=None)
    report(rig, f"{kind}:{n}", outcome)
    if kind in ("stacked", "closed", "posted", "receipt_printed"):
        assert outcome["credited_fen"] > 0, outcome  # a stacked note is never dropped


@pytest.mark.parametrize("attempt", range(RANDOM_KILLS))
def test_killed_at_a_random_moment_recovers_every_fen(
    rig: Rig, tmp_path: Path, attempt: int
) -> None:
    rng = random.Random(f"{RANDOM_SEED}-{rig.protocol}-{attempt}")
    delay = rng.uniform(0.2, 1.0) * rig.payment_s
    outcome = run_once(rig, tmp_path, failpoint=None, kill_after_s=delay)
    report(rig, f"random:{delay:.2f}s", outcome)
