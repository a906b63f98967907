"""Recovery on start: a journal left as a crash leaves it, a device that says what it holds."""

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from drivers.emulators.cash_mechanics import BillIn, Cassette
from drivers.emulators.cash_state import encode
from kiosk import projection
from kiosk.background import Done
from kiosk.central_answers import PaymentAnswer, QrOrderStatus
from kiosk.central_client import CentralOffline
from kiosk.events import Opened, QrOrder
from kiosk.journal import Journal
from kiosk.projection import Kind
from kiosk.recovery import (
    QR_RECHECK_S,
    WINDOW_AFTER_READY_S,
    WINDOW_WITHOUT_DEVICE_S,
    AskAgain,
    AskServer,
    CloseCash,
    Recovery,
    WaitForDevice,
)
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
    try:
        recovery = Recovery(journal, "K1")
        summary, steps = recovery.adopt_open(ready=acceptor_ready)
    finally:
        journal.close()
    assert summary["unsettled"] == [txn]
    assert recovery.pending(txn)
    assert steps == [WaitForDevice(window_s)]


# ------------------------------------------------------- recovery's decisions, no engine
def qr_journal(path: Path) -> tuple[Journal, str]:
    """A journal left with a QR payment whose order was created, nothing after."""
    path.parent.mkdir(parents=True, exist_ok=True)
    journal = Journal(path)
    txn = "K1-00000001"
    journal.append_many(
        lambda _c: [
            Opened(1, "qr", account_no="0000000001", target_fen=3000).entry(txn),
            QrOrder("QR1", "https://pay.example/QR1", "2026-12-06T04:00:00+00:00").entry(txn),
        ]
    )
    return journal, txn


def answer(value: object = None, error: BaseException | None = None) -> Done[object]:
    return Done("callback", 0, value, error)


def test_recovery_decides_and_the_caller_carries_out(tmp_path: Path) -> None:
    """Stacked cash: one step to close it; recovery writes nothing for it itself."""
    txn = crashed_journal(
        tmp_path / "journal.db",
        "K1",
        "0000000001",
        [
            (Kind.ESCROW, {"denomination_fen": 2000, "decision": "stack"}),
            (Kind.STACKED, {"denomination_fen": 2000}),
        ],
    )
    journal = Journal(tmp_path / "journal.db")
    try:
        before = journal.last_seq
        summary, steps = Recovery(journal, "K1").adopt_open(ready=True)
        assert steps == [CloseCash(txn)]
        assert summary["closed"] == [txn]
        assert journal.last_seq == before
    finally:
        journal.close()


def test_a_qr_payment_paid_while_the_kiosk_was_down_is_recorded_from_the_servers_answer(
    tmp_path: Path,
) -> None:
    journal, txn = qr_journal(tmp_path / "journal.db")
    try:
        recovery = Recovery(journal, "K1")
        _, steps = recovery.adopt_open(ready=True)
        [ask] = steps
        assert isinstance(ask, AskServer)
        assert ask.then(answer(error=CentralOffline("down"))) == [AskAgain(QR_RECHECK_S)]
        assert recovery.active
        payment = PaymentAnswer(txn, "accepted", "SRV-1", (), 0, 0, "https://r.example/1")
        paid = QrOrderStatus("QR1", "paid", datetime(2026, 12, 6, tzinfo=UTC), payment)
        assert ask.then(answer(paid)) == []
        assert [e.kind for e in journal.events(txn_id=txn)][-2:] == ["posted", "closed"]
        assert not recovery.active
        assert ask.then(answer(paid)) == []  # a second answer changes nothing
        assert [e.kind for e in journal.events(txn_id=txn)].count("posted") == 1
    finally:
        journal.close()


def test_a_qr_order_still_pending_is_cancelled_then_asked_again(tmp_path: Path) -> None:
    journal, txn = qr_journal(tmp_path / "journal.db")
    try:
        recovery = Recovery(journal, "K1")
        [ask] = recovery.adopt_open(ready=False)[1]
        assert isinstance(ask, AskServer)
        pending = QrOrderStatus("QR1", "pending", datetime(2026, 12, 6, tzinfo=UTC), None)
        [cancel] = ask.then(answer(pending))
        assert isinstance(cancel, AskServer)
        [check] = cancel.then(answer("cancelled"))
        assert isinstance(check, AskServer)
        cancelled = QrOrderStatus("QR1", "cancelled", datetime(2026, 12, 6, tzinfo=UTC), None)
        assert check.then(answer(cancelled)) == []
        assert [e.kind for e in journal.events(txn_id=txn)][-2:] == ["qr_closed", "cancelled"]
    finally:
        journal.close()


def test_an_unsettled_note_no_report_settles_becomes_a_suspect_then_closes(
    tmp_path: Path,
) -> None:
    txn = crashed_journal(
        tmp_path / "journal.db",
        "K1",
        "0000000001",
        [(Kind.ESCROW, {"denomination_fen": 2000, "decision": "stack"})],
    )
    journal = Journal(tmp_path / "journal.db")
    try:
        recovery = Recovery(journal, "K1")
        assert recovery.adopt_open(ready=False)[1] == [WaitForDevice(WINDOW_WITHOUT_DEVICE_S)]
        assert recovery.device_ready() == [WaitForDevice(WINDOW_AFTER_READY_S)]
        assert recovery.window_closed() == [CloseCash(txn)]
        assert "suspect" in [e.kind for e in journal.events(txn_id=txn)]
        assert not recovery.pending(txn)
        assert recovery.device_ready() == []
    finally:
        journal.close()
