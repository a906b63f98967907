"""The engine in-process, without threads: its decisions against a hand-moved clock and fake
devices, for tests that take milliseconds. The emulators on ptys and the real central server
stay for the integration tests (tests/support/kiosk_stack.py); this harness is for the
engine's own rules: idle timeouts, the stack timeout, QR expiry, escrow limits, partial
payments.

    h = EngineHarness.start(tmp_path)
    h.central.add_account("3100000001", due_fen=15000)
    h.to_cash_insert("3100000001")
    h.acceptor.insert(10000)
    h.advance(31)          # the idle prompt's 30 s pass at once
    assert h.snapshot()["idle_prompt"]

What is real: the ``Engine`` and every flow, the state machine, the journal (SQLite on
disk, fsynced), the projection, recovery and the snapshot. What is fake: the loop's thread
(``StepLoop`` runs each message on the test's thread, at once), the clock (``ManualClock``),
the bill acceptor (``FakeAcceptor``: a host that reports what the test inserts), the printer
(``FakePrinter``) and the server (``FakeCentral``: answers from memory, as dataclasses).
"""

from __future__ import annotations

import dataclasses
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from drivers.cash.api import (
    AcceptorError,
    AcceptorEvent,
    Decision,
    Escrow,
    Identity,
    Ready,
    Returned,
    Stacked,
)
from drivers.printer.status import PrinterState, PrinterStatus
from kiosk.background import Done
from kiosk.central_answers import (
    Account,
    Allocation,
    BatchItem,
    Bill,
    HeartbeatAnswer,
    PaymentAnswer,
    QrOrder,
    QrOrderStatus,
)
from kiosk.central_client import CentralClient, CentralError, CentralRejected
from kiosk.config import KioskConfig
from kiosk.engine import Engine
from kiosk.engine.loop import Loop
from kiosk.journal import Journal
from kiosk.snapshot_schema import problems
from tests.support.kiosk_stack import kiosk_test_config

SECRET = "harness-secret-0123456789abcdef0123"
CNY_TABLE = {0: 100, 1: 500, 2: 1000, 3: 2000, 4: 5000, 5: 10000}  # bill type -> fen


