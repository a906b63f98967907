"""A wrong kiosk clock and a wrong secret, with real processes: the central server on loopback
behind a proxy that can drop payment posts (tests/reliability/fault_proxy.py), the cash and
printer emulators, and headless kiosks (`kiosk run --headless`).

Clock: a kiosk takes two cash payments while the network drops its posts, so they stay
queued; it is then restarted with its clock an hour fast or an hour slow, as after a power cut
with a flat RTC battery and no time server reachable. The wrong clock is a real one:
libfaketime shifts the wall clock of the whole kiosk process (``time.time``, ``datetime.now``,
sqlite's clock), and nothing in the kiosk knows. The queued payments must reach the server
within a minute, and a payment taken under the wrong clock must carry the server's time.

Secret: the same kiosk restarted with a wrong secret must park its outbox with a visible
reason, offer no way to pay, keep its payments pending (not needs_attention), and make no retry
storm (requests counted as they reach the server); restarted with the right secret, it posts.

libfaketime is a Debian package (``faketime``) that scripts/bootstrap.sh --for-tests installs.
"""

from __future__ import annotations

import glob
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.reliability.fault_proxy import Decision, Fault, FaultProxy, Request
from tests.reliability.processes import EmulatorProcess, KioskProcess, kiosk_sections, write_config
from tests.reliability.test_crash_points import customer
from tests.support.central_server import CentralServer, start_central_server
from tests.support.kiosk_stack import new_kiosk

NOTE_FEN = 10000
QUEUED = 2  # payments queued before the restart
POST_WITHIN_S = 60.0  # the bound: queued payments post within a minute
STEP_TIMEOUT_S = 60.0
HEARTBEAT_S = 5.0  # kiosk_sections' heartbeat interval
HEARTBEATS_OBSERVED = 6  # half a minute of a parked kiosk: a storm would show at once
WRONG_SECRET = "this-is-not-the-kiosk-secret-at-all"
READY = (  # the server answered and the acceptor is ready: a customer may start
    {"wait_for": "methods.qr.ok", "equals": True, "timeout": STEP_TIMEOUT_S},
    {"wait_for": "methods.cash.ok", "equals": True, "timeout": STEP_TIMEOUT_S},
)


def libfaketime() -> str:
    found = sorted(glob.glob("/usr/lib/*/faketime/libfaketimeMT.so.1"))
    if not found:
        pytest.skip("libfaketime is not installed (scripts/bootstrap.sh --for-tests installs it)")
    return found[0]


def wrong_clock(skew_s: int) -> dict[str, str]:
    """The environment that runs a process with its wall clock ``skew_s`` off."""
    return {
        "LD_PRELOAD": libfaketime(),
        "FAKETIME": f"{skew_s:+d}s",
        "FAKETIME_DONT_FAKE_MONOTONIC": "1",  # timeouts and round trips stay real
    }


class Network:
    """A proxy schedule: drop payment posts or not; every request that reaches the server
    counted by path."""

    def __init__(self) -> None:
        self.drop_payments = False
        self.lock = threading.Lock()
        self.forwarded: Counter[str] = Counter()

    def __call__(self, request: Request) -> Decision:
        path = request.path.split("?")[0]
        if self.drop_payments and path.startswith("/v1/payments"):
            return Decision(Fault.DROP_REQUEST)
        with self.lock:
            self.forwarded[f"{request.method} {path}"] += 1
        return Decision(Fault.PASS)

    def count(self) -> Counter[str]:
        with self.lock:
            return Counter(self.forwarded)


@dataclass
class Rig:
    server: CentralServer
    proxy: FaultProxy
    network: Network
    cash: EmulatorProcess
    printer: EmulatorProcess
    account: str
    figures: dict[str, Any] = field(default_factory=dict)


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    work = tmp_path_factory.mktemp("clock")
    server = start_central_server(work / "central")
    network = Network()
    proxy = FaultProxy(server.url, network)
    proxy.start()
    cash = printer = None
    try:
        cash = EmulatorProcess.cash(work, "ccnet", state=work / "cassette.json")
        printer = EmulatorProcess.printer(work / "receipts")
        yield Rig(server, proxy, network, cash, printer, server.accounts["residential_paid_up"])
    finally:
        for child in (printer, cash):
            if child is not None:
                child.stop()
        proxy.stop()
        server.stop()


def config_for(rig: Rig, workdir: Path, kiosk_id: str, secret: str, name: str) -> Path:
    return write_config(
        workdir / f"{name}.toml",
        **kiosk_sections(
            kiosk_id=kiosk_id,
            secret=secret,
            data_dir=workdir / "data",
            central_url=rig.proxy.url,
            cash_url=rig.cash.device,
            printer_url=rig.printer.device,
            protocol="ccnet",
        ),
    )


