"""Recovery on start: a journal left as a crash leaves it, a device that says what it holds."""

import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from drivers.emulators.cash_mechanics import BillIn, Cassette
from drivers.emulators.cash_state import encode
from kiosk import projection
from kiosk.journal import Journal
from kiosk.projection import Kind
from kiosk.recovery import WINDOW_AFTER_READY_S, WINDOW_WITHOUT_DEVICE_S, Recovery
from tests.support.kiosk_stack import KioskStack, stack_fixture


@pytest.fixture
def account(shared_central_server) -> str:
    return shared_central_server.accounts["residential_small"]


def crashed_journal(path: Path, kiosk_id: str, account: str, events: list) -> str:
    """Write the events a kiosk had journaled when it died; return the txn id."""
    path.parent.mkdir(parents=True, exist_ok=True)
    txn = f"{kiosk_id}-00000001"
    journal = Journal(path)
    journal.append(
        Kind.OPENED,
        {"seq": 1, "account_no": account, "method": "cash", "target_fen": 3000},
        txn_id=txn,
    )
    for kind, payload in events:
        journal.append(kind, payload, txn_id=txn)
    journal.close()
    return txn


def wait_row(stack: KioskStack, txn: str, test, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while True:
        row = stack.engine.txn_row(txn)
        if test(row):
            return row
        assert time.monotonic() < deadline, f"{txn} never got there: {row}"
        time.sleep(0.1)


def start(tmp_path, server, events, account, **kwargs):
    holder: dict = {}

    def before(cash, journal_path, kiosk_id):
        holder["txn"] = crashed_journal(journal_path, kiosk_id, account, events)

    gen = stack_fixture(tmp_path, server, protocol="ccnet", before_start=before, **kwargs)
    return gen, next(gen), holder["txn"]


def test_stacked_cash_of_an_interrupted_session_is_closed_and_posted(
    tmp_path, shared_central_server, account
) -> None:
    events = [
        (Kind.ESCROW, {"denomination_fen": 2000, "decision": "stack"}),
        (Kind.STACKED, {"denomination_fen": 2000}),
    ]
    gen, stack, txn = start(tmp_path, shared_central_server, events, account)
    try:
        row = wait_row(stack, txn, lambda r: r.outbox == "posted")
        assert row.state == "closed" and row.cash_fen == 2000
        assert shared_central_server.payment_count(txn) == 1
        started = stack.engine.journal.events(kinds=("started",))[-1]
        assert txn in started.payload["recovery"]["closed"]
    finally:
        next(gen, None)


def test_interrupted_session_without_notes_is_cancelled(
    tmp_path, shared_central_server, account
) -> None:
    gen, stack, txn = start(tmp_path, shared_central_server, [], account)
    try:
        row = wait_row(stack, txn, lambda r: r.state != "open")
        assert row.state == "closed" and row.cash_fen == 0 and row.outbox == "none"
        assert shared_central_server.payment_count(txn) == 0
    finally:
        next(gen, None)


def test_power_up_with_the_note_in_the_stacker_settles_the_pending_stack(
    tmp_path, shared_central_server, account
) -> None:
    events = [(Kind.ESCROW, {"denomination_fen": 5000, "decision": "stack"})]

    # The device lost power with the note on its way into the cassette (its state file
    # says so, as the real device's power-up status would).
    state = tmp_path / "cassette.json"
    state.write_text(encode(Cassette(), 5000, BillIn.STACKER), encoding="utf-8")
    gen, stack, txn = start(tmp_path, shared_central_server, events, account, cash_state=state)
    try:
        row = wait_row(stack, txn, lambda r: r.outbox == "posted")
        assert row.cash_fen == 5000
        stacked = [e for e in stack.engine.journal.events(txn_id=txn) if e.kind == "stacked"]
        assert len(stacked) == 1
        assert shared_central_server.payment_count(txn) == 1
    finally:
        next(gen, None)


def test_unsettled_stack_without_evidence_becomes_a_suspect(
    tmp_path, shared_central_server, account
) -> None:
    events = [
        (Kind.ESCROW, {"denomination_fen": 1000, "decision": "stack"}),
        (Kind.STACKED, {"denomination_fen": 1000}),
        (Kind.ESCROW, {"denomination_fen": 2000, "decision": "stack"}),
    ]
    gen, stack, txn = start(tmp_path, shared_central_server, events, account)
    try:
        row = wait_row(stack, txn, lambda r: r.outbox == "posted", timeout=30)
        assert row.cash_fen == 1000  # the certain note is credited at once
        suspects = stack.engine.journal.read(
            lambda c: c.execute(projection.suspects.select()).all()
        )
        assert [(s.txn_id, s.denomination_fen, s.state) for s in suspects] == [(txn, 2000, "open")]
        assert stack.engine.journal.verify().ok
    finally:
        next(gen, None)


@pytest.mark.parametrize(
    ("acceptor_ready", "window_s"),
    [(True, WINDOW_AFTER_READY_S), (False, WINDOW_WITHOUT_DEVICE_S)],
)
def test_an_unsettled_note_adopted_after_a_journal_failure_waits_as_long_as_the_device_needs(
    tmp_path: Path, acceptor_ready: bool, window_s: float
) -> None:
    """The journal can be written again (a disk freed) and a note under STACK is still open.
    A device that has long been ready repeats its report within its first polls (the ICT host
    holds its own): cash is not kept off for the minute a device that never answered gets.
    (It was: a disk-full longer than the stack timeout on ICT left cash off 60 s.)"""
    path = tmp_path / "data" / "journal.db"
    txn = crashed_journal(
        path, "K1", "0000000001", [(Kind.ESCROW, {"denomination_fen": 2000, "decision": "stack"})]
    )
    journal = Journal(path)
    timers: dict[str, float] = {}
    engine = SimpleNamespace(
        health=SimpleNamespace(acceptor_ready=acceptor_ready),
        set_timer=timers.__setitem__,
    )
    try:
        recovery = Recovery(journal, "K1")
        summary = recovery.adopt_open(engine)
    finally:
        journal.close()
    assert summary["unsettled"] == [txn]
    assert recovery.pending(txn)
    assert timers == {"recovery": window_s}