class ManualClock:
    """The engine's monotonic clock; only ``EngineHarness.advance`` moves it."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        """A wait inside background work (a retry's backoff): the time passes at once."""
        self.now += seconds


class StepLoop(Loop):
    """``Loop`` without its thread: a message put from the test's thread is handled at once,
    with whatever it leads to (background results, timers due now), before ``put`` returns.
    Background work runs inline, or waits in ``held`` while ``hold_background`` is set, so
    a test can decide when a server answer arrives. A put from another thread only queues:
    the next step on the test's thread handles it."""

    MAX_STEPS = 10_000  # a loop that never goes idle is a bug to report, not to wait out

    def __init__(self, engine: Engine, clock: Callable[[], float]) -> None:
        super().__init__(engine, clock)
        self._inbox: deque[Any] = deque()
        self._inbox_lock = threading.Lock()
        self._owner = threading.get_ident()
        self._busy = False
        self.hold_background = False
        self.held: deque[Callable[[], None]] = deque()

    def put(self, message: Any) -> None:
        with self._inbox_lock:
            self._inbox.append(message)
        if threading.get_ident() == self._owner:
            self.run_until_idle()

    def call(self, fn: Callable[[], Any], timeout: float) -> Any:
        assert threading.get_ident() == self._owner, "call() from the test's thread only"
        self.run_until_idle()
        return fn()

    def run_net(self, tag: str, token: int, fn: Callable[[], Any]) -> None:
        self._background(fn, lambda done: self.put(dataclasses.replace(done, tag=tag, token=token)))

    def run_printer(self, tag: str, token: int, fn: Callable[[], Any]) -> None:
        self.run_net(tag, token, fn)

    def run_background(
        self, fn: Callable[[], Any], then: Callable[[Done[Any]], None], *, pool: str
    ) -> None:
        self._background(fn, lambda done: self.put(lambda: then(done)))

    def run_held(self) -> None:
        """Let the held background work finish (the server answers now)."""
        while self.held:
            self.held.popleft()()
        self.run_until_idle()

    def start(self) -> None:
        self.run_until_idle()

    def stop(self) -> None:
        self._stopping.set()

    def run_until_idle(self) -> None:
        """Handle queued messages and due timers until there are none; publish as the
        threaded loop does, after each message."""
        if self._busy:
            return  # the message being handled finishes first, as on the engine thread
        self._busy = True
        try:
            for _ in range(self.MAX_STEPS):
                with self._inbox_lock:
                    message = self._inbox.popleft() if self._inbox else None
                if message is not None:
                    self.last_beat = self.clock()
                    self.handle(message)
                self.fire_due()
                self.publish()
                with self._inbox_lock:
                    if not self._inbox:
                        return
            raise RuntimeError(f"the engine did not go idle in {self.MAX_STEPS} steps")
        finally:
            self._busy = False

    def _background(self, fn: Callable[[], Any], deliver: Callable[[Done[Any]], None]) -> None:
        def job() -> None:
            try:
                done: Done[Any] = Done("background", 0, fn(), None)
            except Exception as exc:  # handed to the engine, as the pool does
                done = Done("background", 0, None, exc)
            deliver(done)

        if self.hold_background:
            self.held.append(job)
        else:
            job()


class FakeAcceptor:
    """A bill acceptor host in-process. ``insert`` plays a note through escrow as a real
    host does: the engine decides, and a stacked or returned report follows (journaled
    before the host would acknowledge it). ``stacked=False`` leaves the note under STACK
    with no report, as a device that goes silent; ``report_stacked`` sends the late one."""

    def __init__(self, table: Mapping[int, int] = CNY_TABLE) -> None:
        self.table = dict(table)
        self.enabled: frozenset[int] = frozenset()
        self.cassette: list[int] = []
        self.returned: list[int] = []
        self.under_stack: int | None = None
        self.fail_enable = False
        self.engine: Engine | None = None
        self.started = False

    @property
    def identity(self) -> Identity:
        return Identity("fake", "FAKE-1", "0001", "1.0", table_code="CNY")

    @property
    def bill_table(self) -> Mapping[int, int]:
        return self.table

    @property
    def connected(self) -> bool:
        return self.started

    @property
    def counters(self) -> Mapping[str, int]:
        return {"polls": 0}

    def start(self) -> None:
        self.started = True
        self._engine.acceptor_event(Ready(self.identity, self.table))

    def stop(self) -> None:
        self.started = False
        self.enabled = frozenset()

    def enable(self, denominations_fen: frozenset[int]) -> None:
        if self.fail_enable:
            raise AcceptorError("the fake acceptor was told to refuse enable")
        self.enabled = frozenset(denominations_fen)

    def disable(self) -> None:
        self.enabled = frozenset()

    def stack(self) -> bool:
        return self.under_stack is not None

    def return_bill(self) -> bool:
        return False

    def insert(self, fen: int, *, stacked: bool = True) -> Decision:
        """A customer's note: escrow, the engine's decision, then the device's report."""
        if fen not in self.enabled:
            raise AssertionError(f"the acceptor does not draw in {fen} fen now: {self.enabled}")
        bill_type = self._bill_type(fen)
        decision = self._engine.decide_escrow(Escrow(fen, bill_type))
        if decision is Decision.RETURN:
            self._report(Returned(fen, bill_type))
            self.returned.append(fen)
        else:
            self.under_stack = fen
            if stacked:
                self.report_stacked()
        return decision

    def report_stacked(self) -> None:
        fen = self.under_stack
        assert fen is not None, "no note is under STACK"
        self._report(Stacked(fen, self._bill_type(fen)))
        self.cassette.append(fen)
        self.under_stack = None

    def event(self, event: AcceptorEvent) -> None:
        """A state report (fault, power-up, disconnection, ...)."""
        self._engine.acceptor_event(event)

    def _report(self, event: AcceptorEvent) -> None:
        # raises NotRecorded when the journal cannot take it: a real host would not
        # acknowledge, and the test sees why
        self._engine.acceptor_event(event)

    def _bill_type(self, fen: int) -> int:
        return next(t for t, value in self.table.items() if value == fen)

    @property
    def _engine(self) -> Engine:
        assert self.engine is not None, "the harness wires the acceptor to its engine"
        return self.engine


class FakePrinter:
    """A receipt printer whose state the test sets; it keeps what it was sent."""

    def __init__(self) -> None:
        self.state = PrinterState.READY
        self.jobs: list[bytes] = []

    def status(self) -> PrinterStatus:
        return PrinterStatus(self.state, f"fake printer: {self.state.value}")

    def print_job(self, data: bytes) -> PrinterStatus:
        status = self.status()
        if status.can_print:
            self.jobs.append(data)
        return status

    def close(self) -> None:
        pass


class FakeCentral(CentralClient):
    """The central server's answers from memory. Accounts are added by the test; payments
    are kept as posted; a QR order stays pending until ``pay_qr`` or ``expire_qr``. With
    ``down`` set every call fails with it (the server unreachable, or refusing). A call this
    fake does not answer fails loudly rather than reaching the network."""

    def __init__(self, kiosk_id: str) -> None:
        super().__init__(
            "http://central.invalid", kiosk_id, SECRET, connect_timeout_s=1.0, read_timeout_s=3.0
        )
        self.accounts: dict[str, Account] = {}
        self.payments: dict[str, Mapping[str, object]] = {}
        self.qr: dict[str, QrOrderStatus] = {}
        self.qr_txn: dict[str, tuple[str, str, int]] = {}  # order id -> txn, account, amount
        self.down: CentralError | None = None
        self.calls: list[str] = []
        self.cards: dict[str, tuple[str, int]] = {}  # card number -> (PIN, face value)
        self.pin_attempts: dict[str, int] = {}

    # ---------------------------------------------------------------- the test's side
    def add_account(self, account_no: str, *, due_fen: int, balance_fen: int = 0) -> Account:
        bills = (Bill("2026-11", due_fen, 0, date(2026, 12, 20), 0),) if due_fen else ()
        account = Account(
            account_no=account_no,
            holder="王*明",
            address="**路**号",
            category="residential",
            balance_fen=balance_fen,
            bills=bills,
            arrears_fen=due_fen,
            late_fee_fen=0,
            due_fen=due_fen,
            as_of=date(2026, 12, 6),
        )
        self.accounts[account_no] = account
        return account

    def add_card(self, card_no: str, pin: str, face_fen: int) -> None:
        """A prepaid recharge card (电费充值卡) the server knows, unused."""
        self.cards[card_no] = (pin, face_fen)

    def expire_qr(self, order_id: str) -> None:
        """The server's time for the order is up (this fake keeps no time of its own)."""
        self.qr[order_id] = dataclasses.replace(self.qr[order_id], status="expired")

    def pay_qr(self, order_id: str) -> None:
        """The customer pays the QR order on the phone."""
        txn_id, account_no, amount = self.qr_txn[order_id]
        self.qr[order_id] = dataclasses.replace(
            self.qr[order_id], status="paid", payment=self._answer(txn_id, account_no, amount)
        )

    # ---------------------------------------------------------------- the wire's calls
    def get_account(self, account_no: str) -> Account:
        self._called("get_account")
        if account_no not in self.accounts:
            raise CentralRejected(404, "account_not_found", {"account_no": account_no})
        return self.accounts[account_no]

    def post_payment(self, payment: Mapping[str, object]) -> PaymentAnswer:
        self._called("post_payment")
        txn_id = str(payment["txn_id"])
        replayed = txn_id in self.payments
        if not replayed and payment.get("method") == "card":
            payment = self._redeem(payment)  # the server applies the card's face value
        self.payments.setdefault(txn_id, dict(payment))
        posted = self.payments[txn_id]
        answer = self._answer(txn_id, str(posted["account_no"]), int(str(posted["amount_fen"])))
        return dataclasses.replace(answer, replayed=replayed)

    def _redeem(self, payment: Mapping[str, object]) -> dict[str, object]:
        """The server's card rules: unknown 404, wrong PIN 403 with attempts left (five),
        then locked 423; a used card 409."""
        card = payment["card"]
        assert isinstance(card, Mapping)
        card_no, pin = str(card["card_no"]), str(card["pin"])
        if card_no not in self.cards:
            raise CentralRejected(404, "card_not_found", {"field": "card.card_no"})
        right_pin, face = self.cards[card_no]
        used = self.pin_attempts.get(card_no, 0)
        if used >= 5:
            raise CentralRejected(423, "card_locked")
        if face == 0:
            raise CentralRejected(409, "card_used")
        if pin != right_pin:
            self.pin_attempts[card_no] = used + 1
            raise CentralRejected(403, "card_pin_invalid", {"attempts_left": 4 - used})
        self.cards[card_no] = (right_pin, 0)
        return {**payment, "amount_fen": face, "card": {"card_no": card_no}}  # no PIN kept

    def post_batch(self, payments: Sequence[Mapping[str, object]]) -> list[BatchItem]:
        answers = [self.post_payment(p) for p in payments]
        return [BatchItem(a.txn_id, 200 if a.replayed else 201, a, None, {}) for a in answers]

    def create_qr_order(self, txn_id: str, account_no: str, amount_fen: int) -> QrOrder:
        self._called("create_qr_order")
        order_id = f"QR{len(self.qr) + 1:04d}"
        expires_at = self.clock.now_utc() + timedelta(minutes=5)
        self.qr[order_id] = QrOrderStatus(order_id, "pending", expires_at, None)
        self.qr_txn[order_id] = (txn_id, account_no, amount_fen)
        return QrOrder(order_id, f"https://pay.example/{order_id}", expires_at)

    def get_qr_order(self, order_id: str) -> QrOrderStatus:
        self._called("get_qr_order")
        return self.qr[order_id]

    def cancel_qr_order(self, order_id: str) -> str:
        self._called("cancel_qr_order")
        order = self.qr[order_id]
        if order.status == "pending":
            self.qr[order_id] = dataclasses.replace(order, status="cancelled")
        return self.qr[order_id].status

    def heartbeat(self, body: Mapping[str, object]) -> HeartbeatAnswer:
        self._called("heartbeat")
        return HeartbeatAnswer(self.clock.now_utc(), ())

    def ping(self) -> float:
        self._called("ping")
        return 0.001

    def _call(self, method: str, path: str, *_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError(f"FakeCentral does not answer {method} {path}: add it to the fake")

    def _called(self, name: str) -> None:
        self.calls.append(name)
        if self.down is not None:
            raise self.down

    def _answer(self, txn_id: str, account_no: str, amount_fen: int) -> PaymentAnswer:
        account = self.accounts[account_no]
        principal = min(amount_fen, account.due_fen)
        return PaymentAnswer(
            txn_id=txn_id,
            status="accepted",
            server_ref=f"SRV-{txn_id}",
            allocations=(Allocation("2026-11", principal, 0),) if principal else (),
            credited_to_balance_fen=amount_fen - principal,
            balance_fen=account.balance_fen + amount_fen - principal,
            receipt_url=f"https://receipts.example/{txn_id}",
        )


@dataclasses.dataclass
class EngineHarness:
    engine: Engine
    clock: ManualClock
    central: FakeCentral
    acceptor: FakeAcceptor
    printer: FakePrinter
    journal: Journal
    config: KioskConfig
    published: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    _checked: int = 0

    @classmethod
    def start(
        cls, tmp_path: Path, *, printer: bool = True, **sections: dict[str, Any]
    ) -> EngineHarness:
        """A started engine with cash on offer (the fake acceptor reported ready)."""
        config = kiosk_test_config(
            tmp_path / "data",
            central_url="http://central.invalid",
            secret=SECRET,
            kiosk_id="H0000001",
            cash_url="fake://acceptor",
            printer_url="fake://printer",
            **sections,
        )
        config.kiosk.data_dir.mkdir(parents=True, exist_ok=True)
        clock = ManualClock()
        central = FakeCentral(config.kiosk.id)
        journal = Journal(config.journal_path, clock=central.clock.journal_stamp)
        fake_printer = FakePrinter()
        acceptor = FakeAcceptor()
        engine = Engine(
            config,
            journal,
            central,
            acceptor=acceptor,
            printer=fake_printer if printer else None,
            clock=clock,
            loop_type=StepLoop,
        )
        acceptor.engine = engine
        engine.card.sleep = clock.sleep
        harness = cls(engine, clock, central, acceptor, fake_printer, journal, config)
        engine.subscribe(harness.published.append)
        engine.boot()
        engine.loop.start()
        harness.advance(1.0)  # the first heartbeat: the server is known to answer
        return harness

    @property
    def loop(self) -> StepLoop:
        assert isinstance(self.engine.loop, StepLoop)
        return self.engine.loop

    def intent(self, name: str, **args: Any) -> dict[str, Any]:
        """The customer acts; the snapshot after everything it led to."""
        self.engine.intent(name, **args)
        self.check_published()
        return self.snapshot()

    def check_published(self) -> None:
        """Every snapshot published so far has the shape the screens read
        (kiosk/snapshot_schema.py)."""
        for snap in self.published[self._checked :]:
            found = problems(snap)
            assert not found, f"snapshot {snap.get('seq')} ({snap.get('state')}): {found}"
        self._checked = len(self.published)

    def snapshot(self) -> dict[str, Any]:
        return self.engine.snapshot()

    @property
    def state(self) -> str:
        return str(self.snapshot()["state"])

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass: each timer fires at its own moment, in order, with what it
        leads to handled before the next (as on a kiosk where the time really went by)."""
        target = self.clock.now + seconds
        while True:
            due = self.loop.timers.next_due()
            if due is None or due > target:
                break
            self.clock.now = max(self.clock.now, due)
            self.loop.run_until_idle()
        self.clock.now = target
        self.loop.run_until_idle()
        self.check_published()

    def to_cash_insert(self, account_no: str, amount_fen: int | None = None) -> dict[str, Any]:
        self.intent("start")
        self.intent("enter_account", account_no=account_no)
        self.intent("choose_amount", amount_fen=amount_fen)
        snap = self.intent("choose_method", method="cash")
        assert snap["state"] == "cash_insert", snap.get("error")
        return snap

    def flush_outbox(self) -> None:
        """One round of the outbox, on the test's thread (its own thread is not started)."""
        self.engine.outbox.drain_once()
        self.loop.run_until_idle()
        self.check_published()

    def kinds(self, txn_id: str) -> list[str]:
        """The kinds of the journal's events of one transaction, in order."""
        return [e.kind for e in self.journal.events(txn_id=txn_id)]

    def stop(self) -> None:
        self.engine.stop()
        self.journal.close()