def payment_steps(account: str) -> list[dict[str, Any]]:
    return [
        {"do": "start"},
        {"wait": "account_entry"},
        {"do": "enter_account", "account_no": account},
        {"wait": "account_shown"},
        {"do": "choose_amount", "amount_fen": NOTE_FEN},
        {"wait": "amount_chosen"},
        {"do": "choose_method", "method": "cash"},
        {"wait": "cash_insert"},
        {"wait_for": "cash.inserted_fen", "equals": NOTE_FEN, "timeout": STEP_TIMEOUT_S},
        {"do": "finish"},
        {"wait": "done", "timeout": STEP_TIMEOUT_S},
        {"wait": "home", "timeout": STEP_TIMEOUT_S},
    ]


def pay(rig: Rig, kiosk: KioskProcess, payments: int) -> None:
    """The customer's side: one note per payment, each once the acceptor draws notes in for a
    new payment (not while the last one, its note in, is still being finished by the script:
    a loaded machine showed that gap, and the second note went into the first payment)."""
    paid: set[str] = set()
    for _ in range(payments):
        deadline = time.monotonic() + STEP_TIMEOUT_S
        while True:
            snaps = kiosk.snapshots()
            last = snaps[-1] if snaps else {}
            txn_id = last.get("txn_id")
            if txn_id and txn_id not in paid and not (last.get("cash") or {}).get("inserted_fen"):
                break
            assert time.monotonic() < deadline, f"no new payment: {kiosk.stderr()[-3000:]}"
            time.sleep(0.05)
        paid.add(txn_id)
        given = customer(kiosk, rig.cash, (NOTE_FEN,), deadline)
        assert given == 1, f"the kiosk never took the note: {kiosk.stderr()[-3000:]}"


def journal_rows(journal: Path, query: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(f"file:{journal}?mode=ro", uri=True, timeout=5) as conn:
        return list(conn.execute(query).fetchall())


def queue_payments(rig: Rig, workdir: Path) -> tuple[str, str, list[str]]:
    """A fresh kiosk with a right clock takes QUEUED payments while its posts are dropped."""
    kiosk_id, secret = new_kiosk(rig.server)
    config = config_for(rig, workdir, kiosk_id, secret, "queue")
    script: list[dict[str, Any]] = list(READY)
    for _ in range(QUEUED):
        script += payment_steps(rig.account)
    rig.network.drop_payments = True
    kiosk = KioskProcess.start(config, script, workdir, name="queue")
    try:
        pay(rig, kiosk, QUEUED)
        assert kiosk.wait(STEP_TIMEOUT_S * 2) == 0, kiosk.stderr()[-3000:]
    finally:
        kiosk.stop()
        rig.network.drop_payments = False
    rows = journal_rows(
        workdir / "data" / "journal.db",
        "SELECT txn_id FROM outbox WHERE state = 'pending' AND endpoint = 'payments'",
    )
    txns = sorted(r[0] for r in rows)
    assert len(txns) == QUEUED, f"expected {QUEUED} queued payments, found {txns}"
    assert all(rig.server.payment_count(t) == 0 for t in txns)
    return kiosk_id, secret, txns


def wait_until(what: str, check: Any, timeout_s: float, kiosk: KioskProcess) -> float:
    """Poll ``check()`` until true; the seconds it took. Fails at the timeout or if the kiosk
    exits early."""
    began = time.monotonic()
    while not check():
        assert time.monotonic() - began < timeout_s, (
            f"{what}: not within {timeout_s} s; kiosk stderr: {kiosk.stderr()[-3000:]}"
        )
        time.sleep(0.1)
    return time.monotonic() - began


def server_created_at(server: CentralServer, txn_id: str) -> datetime:
    with server._db().connect() as conn:
        value = conn.execute(
            text("SELECT created_at FROM payments WHERE txn_id = :t"), {"t": txn_id}
        ).scalar_one()
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


@pytest.mark.parametrize("skew_s", [3600, -3600], ids=["an-hour-fast", "an-hour-slow"])
def test_queued_payments_post_within_a_minute_from_a_kiosk_with_a_wrong_clock(
    rig: Rig, tmp_path: Path, skew_s: int
) -> None:
    kiosk_id, secret, queued = queue_payments(rig, tmp_path)
    config = config_for(rig, tmp_path, kiosk_id, secret, "skewed")
    script = [*READY, *payment_steps(rig.account)]
    script.append({"wait_for": "outbox.pending", "equals": 0, "timeout": STEP_TIMEOUT_S})
    kiosk = KioskProcess.start(config, script, tmp_path, name="skewed", env=wrong_clock(skew_s))
    try:
        took_s = wait_until(
            "the queued payments posted",
            lambda: all(rig.server.credit_count(t) == 1 for t in queued),
            POST_WITHIN_S,
            kiosk,
        )
        rig.figures[f"queued_posted_s_{skew_s:+d}"] = round(took_s, 1)
        pay(rig, kiosk, 1)  # a new customer, under the wrong clock
        assert kiosk.wait(STEP_TIMEOUT_S * 2) == 0, kiosk.stderr()[-3000:]
    finally:
        kiosk.stop()
    snaps = kiosk.snapshots()
    offsets = [s["clock_offset_s"] for s in snaps if s.get("clock_offset_s") is not None]
    assert offsets, "the kiosk never reported its clock offset"
    assert abs(offsets[-1] - skew_s) <= 5, offsets[-1]
    journal = tmp_path / "data" / "journal.db"
    new = [
        r[0]
        for r in journal_rows(journal, "SELECT txn_id FROM outbox WHERE endpoint = 'payments'")
        if r[0] not in queued
    ]
    assert len(new) == 1
    for txn in [*queued, *new]:
        assert rig.server.credit_count(txn) == 1, txn
    # the new payment is stamped with the server's time, not the kiosk's wrong one
    stamped = server_created_at(rig.server, new[0]).timestamp()
    assert abs(stamped - time.time()) < 120, stamped - time.time()
    assert not journal_rows(journal, "SELECT * FROM outbox WHERE state != 'posted'")
    print(f"FIGURES {rig.figures}")  # with -s: the seconds the queued payments took


def test_a_wrong_secret_parks_with_a_reason_and_no_retry_storm(rig: Rig, tmp_path: Path) -> None:
    kiosk_id, secret, queued = queue_payments(rig, tmp_path)
    wrong = config_for(rig, tmp_path, kiosk_id, WRONG_SECRET, "wrong")
    before = rig.network.count()
    kiosk = KioskProcess.start(
        wrong,
        [{"wait_for": "outbox.parked", "equals": "bad_signature", "timeout": STEP_TIMEOUT_S}],
        tmp_path,
        name="wrong",
        keep_running=True,
    )
    try:

        def parked() -> bool:
            snaps = kiosk.snapshots()
            return bool(snaps) and snaps[-1].get("outbox", {}).get("parked") == "bad_signature"

        wait_until("the outbox parked", parked, STEP_TIMEOUT_S, kiosk)
        parked_at = time.monotonic()
        parked_counts = rig.network.count() - before

        def heartbeats() -> int:
            return (rig.network.count() - before)["POST /v1/heartbeat"]

        start_beats = heartbeats()
        wait_until(
            f"{HEARTBEATS_OBSERVED} heartbeats",
            lambda: heartbeats() - start_beats >= HEARTBEATS_OBSERVED,
            HEARTBEATS_OBSERVED * HEARTBEAT_S * 3,
            kiosk,
        )
        observed_s = time.monotonic() - parked_at
        during = rig.network.count() - before - parked_counts
        last = kiosk.snapshots()[-1]
    finally:
        kiosk.stop()
    total = sum(during.values())
    rig.figures["wrong_secret"] = {
        "observed_s": round(observed_s, 1),
        "requests": dict(during),
        "per_minute": round(total * 60 / observed_s, 1),
        "until_parked": dict(parked_counts),
    }
    # Parked: no payment post at all while parked, only the heartbeat's probe every interval.
    assert not any(k.startswith("POST /v1/payments") for k in during), during
    assert set(during) <= {"POST /v1/heartbeat"}, during
    assert total <= observed_s / HEARTBEAT_S + 2, (total, observed_s)
    # before parking: a single refused payment post, never signed again
    posts = sum(n for k, n in parked_counts.items() if k.startswith("POST /v1/payments"))
    assert posts <= 1, parked_counts
    # a visible reason, and nothing offered to a customer
    assert last["outbox"]["parked"] == "bad_signature"
    assert {m["reason"] for m in last["methods"].values()} == {"server_auth"}
    assert last["state"] == "out_of_service"
    refused = rig.server.log().count(f"refused a request from {kiosk_id}: bad signature")
    assert refused >= total  # the server saw them, and refused them
    # the payments are kept, pending, never given up on
    journal = tmp_path / "data" / "journal.db"
    assert len(journal_rows(journal, "SELECT * FROM outbox WHERE state = 'pending'")) == QUEUED
    assert not journal_rows(journal, "SELECT * FROM outbox WHERE state = 'needs_attention'")
    assert all(rig.server.payment_count(t) == 0 for t in queued)

    # the secret fixed, the kiosk restarted: they post
    right = config_for(rig, tmp_path, kiosk_id, secret, "right")
    kiosk = KioskProcess.start(
        right,
        [{"wait_for": "outbox.pending", "equals": 0, "timeout": STEP_TIMEOUT_S}],
        tmp_path,
        name="right",
        keep_running=True,
    )
    try:
        wait_until(
            "the kept payments posted",
            lambda: all(rig.server.credit_count(t) == 1 for t in queued),
            POST_WITHIN_S,
            kiosk,
        )
    finally:
        kiosk.stop()
    print(f"FIGURES {rig.figures}")  # with -s: requests a parked kiosk made
