"""The engine: single owner of the payment session, the journal's money events and the cash box.

Everything that changes money state arrives as a message on one queue and is applied on
the engine thread, one at a time: customer intents from the UI, events from the bill
acceptor and the printer, and results of network calls run in the background. After each
message the engine publishes a snapshot (a JSON-able dict) to its subscribers.

Order of writes for cash (docs/journal.md, with one change noted in ``_finish_cash``):
``opened`` before the acceptor is enabled; ``escrow`` with the decision before STACK or
RETURN is answered; ``stacked`` before the host acknowledges the device; ``closed`` and
``queued`` together (one transaction) once the acceptor is disabled and no note is in flight.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from drivers.backoff import Backoff
from drivers.cash.api import (
    AcceptorError,
    AcceptorEvent,
    BillAcceptor,
    Decision,
    Disconnected,
    Escrow,
    EventNotRecorded,
    Fault,
    FaultCleared,
    PowerUp,
    Ready,
    Reconnected,
    Rejected,
    Returned,
    Stacked,
    StackedUnidentified,
)
from kiosk import availability, projection, remote_commands
from kiosk.background import Done, Runner
from kiosk.central_client import (
    Account,
    CentralClient,
    CentralError,
    CentralOffline,
    CentralRejected,
    CentralTimeout,
    CentralUnauthorized,
    PaymentAnswer,
)
from kiosk.config import KioskConfig
from kiosk.data_disk import DiskSpace, examine, explain_write_failure
from kiosk.journal import Journal, JournalError
from kiosk.maintenance import Maintenance
from kiosk.outbox import Outbox, OutboxResult, answer_json, paid_fen
from kiosk.paycode_flow import PaycodeFlow
from kiosk.paycode_flow import snapshot as paycode_snapshot
from kiosk.projection import Kind
from kiosk.receipt_facts import printable, receipt_for
from kiosk.receipts import ReceiptError
from kiosk.recovery import Recovery
from kiosk.session import IDLE_STATES, Guard, Machine, State, TransitionRefused, Trigger
from kiosk.settings import (
    load_disabled_methods,
    load_lock_message,
    save_disabled_methods,
    save_lock_message,
)
from kiosk.technicians import Registry

log = logging.getLogger("kiosk.engine")

STACK_WAIT_S = 15.0  # a note under STACK reports stacked or returned well within this
CARD_POST_ATTEMPTS = 3
CARD_POST_BACKOFF = Backoff(initial_s=2.0, max_s=6.0)  # waits 2, 4, 6 s
CARD_POST_DEADLINE_S = 25.0
HEALTH_CHECK_S = 10.0
JOURNAL_CHECK_S = 1.0  # while writes fail: how often to try again


class NotRecorded(EventNotRecorded):
    """A money event could not be journaled: the device must not be acknowledged."""


@dataclass(frozen=True)
class Intent:
    """Something the customer (or a technician, or a script) asked for."""

    name: str
    args: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class _Reply:
    """A question from a device thread that waits for the engine's answer."""

    event: AcceptorEvent
    answered: threading.Event = field(default_factory=threading.Event)
    decision: Decision = Decision.RETURN
    error: BaseException | None = None  # set when the event was not recorded


@dataclass
class CashSession:
    notes: dict[int, int] = field(default_factory=dict)
    inserted_fen: int = 0
    in_escrow_fen: int = 0  # stack decided, outcome not reported yet
    unsettled_fen: int = 0  # handed to recovery unreported: pending verification
    finishing: bool = False
    last_note: str | None = None


@dataclass
class Session:
    token: int
    mode: str = "pay"
    account: Account | None = None
    amount_fen: int | None = None
    method: str | None = None
    txn_id: str | None = None
    cash: CashSession = field(default_factory=CashSession)
    qr: dict[str, Any] = field(default_factory=dict)
    card: dict[str, Any] = field(default_factory=dict)
    paycode: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    notice: str | None = None
    idle_prompt: bool = False
    lookup_token: int = 0
    looking_up: str | None = None
    close_reason: str = "customer_finished"


class Engine:
    def __init__(
        self,
        config: KioskConfig,
        journal: Journal,
        central: CentralClient,
        *,
        acceptor: BillAcceptor | None = None,
        printer: Any | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        from kiosk.timers import Timers

        self.config = config
        self.journal = journal
        self.central = central
        self.acceptor = acceptor
        self.printer = printer
        self._clock = clock
        self._queue: queue.Queue[Any] = queue.Queue()
        self._timers = Timers(clock)
        self._net = Runner("net", workers=2)
        self._printer_runner = Runner("printer", workers=1)
        self._subscribers: list[Callable[[dict[str, Any]], None]] = []
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._tokens = 0
        self.session = self._new_session()
        self.machine = Machine({Guard.NOTHING_TAKEN: self._nothing_taken})
        self.language = config.kiosk.language
        self.large_text = config.ui.large_text
        self.health = availability.Health(
            printer_can_print=not config.printer.enabled,
            printer_state="disabled" if not config.printer.enabled else "not_answering",
        )
        self.acceptor_state: dict[str, Any] = {"state": "not_started", "last_error": None}
        self.printer_state: dict[str, Any] = {"state": "not_checked", "detail": ""}
        self.server_state: dict[str, Any] = {"reachable": False, "latency_ms": None}
        self.test_mode = False  # technician's acceptor test: notes are shown, then returned
        self.test_notes: list[int] = []
        self.refused: list[str] = []
        self._snapshot_seq = 0
        self._first_health_round_done = False
        self._printing: dict[int, tuple[str, str]] = {}  # print token -> (txn id, text)
        self._last_published: str = ""
        self.last_beat = clock()
        self.started_at = clock()
        self.outbox = Outbox(
            journal,
            central,
            config.outbox,
            on_result=self._queue.put,
            on_journal_error=self._queue.put,
        )
        self.recovery = Recovery(journal, config.kiosk.id)
        self.maintenance = Maintenance(
            self,
            Registry(
                journal,
                max_failures=config.maintenance.pin_attempts,
                lockout=timedelta(seconds=config.maintenance.lockout_s),
            ),
        )
        self.disabled_methods = load_disabled_methods(journal)
        self.disk: DiskSpace = examine(config.kiosk.data_dir)
        self._commands_in_flight: set[str] = set()
        self.paycode = PaycodeFlow(self)
        self.scanner_configured = False  # set by the runtime when it builds a scanner
        self.health = dataclasses.replace(self.health, locked=load_lock_message(journal))

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> None:
        try:
            self.recovery.start(self)
        except JournalError as exc:  # a full or read-only disk at boot: start, take nothing
            self._journal_failed(exc)
        self._thread = threading.Thread(target=self._loop, name="engine", daemon=True)
        self._thread.start()
        self.outbox.start()
        if self.acceptor is not None:
            self._net.run("acceptor_start", 0, self.acceptor.start, self._queue.put)
        self._timers.set("health", 0)
        self._timers.set("heartbeat", 1.0)

    def stop(self) -> None:
        self._stopping.set()
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.outbox.stop()
        if self.acceptor is not None:
            try:
                self.acceptor.stop()
            except Exception:
                log.exception("acceptor did not stop cleanly")
        self._net.shutdown()
        self._printer_runner.shutdown()

    def set_timer(self, name: str, seconds: float) -> None:
        """Engine thread only (recovery and maintenance run there)."""
        self._timers.set(name, seconds)

    def run_background(
        self, fn: Callable[[], Any], then: Callable[[Done[Any]], None], *, pool: str = "net"
    ) -> None:
        """Run fn off the engine thread; ``then(done)`` runs back on the engine thread."""
        runner = self._printer_runner if pool == "printer" else self._net
        runner.run("callback", 0, fn, lambda done: self._queue.put(lambda: then(done)))

    def cancel_timer(self, *names: str) -> None:
        self._timers.cancel(*names)

    def subscribe(self, callback: Callable[[dict[str, Any]], None]) -> None:
        self._subscribers.append(callback)

    def submit(self, intent: Intent) -> None:
        self._queue.put(intent)

    def intent(self, name: str, **args: Any) -> None:
        self.submit(Intent(name, args))

    def call(self, fn: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Run fn on the engine thread and return its result (for maintenance and tests)."""
        box: dict[str, Any] = {}
        done = threading.Event()

        def job() -> None:
            try:
                box["value"] = fn()
            except Exception as exc:  # noqa: BLE001 - handed back to the caller as is
                box["error"] = exc
            finally:
                done.set()

        self._queue.put(job)
        if not done.wait(timeout):
            raise TimeoutError("the engine did not answer in time")
        if "error" in box:
            raise box["error"]
        return box.get("value")

    # ------------------------------------------------- device threads come in here
    def decide_escrow(self, escrow: Escrow) -> Decision:
        """Called by the acceptor's poll thread; the engine journals, then answers."""
        reply = _Reply(escrow)
        self._queue.put(reply)
        timeout = self.config.cash.escrow_decision_timeout_ms / 1000
        if not reply.answered.wait(timeout):
            log.error("no escrow decision within %.1f s: the note will be returned", timeout)
            return Decision.RETURN
        if reply.error is not None:
            return Decision.RETURN  # the escrow row is not on disk: the note goes back
        return reply.decision

    def acceptor_event(self, event: AcceptorEvent) -> None:
        """Called by the acceptor's poll thread. Money events wait until journaled."""
        if isinstance(event, Stacked | Returned | StackedUnidentified):
            reply = _Reply(event)
            self._queue.put(reply)
            # The host acknowledges the device only after this returns: the record comes
            # first. The engine never blocks on I/O other than its own journal commit.
            while not reply.answered.wait(1.0):
                if self._stopping.is_set():
                    # Not journaled: raise so the host does not acknowledge, and the device
                    # reports the note again to the next start.
                    raise NotRecorded("the engine is stopping; the note was not journaled")
            if reply.error is not None:
                # Only "recorded" lets the device go on: unacknowledged, it reports again.
                raise NotRecorded(f"not journaled: {reply.error}") from reply.error
            return
        self._queue.put(event)

    # ------------------------------------------------------------------ the loop
    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                message = self._queue.get(timeout=self._timers.next_wait(1.0))
            except queue.Empty:
                message = None
            self.last_beat = self._clock()
            if message is not None:
                try:
                    self._handle(message)
                except TransitionRefused as exc:
                    log.warning("refused: %s", exc)
                    self.refused.append(str(exc))
                    del self.refused[:-20]
                except JournalError as exc:
                    self._journal_failed(exc)
                except Exception:
                    log.exception("engine failed handling %r", type(message).__name__)
            for name in self._timers.pop_due():
                try:
                    self._on_timer(name)
                except TransitionRefused as exc:
                    log.warning("refused: %s", exc)
                except JournalError as exc:
                    self._journal_failed(exc)
                except Exception:
                    log.exception("engine failed on timer %s", name)
            try:
                self._publish()
            except Exception:
                log.exception("engine could not publish a snapshot")

    def _handle(self, message: Any) -> None:
        if isinstance(message, Intent):
            self._on_intent(message)
        elif isinstance(message, _Reply):
            self._on_reply(message)
        elif isinstance(message, AcceptorEvent):
            self._on_acceptor_event(message)
        elif isinstance(message, Done):
            self._on_done(message)
        elif isinstance(message, OutboxResult):
            self._on_outbox(message)
        elif isinstance(message, JournalError):
            self._journal_failed(message)  # another thread's write failed
        elif callable(message):
            message()

    # ----------------------------------------------------------------- intents
    def _on_intent(self, intent: Intent) -> None:
        handler = getattr(self, f"_do_{intent.name}", None)
        if handler is None:
            raise TransitionRefused(
                self.machine.state, Trigger.START, f"unknown intent {intent.name}"
            )
        self._touch()
        handler(**intent.args)

    def _touch(self) -> None:
        if self.machine.state is State.MAINTENANCE and self.maintenance.user is not None:
            self.maintenance.touch()  # a technician reading the screen is not idle
        self.session.idle_prompt = False
        self._timers.cancel("idle_finish")
        if self.machine.state in IDLE_STATES:
            self._timers.set("idle_prompt", self._idle_s(self.config.timeouts.idle_prompt_s))
        else:
            self._timers.cancel("idle_prompt")

    def _do_touch(self) -> None:
        """Any tap on the screen: keeps the session alive."""

    def _do_still_here(self) -> None:
        """The customer answered "need more time?"."""

    def _do_set_language(self, language: str) -> None:
        if language == "zh":
            self.language = "zh"
        elif language == "en":
            self.language = "en"
        else:
            raise TransitionRefused(self.machine.state, Trigger.START, f"language {language!r}")

    def _do_set_large_text(self, on: bool) -> None:
        self.large_text = bool(on)

    def _do_start(self, mode: str = "pay") -> None:
        if mode not in ("pay", "card", "check"):
            raise TransitionRefused(self.machine.state, Trigger.START, f"mode {mode!r}")
        self.fire(Trigger.START)
        self.session = self._new_session(mode=mode)

    def _do_enter_account(self, account_no: str) -> None:
        account_no = str(account_no).strip()
        if not account_no.isdigit() or not 6 <= len(account_no) <= 20:
            self.session.error = {"code": "account_format", "detail": {}}
            return
        self.fire(Trigger.ENTER_ACCOUNT)
        self.session.error = None
        self.session.looking_up = account_no  # shown while the lookup runs
        self._tokens += 1  # a late answer to an earlier lookup must not show
        self.session.lookup_token = token = self._tokens
        self._net.run(
            "lookup", token, lambda: self.central.get_account(account_no), self._queue.put
        )

    def _do_cancel(self) -> None:
        state = self.machine.state
        if state is State.CASH_INSERT:
            self.fire(Trigger.CANCEL)  # the guard refuses once a note is taken
            self._cancel_cash("customer_cancelled")
        elif state is State.QR_WAIT:
            self.fire(Trigger.CANCEL)
            self._cancel_qr()
        elif state is State.PAYCODE_WAIT:
            self.paycode.cancel()
        elif state is State.METHOD_CHOSEN:
            raise TransitionRefused(state, Trigger.CANCEL, "the payment is being prepared")
        elif state is State.CARD_ENTRY and self.session.txn_id is None:
            self.fire(Trigger.CANCEL)
            self._timers.set("done", 3)
        else:
            self.fire(Trigger.CANCEL)
            if self.machine.state is State.HOME:
                self.go_home()

    def _do_back(self) -> None:
        self.fire(Trigger.BACK)
        if self.machine.state is State.HOME:
            self.go_home()

    def _do_home(self) -> None:
        """The done/cancelled screens' "finish" button."""
        if self.machine.state in (State.DONE, State.CANCELLED):
            self.fire(Trigger.CANCEL)
            self.go_home()
        else:
            self._do_cancel()

    def _do_maintenance(self, action: str, **args: Any) -> None:
        """Technician actions (kiosk.maintenance): open, login, status, collection, ..."""
        self.maintenance.handle(action, args)

    def _do_choose_amount(self, amount_fen: int | None = None) -> None:
        account = self.session.account
        if account is None:
            raise TransitionRefused(self.machine.state, Trigger.CHOOSE_AMOUNT, "no account")
        limits = self.config.limits
        amount = account.due_fen if amount_fen is None else amount_fen
        if isinstance(amount, bool) or not isinstance(amount, int):
            self.session.error = {"code": "amount_invalid", "detail": {}}
            return
        if amount < limits.min_payment_fen or amount > limits.max_payment_fen:
            self.session.error = {
                "code": "amount_out_of_range",
                "detail": {"min_fen": limits.min_payment_fen, "max_fen": limits.max_payment_fen},
            }
            return
        self.fire(Trigger.CHOOSE_AMOUNT)
        self.session.amount_fen = amount
        self.session.error = None

    def _do_choose_method(self, method: str) -> None:
        methods = self.methods()
        if method not in methods:
            raise TransitionRefused(self.machine.state, Trigger.CHOOSE_METHOD, f"method {method!r}")
        if not methods[method].ok:
            self.session.error = {
                "code": "method_unavailable",
                "detail": {"method": method, "reason": methods[method].reason},
            }
            return
        if method != "card" and self.session.amount_fen is None:
            raise TransitionRefused(
                self.machine.state, Trigger.CHOOSE_METHOD, "choose an amount first"
            )
        self.fire(Trigger.CHOOSE_METHOD)
        self.session.method = method
        # Preparing waits on the printer check or the QR order: never for ever.
        self._timers.set("prepare", self.config.timeouts.lookup_s + 5)
        self.session.error = None
        if method == "cash":
            self._check_printer(purpose="cash")
        elif method == "qr":
            self._open_qr()
        elif method == "paycode":
            self.paycode.prepare()
        else:
            self.fire(Trigger.METHOD_READY_CARD)

    # ------------------------------------------------------------------ cash
    def _prepare_cash(self, printer_ok: bool) -> None:
        if self.machine.state is not State.METHOD_CHOSEN:
            return
        if not printer_ok and not self.config.printer.onscreen_receipt_fallback:
            self.session.error = {
                "code": "method_unavailable",
                "detail": {"method": "cash", "reason": f"printer_{self.health.printer_state}"},
            }
            self.fire(Trigger.METHOD_FAILED)
            return
        if self.acceptor is None or not self.health.acceptor_ready:
            self.session.error = {
                "code": "method_unavailable",
                "detail": {"method": "cash", "reason": "acceptor_not_ready"},
            }
            self.fire(Trigger.METHOD_FAILED)
            return
        self._examine_disk()
        if self.health.disk_low or self.health.journal_fault is not None:
            self.session.error = {
                "code": "method_unavailable",
                "detail": {
                    "method": "cash",
                    "reason": "journal_fault" if self.health.journal_fault else "disk_low",
                },
            }
            self.fire(Trigger.METHOD_FAILED)
            return
        self._open_txn("cash")
        self.session.cash = CashSession()
        try:
            self.acceptor.enable(frozenset(self.config.cash.denominations_fen))
        except AcceptorError as exc:
            log.error("acceptor would not enable: %s", exc)
            self._journal(Kind.CANCELLED, {"reason": "acceptor_enable_failed"})
            self.session.error = {
                "code": "method_unavailable",
                "detail": {"method": "cash", "reason": "acceptor_not_ready"},
            }
            self.session.txn_id = None
            self.fire(Trigger.METHOD_FAILED)
            return
        self.fire(Trigger.METHOD_READY_CASH)
        self._touch()

    def _decide(self, escrow: Escrow) -> tuple[Decision, str]:  # noqa: PLR0911 - one rule a line
        """The local stack/return rule: no network, milliseconds."""
        cash = self.session.cash
        if self.test_mode:
            return Decision.RETURN, "test_mode"
        if self.health.journal_fault is not None:
            return Decision.RETURN, "journal_fault"
        if self.recovery.wants_stack(escrow):
            return Decision.STACK, "recovery"
        if self.machine.state is not State.CASH_INSERT or self.session.txn_id is None:
            return Decision.RETURN, "no_open_payment"
        if cash.finishing:
            return Decision.RETURN, "finishing"
        if cash.in_escrow_fen:
            return Decision.RETURN, "note_in_flight"
        if escrow.denomination_fen not in self.config.cash.denominations_fen:
            return Decision.RETURN, "denomination_not_accepted"
        if cash.inserted_fen + escrow.denomination_fen > self.config.limits.max_payment_fen:
            return Decision.RETURN, "over_payment_limit"
        if self._cashbox_notes() >= self.config.cash.cashbox_capacity_notes:
            return Decision.RETURN, "cashbox_full"
        return Decision.STACK, "accepted"

    def _on_reply(self, reply: _Reply) -> None:
        """A money event has three outcomes: recorded (the device goes on), refused (an
        escrow returned), or not recorded (the device is not acknowledged and reports again)."""
        try:
            event = reply.event
            if isinstance(event, Escrow):
                reply.decision = self._on_escrow(event)
            elif isinstance(event, Stacked):
                self._on_stacked(event)
            elif isinstance(event, Returned):
                self._on_returned(event)
            elif isinstance(event, StackedUnidentified):
                self._on_stacked_unidentified()
        except BaseException as exc:
            reply.decision = Decision.RETURN
            reply.error = exc
            raise
        finally:
            reply.answered.set()

    def _on_escrow(self, escrow: Escrow) -> Decision:
        self.recovery.new_escrow_seen()
        decision, reason = self._decide(escrow)
        if self.test_mode:
            self.test_notes.append(escrow.denomination_fen)
            self._journal(
                Kind.AUDIT,
                {
                    "action": "acceptor_test_note",
                    "result": "returned",
                    "denomination_fen": escrow.denomination_fen,
                },
            )
            return decision
        txn_id = (
            self.recovery.txn_for_escrow(escrow) if reason == "recovery" else self.session.txn_id
        )
        if txn_id is None:
            self._journal(
                Kind.AUDIT,
                {
                    "action": "stray_escrow",
                    "result": "returned",
                    "denomination_fen": escrow.denomination_fen,
                },
            )
            return Decision.RETURN
        self._journal(
            Kind.ESCROW,
            {
                "denomination_fen": escrow.denomination_fen,
                "decision": decision.value,
                "reason": reason,
            },
            txn_id=txn_id,
        )
        if decision is Decision.STACK and txn_id == self.session.txn_id:
            self.session.cash.in_escrow_fen = escrow.denomination_fen
        elif decision is Decision.RETURN and txn_id == self.session.txn_id:
            self.session.notice = f"returned_{reason}"
        return decision

    def _on_stacked(self, event: Stacked, *, evidence: str = "") -> None:
        """Journal a note in the box against the stack decision it settles.

        A report is matched to a pending decision by denomination: the running payment's
        note in flight first, then a note handed to recovery (after a restart or a stack
        timeout). A report that matches no decision is never merged into a payment: it is
        the repeat of a note already journaled, or a suspect a technician checks.
        """
        denomination = event.denomination_fen
        cash = self.session.cash
        payload: dict[str, Any] = {"denomination_fen": denomination}
        if evidence:
            payload["evidence"] = evidence
        if cash.in_escrow_fen and self.session.txn_id is not None:
            if denomination != cash.in_escrow_fen:
                self._stacked_mismatch(self.session.txn_id, cash.in_escrow_fen, denomination)
                return
            self._journal(Kind.STACKED, payload, txn_id=self.session.txn_id)
            self._note_stacked_in_session(denomination)
            return
        recovered = self.recovery.txn_for_outcome(denomination)
        if recovered is not None:
            self._journal(Kind.STACKED, payload, txn_id=recovered)
            self.recovery.settled(recovered)
            self._late_note_settled(recovered, denomination, stacked=True)
            self.close_recovered(recovered)
            return
        if self.recovery.is_repeated_stack(denomination):
            return  # the pre-restart note's report again: journaled once already
        if self.session.txn_id is not None and self.machine.state in (
            State.CASH_INSERT,
            State.PROCESSING,
        ):
            # In the box with no stack decision: the payment's customer may own it, but
            # only a technician counting the box can say so.
            self._stacked_mismatch(self.session.txn_id, 0, denomination)
            return
        if self.recovery.unsettled:
            pending = self.recovery.only_pending_denomination()
            txn_id = self.recovery.txn_for_outcome(pending) if pending else None
            if txn_id is not None:
                self._stacked_mismatch(txn_id, pending, denomination, recovered=True)
                return
        self._record_stray_stack(denomination)

    def _note_stacked_in_session(self, denomination: int) -> None:
        cash = self.session.cash
        cash.in_escrow_fen = 0
        cash.inserted_fen += denomination
        cash.notes[denomination] = cash.notes.get(denomination, 0) + 1
        cash.last_note = str(denomination)
        self.session.notice = "note_accepted"
        self._touch()
        if cash.finishing:
            self._close_cash_if_settled()
        elif (
            cash.inserted_fen + min(self.config.cash.denominations_fen)
            > self.config.limits.max_payment_fen
        ):
            self._finish_cash("payment_limit_reached")

    def _stacked_mismatch(
        self, txn_id: str, decided: int, reported: int, *, recovered: bool = False
    ) -> None:
        """The device says another note reached the box than the one decided: a suspect."""
        kiosk_id = self.config.kiosk.id
        why = (
            f"device reported {reported} fen stacked for a {decided} fen stack decision"
            if decided
            else f"device reported {reported} fen stacked with no stack decision"
        )
        log.error("%s: %s: suspect", txn_id, why)
        self.journal.append_many(
            lambda conn: [projection.suspect_event(conn, kiosk_id, txn_id, reported, why)]
        )
        if recovered:
            self.recovery.settled(txn_id)
            self._late_note_settled(txn_id, decided, stacked=False)
            self.close_recovered(txn_id)
            return
        self.session.cash.in_escrow_fen = 0
        if self.session.cash.finishing:
            self._close_cash_if_settled()

    def _late_note_settled(self, txn_id: str, denomination: int, *, stacked: bool) -> None:
        """The customer may still be looking at the result that showed this note pending."""
        result = self.session.result
        if result is None or result.get("txn_id") != txn_id or not result.get("pending_fen"):
            return
        result["pending_fen"] = max(0, int(result["pending_fen"]) - denomination)
        if stacked:
            result["late_credited_fen"] = int(result.get("late_credited_fen") or 0) + denomination

    def _on_stacked_unidentified(self) -> None:
        """A note reached the stacker but the device could not say which (ID-003 after a
        restart between escrow and vend valid): it is the one we decided to stack."""
        pending = self.session.cash.in_escrow_fen or self.recovery.only_pending_denomination()
        if pending:
            self._on_stacked(Stacked(denomination_fen=pending, bill_type=-1))
        elif not self.recovery.is_repeated_stack(None):
            self._record_stray_stack(0)

    def _on_returned(self, event: Returned, *, evidence: str = "") -> None:
        denomination = event.denomination_fen
        payload: dict[str, Any] = {"denomination_fen": denomination}
        if evidence:
            payload["evidence"] = evidence
        cash = self.session.cash
        if cash.in_escrow_fen == denomination and self.session.txn_id is not None:
            self._journal(Kind.RETURNED, payload, txn_id=self.session.txn_id)
            cash.in_escrow_fen = 0
            self.session.notice = "note_returned"
            if cash.finishing:
                self._close_cash_if_settled()
            return
        recovered = self.recovery.txn_for_outcome(denomination)
        if recovered is None:
            return  # a note we decided to return: nothing was taken
        self._journal(Kind.RETURNED, payload, txn_id=recovered)
        self.recovery.settled(recovered)
        self._late_note_settled(recovered, denomination, stacked=False)
        self.close_recovered(recovered)

    def _record_stray_stack(self, denomination: int) -> None:
        """A note reached the box with no payment to own it: keep it visible to a technician."""
        log.error(
            "a %d fen note was stacked with no open payment: recorded as suspect", denomination
        )
        txn_id = self._open_txn_record("cash", account_no="", stray=True)
        kiosk_id = self.config.kiosk.id
        self.journal.append_many(
            lambda conn: [
                projection.suspect_event(
                    conn, kiosk_id, txn_id, denomination, "note stacked with no open payment"
                ),
                (Kind.CANCELLED.value, {"reason": "stray_note"}, txn_id),
            ]
        )

    def _do_finish(self) -> None:
        if self.machine.state is not State.CASH_INSERT:
            raise TransitionRefused(self.machine.state, Trigger.FINISH, "not inserting cash")
        if self.session.cash.inserted_fen == 0 and not self.session.cash.in_escrow_fen:
            raise TransitionRefused(self.machine.state, Trigger.FINISH, "no note inserted yet")
        self._finish_cash("customer_finished")

    def _finish_cash(self, reason: str) -> None:
        # Changed from the original design (docs/journal.md): the acceptor is disabled and any
        # note in flight is settled BEFORE `closed` is written, so no note can be stacked
        # against a closed txn.
        self.fire(Trigger.FINISH)
        cash = self.session.cash
        cash.finishing = True
        self.session.close_reason = reason
        self.disable_acceptor()
        if cash.in_escrow_fen:
            self._timers.set("stack_wait", STACK_WAIT_S)
        self._close_cash_if_settled()

    def _close_cash_if_settled(self) -> None:
        cash, txn_id = self.session.cash, self.session.txn_id
        if cash.in_escrow_fen or txn_id is None or self.session.result is not None:
            return
        self._timers.cancel("stack_wait")
        try:
            self.close_and_queue(txn_id, self.session.close_reason)
        except JournalError as exc:
            # The notes are journaled; only the close is not. The customer is told it is
            # recorded, and the close is written once the journal can be (adopt_open).
            self._journal_failed(exc)
            self.fire(Trigger.SETTLED)
            self._settle("queued")
            return
        self._timers.set("post_wait", self.config.central.read_timeout_s + 2)

    def close_and_queue(self, txn_id: str, reason: str) -> None:
        """Write `closed` and `queued` in one commit, with the exact body the outbox posts."""

        def build(conn: Any) -> list[tuple[str, Mapping[str, Any], str | None]]:
            row = conn.execute(
                projection.transactions.select().where(projection.transactions.c.txn_id == txn_id)
            ).one()
            notes = json.loads(row.notes)
            closed = (
                Kind.CLOSED.value,
                {"total_fen": row.cash_fen, "notes": notes, "reason": reason},
                txn_id,
            )
            if row.cash_fen == 0:
                return [closed]
            body = {
                "txn_id": txn_id,
                "account_no": row.account_no,
                "amount_fen": row.cash_fen,
                "method": "cash",
                "cash": notes,
                "created_at": row.created_at,
                "offline": not self.health.server_reachable,
            }
            queued = (
                Kind.QUEUED.value,
                {
                    "item_id": txn_id,
                    "endpoint": "payments",
                    "amount_fen": row.cash_fen,
                    "body": body,
                },
                txn_id,
            )
            return [closed, queued]

        self.journal.append_many(build)
        self.outbox.wake()
        self._refresh_service_state()

    def _cancel_cash(self, reason: str) -> None:
        self.disable_acceptor()
        if self.session.txn_id is not None:
            try:
                self._journal(Kind.CANCELLED, {"reason": reason})
            except JournalError as exc:  # nothing was taken; cancelled once writable
                self._journal_failed(exc)
        self.session.result = {"status": "cancelled", "reason": reason}
        self._timers.set("done", 5)

    def enable_acceptor(self, denominations_fen: frozenset[int]) -> None:
        if self.acceptor is not None:
            try:
                self.acceptor.enable(denominations_fen)
            except AcceptorError as exc:
                log.error("acceptor enable failed: %s", exc)

    def acceptor_bill_values(self) -> set[int]:
        table = self.acceptor.bill_table if self.acceptor is not None else {}
        return set(table.values()) or set(self.config.cash.denominations_fen)

    def set_method_enabled(self, method: str, enabled: bool) -> None:
        if enabled:
            self.disabled_methods.discard(method)
        else:
            self.disabled_methods.add(method)
        save_disabled_methods(self.journal, self.disabled_methods)
        self._refresh_service_state()

    def note_server(
        self,
        *,
        reachable: bool,
        latency_ms: float | None = None,
        error: BaseException | None = None,
    ) -> None:
        if reachable:
            self._server_ok(latency_ms)
        else:
            self._server_down(error)

    def disable_acceptor(self) -> None:
        if self.acceptor is None:
            return
        try:
            self.acceptor.disable()
        except AcceptorError as exc:  # a dead acceptor takes no more notes anyway
            log.error("acceptor disable failed: %s", exc)

    def close_recovered(self, txn_id: str) -> None:
        if self.recovery.pending(txn_id):
            return
        self.close_and_queue(txn_id, "recovered")

    # -------------------------------------------------------------------- QR
    def _open_qr(self) -> None:
        session = self.session
        assert session.account is not None
        assert session.amount_fen is not None
        txn_id = self._open_txn("qr")
        account_no, amount = session.account.account_no, session.amount_fen
        self._net.run(
            "qr_create",
            session.token,
            lambda: self.central.create_qr_order(txn_id, account_no, amount),
            self._queue.put,
        )

    def _cancel_qr(self) -> None:
        order_id = self.session.qr.get("order_id")
        self.session.qr["cancelling"] = True
        if order_id is None:
            return
        self._net.run(
            "qr_cancel",
            self.session.token,
            lambda: self.central.cancel_qr_order(order_id),
            self._queue.put,
        )

    def _qr_poll(self) -> None:
        order_id = self.session.qr.get("order_id")
        if order_id is None or self.machine.state is not State.QR_WAIT:
            return
        self._net.run(
            "qr_poll",
            self.session.token,
            lambda: self.central.get_qr_order(order_id),
            self._queue.put,
        )

    def _qr_finished(self, status: str, payment: PaymentAnswer | None) -> None:
        if self.machine.state is not State.QR_WAIT:
            return
        if status == "paid" and payment is not None:
            self._journal_posted(payment, endpoint="qr")
            self._journal(Kind.CLOSED, {"total_fen": self.session.amount_fen, "reason": "qr_paid"})
            self.fire(Trigger.QR_PAID)
            self.fire(Trigger.SETTLED)
            self._settle("posted")
        elif status in ("expired", "cancelled"):
            self._journal(Kind.QR_CLOSED, {"status": status})
            self._journal(Kind.CANCELLED, {"reason": f"qr_{status}"})
            self._timers.cancel("qr_poll", "qr_expiry")
            self.fire(Trigger.QR_ENDED)
            self.session.result = {"status": "cancelled", "reason": f"qr_{status}"}
            if status == "expired" and not self.session.qr.get("cancelling"):
                self.session.error = {"code": "qr_expired", "detail": {}}
            self._timers.set("done", 8)

    # ------------------------------------------------------------------- card
    def _do_submit_card(self, card_no: str, pin: str) -> None:
        card_no, pin = str(card_no).strip(), str(pin).strip()
        if not card_no.isdigit() or not 8 <= len(card_no) <= 24 or not pin.isdigit():
            self.session.card["error"] = "card_format"
            return
        self.fire(Trigger.SUBMIT_CARD)
        account = self.session.account
        assert account is not None
        txn_id = self._open_txn("card", card_no=_mask_card(card_no))
        # No amount_fen: the server applies the card's face value, which the kiosk cannot know.
        body = {
            "txn_id": txn_id,
            "account_no": account.account_no,
            "method": "card",
            "card": {"card_no": card_no, "pin": pin},
            "created_at": _local_iso(self.central.clock.now_utc()),  # the server's time
            "offline": False,
        }
        deadline = self._clock() + CARD_POST_DEADLINE_S
        self._net.run(
            "card_post",
            self.session.token,
            lambda: self._post_card(body, deadline),
            self._queue.put,
        )

    def _post_card(self, body: Mapping[str, Any], deadline: float) -> PaymentAnswer:
        """Identical retries are safe (same txn id and body); only transport failures retry."""
        last: CentralError | None = None
        for attempt in range(CARD_POST_ATTEMPTS):
            if self._clock() > deadline:
                break
            try:
                return self.central.post_payment(body)
            except (CentralOffline, CentralTimeout) as exc:
                last = exc
                time.sleep(
                    min(CARD_POST_BACKOFF.delay(attempt), max(0.0, deadline - self._clock()))
                )
        raise last or CentralTimeout("card payment deadline passed")

    # --------------------------------------------------------- network results
    def _on_done(self, done: Done[Any]) -> None:
        handler = getattr(self, f"_done_{done.tag}")
        handler(done)

    def _stale(self, done: Done[Any]) -> bool:
        return done.token != self.session.token

    def _done_acceptor_start(self, done: Done[Any]) -> None:
        if not done.ok:
            log.error("acceptor start failed: %s", done.error)
            self.acceptor_state = {"state": "disconnected", "last_error": str(done.error)}

    def _done_lookup(self, done: Done[Account]) -> None:
        if done.token != self.session.lookup_token or self.machine.state is not State.LOOKING_UP:
            return
        if done.ok and done.value is not None:
            self._server_ok()
            self.session.account = done.value
            self.fire(Trigger.LOOKUP_OK)
            self._touch()
            return
        self.session.error = self._explain(done.error)
        self.fire(Trigger.LOOKUP_FAILED)

    def _done_qr_create(self, done: Done[Any]) -> None:
        if self._stale(done) or self.machine.state is not State.METHOD_CHOSEN:
            return
        if not done.ok:
            self._journal(Kind.CANCELLED, {"reason": "qr_order_failed"})
            self.session.txn_id = None
            self.session.error = self._explain(done.error)
            self.fire(Trigger.METHOD_FAILED)
            return
        order = done.get()
        self._server_ok()
        self._journal(
            Kind.QR_ORDER,
            {
                "order_id": order.order_id,
                "payload": order.qr_payload,
                "expires_at": order.expires_at.isoformat(),
            },
        )
        expires_in = max(5.0, (order.expires_at - self.central.clock.now_utc()).total_seconds())
        self.session.qr = {"order_id": order.order_id, "payload": order.qr_payload}
        self._timers.set("qr_expiry", expires_in + 5)
        self._timers.set("qr_poll", self.config.timeouts.qr_poll_interval_s)
        self.fire(Trigger.METHOD_READY_QR)

    def _done_qr_poll(self, done: Done[Any]) -> None:
        if self._stale(done):
            return
        if done.ok:
            self._server_ok()
            status = done.get()
            self._qr_finished(status.status, status.payment)
        if self.machine.state is State.QR_WAIT:
            self._timers.set("qr_poll", self.config.timeouts.qr_poll_interval_s)

    def _done_qr_cancel(self, done: Done[Any]) -> None:
        if self._stale(done):
            return
        self._qr_poll()  # the order's final state decides: paid in the meantime, or cancelled

    def _done_card_post(self, done: Done[PaymentAnswer]) -> None:
        if self._stale(done) or self.machine.state is not State.PROCESSING:
            return
        if done.ok and done.value is not None:
            self._server_ok()
            self._journal_posted(done.value, endpoint="card")
            self._journal(Kind.CLOSED, {"total_fen": paid_fen(done.value), "reason": "card"})
            self.fire(Trigger.SETTLED)
            self._settle("posted")
            return
        error = done.error
        if isinstance(error, CentralRejected):
            self._journal(
                Kind.CARD_REJECTED,
                {"code": error.code, "attempts_left": error.detail.get("attempts_left")},
            )
            self.session.txn_id = None
            self.session.card = {
                "error": error.code,
                "attempts_left": error.detail.get("attempts_left"),
            }
            self.fire(Trigger.CARD_RETRY)
            self._touch()
            return
        # Unknown outcome: the server may have applied it. Never guess: a technician checks.
        self._journal(
            Kind.NEEDS_ATTENTION,
            {"endpoint": "payments", "reason": "card_unconfirmed", "error": str(error)},
        )
        self._journal(Kind.CLOSED, {"total_fen": 0, "reason": "card_unconfirmed"})
        self.fire(Trigger.SETTLED)
        self._settle("unconfirmed")

    def _done_printer_check(self, done: Done[Any]) -> None:
        self._apply_printer_status(done)

    def _done_print(self, done: Done[Any]) -> None:
        txn_id, text = self._printing.pop(done.token, (None, ""))
        self._apply_printer_status(done)
        ok = done.ok
        if txn_id:  # slips and test pages belong to no transaction
            self._record_receipt(txn_id, ok=ok, text=text, reason=str(done.error))
        if self.session.result is not None and self.session.result.get("txn_id") == txn_id:
            self.session.result["printing"] = "printed" if ok else "failed"

    def _done_heartbeat(self, done: Done[Any]) -> None:
        self._first_health_round_done = True
        if done.ok:
            latency_ms, commands = done.get()
            self._server_ok(latency_ms=latency_ms)
            self._credentials_accepted()
            self._on_remote_commands(commands)
        elif isinstance(done.error, CentralUnauthorized):
            self._server_ok()  # it answered: reachable, but it refuses this kiosk
            self._credentials_refused(done.error)
        else:
            self._server_down(done.error)

    # ------------------------------------------------------------ remote commands
    def _on_remote_commands(self, commands: tuple[dict[str, object], ...]) -> None:
        """Act on each operator command once, between customers (kiosk/remote_commands.py)."""
        if not commands or self.machine.state not in (State.HOME, State.OUT_OF_SERVICE):
            return  # during a payment: the server sends it again with the next heartbeat
        known = self._reported_commands()
        for raw in commands:
            try:
                parsed = remote_commands.parse(raw)
            except remote_commands.CommandRefused as exc:
                log.error("remote command ignored: %s", exc)
                continue
            command_id = str(raw["id"])
            item = remote_commands.ITEM_PREFIX + command_id
            if item in known or command_id in self._commands_in_flight:
                continue  # acted on already; its report is in the outbox
            if isinstance(parsed, remote_commands.CommandResult):
                command = remote_commands.RemoteCommand(command_id, str(raw.get("kind")), {})
                self._record_command(command, parsed)
                continue
            self._carry_out(parsed)

    def _carry_out(self, command: remote_commands.RemoteCommand) -> None:
        result = remote_commands.CommandResult
        kind, args = command.kind, command.args
        if kind == "lock":
            message = str(args["message"]).strip()
            save_lock_message(self.journal, message)
            self._set_health(locked=message)
            self._record_command(command, result("done", "out of service with the message"))
        elif kind == "unlock":
            was = self.health.locked
            save_lock_message(self.journal, None)
            self._set_health(locked=None)
            self._record_command(command, result("done", "unlocked" if was else "was not locked"))
        elif kind == "retry_outbox":
            self.outbox.retry_now()
            self._record_command(command, result("done", "the outbox is posting now"))
        elif kind in ("enable_method", "disable_method"):
            method = str(args["method"])
            self.set_method_enabled(method, kind == "enable_method")
            self._record_command(command, result("done", f"{method} {kind.split('_')[0]}d"))
        elif kind == "restart":
            # Recorded first: a restart must not bring the same command back to itself.
            self._record_command(command, result("done", "restarting the kiosk application"))
            self.maintenance.restart_requested()
        elif kind == "upload_logs":
            self._commands_in_flight.add(command.id)
            hours = int(args.get("hours", 24))

            def uploaded(done: Done[Any]) -> None:
                self._commands_in_flight.discard(command.id)
                outcome = done.value
                if not isinstance(outcome, remote_commands.CommandResult):
                    outcome = result("failed", str(done.error))
                self._record_command(command, outcome)

            self.run_background(lambda: remote_commands.read_logs(hours), uploaded)

    def _record_command(
        self, command: remote_commands.RemoteCommand, result: remote_commands.CommandResult
    ) -> None:
        """The command and its result in the chain, and the report queued, in one commit."""
        audit = {
            "action": "remote_command",
            "command_id": command.id,
            "kind": command.kind,
            "args": dict(command.args),
            "result": result.status,
            "detail": result.detail,
        }
        queued = {
            "item_id": command.item_id,
            "endpoint": "command_results",
            "amount_fen": 0,
            "body": {"command_id": command.id, **result.body()},
        }
        self.journal.append_many(
            lambda _c: [(Kind.AUDIT.value, audit, None), (Kind.QUEUED.value, queued, None)],
            actor="central",
        )
        log.info("remote command %s %s: %s", command.id, command.kind, result.status)
        self.outbox.wake()

    def _reported_commands(self) -> set[str]:
        table = projection.outbox
        prefix = remote_commands.ITEM_PREFIX
        rows = self.journal.read(
            lambda c: c.execute(
                table.select()
                .with_only_columns(table.c.item_id)
                .where(table.c.item_id.startswith(prefix))
            ).all()
        )
        return {row.item_id for row in rows}

    def _credentials_refused(self, error: BaseException | None) -> None:
        """A 401 that is not the clock's (that one the client fixes): nothing can be posted."""
        if isinstance(error, CentralUnauthorized) and error.credentials_refused:
            self.server_state["auth_refused"] = error.reason or error.code
            self.server_state["last_error"] = str(error)
            self._set_health(server_auth=error.reason or error.code)

    def _credentials_accepted(self) -> None:
        self.outbox.credentials_accepted()
        if self.health.server_auth is not None:
            self.server_state["auth_refused"] = None
            self._set_health(server_auth=None)

    def _on_outbox(self, result: OutboxResult) -> None:
        self._refresh_service_state()  # the backlog changed: offline limits, snapshot
        if result.reachable:
            self._server_ok()
        else:
            self._server_down(None)
        if result.auth_refused is not None:
            self.server_state["auth_refused"] = result.auth_refused
            self._set_health(server_auth=result.auth_refused)
        elif result.answer is not None and self.health.server_auth is not None:
            self._credentials_accepted()
        if (
            result.answer is not None
            and result.txn_id == self.session.txn_id
            and self.machine.state is State.PROCESSING
            and self.session.result is None
        ):
            self._timers.cancel("post_wait")
            self.fire(Trigger.SETTLED)
            self._settle("posted")

    # ------------------------------------------------------------ acceptor events
    def _on_acceptor_event(self, event: AcceptorEvent) -> None:
        if isinstance(event, Reconnected):
            # the driver starts the device up again; Ready (or a BILL_TABLE fault) follows
            self.acceptor_state["state"] = "starting"
        elif isinstance(event, Ready):
            self.acceptor_state["state"] = "ready"
            self.acceptor_state["identity"] = vars(event.identity)
            self.acceptor_state["bill_table"] = {str(k): v for k, v in event.bill_table.items()}
            self._set_health(acceptor_ready=True, acceptor_fault=None)
            self.recovery.device_ready(self)
        elif isinstance(event, PowerUp):
            self._on_power_up(event)
        elif isinstance(event, Fault):
            # a device fault by its kind (the screens translate it); a refused bill table by
            # the driver's reason, which names what the device reported
            self.acceptor_state.update(state="fault", last_error=event.reason or event.kind.value)
            self._set_health(acceptor_ready=False, acceptor_fault=event.kind.value)
            self._acceptor_lost()
        elif isinstance(event, FaultCleared):
            self.acceptor_state.update(state="ready")
            self._set_health(acceptor_ready=True, acceptor_fault=None)
        elif isinstance(event, Disconnected):
            self.acceptor_state.update(state="disconnected", last_error=event.reason)
            self._set_health(acceptor_ready=False, acceptor_fault="disconnected")
            self._acceptor_lost()
        elif isinstance(event, Rejected):
            self.session.notice = f"note_rejected_{event.reason}"

    def _on_power_up(self, event: PowerUp) -> None:
        """The device restarted (power cut, cable, its own reset) and says where a bill was."""
        pending = self.session.cash.in_escrow_fen
        if pending and self.session.txn_id is not None and event.bill_in is not None:
            why = f"power-up report: bill in {event.bill_in}"
            log.warning("%s: the %d fen note settled by %s", self.session.txn_id, pending, why)
            if event.bill_in == "stacker":
                self._on_stacked(Stacked(denomination_fen=pending, bill_type=-1), evidence=why)
            else:
                self._on_returned(Returned(denomination_fen=pending, bill_type=-1), evidence=why)
            return
        pending = self.recovery.last_pending()
        if pending and event.bill_in is not None:
            why = f"power-up report: bill in {event.bill_in}"
            if event.bill_in == "stacker":
                self._on_stacked(Stacked(denomination_fen=pending, bill_type=-1), evidence=why)
            else:
                self._on_returned(Returned(denomination_fen=pending, bill_type=-1), evidence=why)

    def _acceptor_lost(self) -> None:
        """A fault mid-payment ends cash insertion with what was taken so far."""
        if self.machine.state is State.CASH_INSERT:
            if self.session.cash.inserted_fen or self.session.cash.in_escrow_fen:
                self._finish_cash("acceptor_fault")
            else:
                self.fire(Trigger.CANCEL)
                self._cancel_cash("acceptor_fault")
            self.session.error = {"code": "acceptor_fault", "detail": {}}

    # ---------------------------------------------------------------- timers
    def _on_timer(self, name: str) -> None:  # noqa: PLR0912 - one branch per timer
        state = self.machine.state
        if name == "idle_prompt" and state in IDLE_STATES:
            self.session.idle_prompt = True
            self._timers.set("idle_finish", self._idle_s(self.config.timeouts.idle_finish_s))
        elif name == "idle_finish" and state in IDLE_STATES:
            self.session.idle_prompt = False
            self._idle_timeout()
        elif name == "qr_poll":
            self._qr_poll()
        elif name == "qr_expiry" and state is State.QR_WAIT:
            self._cancel_qr()
            self._qr_finished("expired", None)
        elif name == "prepare" and state is State.METHOD_CHOSEN:
            self._prepare_failed()
        elif name == "stack_wait":
            self._stack_timed_out()
        elif name == "paycode_poll":
            self.paycode.poll()
        elif name == "paycode_deadline":
            self.paycode.deadline()
        elif name == "post_wait" and state is State.PROCESSING and self.session.result is None:
            self.fire(Trigger.SETTLED)
            self._settle("queued")
        elif name == "done" and state in (State.DONE, State.CANCELLED):
            self.fire(Trigger.DONE_TIMEOUT)
            self.go_home()
        elif name == "health":
            self._check_printer(purpose="health")
            self._examine_disk()
            self._refresh_service_state()
            self._timers.set("health", HEALTH_CHECK_S)
        elif name == "journal_check":
            self._check_journal()
        elif name == "heartbeat":
            self._send_heartbeat()
            self._timers.set("heartbeat", self.config.outbox.heartbeat_interval_s)
        elif name == "recovery":
            self.recovery.window_closed(self)
        elif name == "recover_qr":
            self.recovery.recheck_qr(self)
        elif name == "maintenance_idle":
            self.maintenance.idle_logout()

    def _prepare_failed(self) -> None:
        log.error("preparing %s took too long; back to the method choice", self.session.method)
        if self.session.txn_id is not None:
            self._journal(Kind.CANCELLED, {"reason": "prepare_timeout"})
            self.session.txn_id = None
        self.session.error = {
            "code": "method_unavailable",
            "detail": {"method": self.session.method, "reason": "timeout"},
        }
        self.fire(Trigger.METHOD_FAILED)

    def _idle_timeout(self) -> None:
        state = self.machine.state
        if state is State.CASH_INSERT:
            cash = self.session.cash
            if cash.inserted_fen or cash.in_escrow_fen:
                self._finish_cash("idle_timeout")
            else:
                self.fire(Trigger.CANCEL)
                self._cancel_cash("idle_timeout")
        else:
            self.fire(Trigger.IDLE_TIMEOUT)
            if self.machine.state is State.HOME:
                self.go_home()
            else:
                self._timers.set("done", 3)

    def _stack_timed_out(self) -> None:
        """STACK was sent but the device has not said stacked or returned.

        The device may still tell (a late stacked report, a power-up with the bill in the
        stacker once it has power again), so the note is not a suspect yet: recovery holds
        it as unsettled, exactly as after a restart, and no new cash is taken meanwhile.
        The customer is not kept waiting: the result shows the note as pending verification,
        and the payment is closed and posted once the note is settled.
        """
        cash, txn_id = self.session.cash, self.session.txn_id
        if not cash.in_escrow_fen or txn_id is None:
            return
        denomination = cash.in_escrow_fen
        log.error("%s: no report for the %d fen note under STACK: unsettled", txn_id, denomination)
        cash.in_escrow_fen = 0
        cash.unsettled_fen += denomination
        self.recovery.adopt_unsettled(self, txn_id, denomination, ready=self.health.acceptor_ready)
        if self.machine.state is State.PROCESSING and self.session.result is None:
            self._timers.cancel("post_wait")
            self.fire(Trigger.SETTLED)
            self._settle("queued")

    # ------------------------------------------------------------ the data disk
    def _examine_disk(self) -> None:
        self.disk = examine(self.config.kiosk.data_dir)
        low = self.disk.below(self.config.kiosk.data_min_free_mb)
        if low and not self.health.disk_low:
            log.error(
                "data disk low: %s MB free on %s, below the %d MB floor: no cash payments",
                self.disk.free_mb,
                self.disk.path,
                self.config.kiosk.data_min_free_mb,
            )
        self._set_health(disk_low=low)

    def _journal_failed(self, error: JournalError) -> None:
        """A journal write failed: take nothing more until a write reaches the disk again.

        What was not written did not happen: a note whose `stacked` row failed is not
        acknowledged, so the device keeps reporting it; an escrow whose row failed went
        back. The payment under way pauses (the acceptor is disabled) and goes on once
        writes succeed; what it could not close is settled then, as after a restart.
        """
        first = self.health.journal_fault is None
        reason = explain_write_failure(
            error, Path(self.config.kiosk.data_dir), self.config.journal_path
        )
        if first:
            log.error("%s (%s): cash paused until the journal can be written", reason, error)
        else:
            log.debug("journal still failing: %s", error)
        self._set_health(journal_fault=reason)
        self.disable_acceptor()
        if self._timers.remaining("journal_check") is None:
            self._timers.set("journal_check", JOURNAL_CHECK_S)
        if first and self.machine.state is State.METHOD_CHOSEN:
            self.session.error = {
                "code": "method_unavailable",
                "detail": {"method": self.session.method, "reason": "journal_fault"},
            }
            self.session.txn_id = None  # left open in the journal; settled once writable
            self.fire(Trigger.METHOD_FAILED)

    def _check_journal(self) -> None:
        self._examine_disk()
        try:
            self.journal.probe()
        except JournalError as exc:
            self._journal_failed(exc)
            return
        log.warning("the journal can be written again: %s", self.health.journal_fault)
        self._set_health(journal_fault=None)
        live = self.session.txn_id if self._payment_live() else None
        summary = self.recovery.adopt_open(self, live_txn=live)
        if any(summary.values()):
            log.warning("settled after the journal failure: %s", summary)
        cash = self.session.cash
        if self.machine.state is State.CASH_INSERT and not cash.finishing:
            self.enable_acceptor(frozenset(self.config.cash.denominations_fen))
        self._refresh_service_state()

    def _payment_live(self) -> bool:
        """The session's transaction is still the engine's to finish (not recovery's)."""
        state = self.machine.state
        if state in (State.CASH_INSERT, State.QR_WAIT, State.METHOD_CHOSEN):
            return True
        return state is State.PROCESSING and self.session.result is None

    # ---------------------------------------------------------------- settling
    def _settle(self, status: str) -> None:
        """The payment is over for the customer: show the result and print the receipt.

        Every payment with money in the box prints one, listing any note whose outcome is
        not known yet as pending verification.
        """
        session = self.session
        txn_id = session.txn_id
        assert txn_id is not None
        self._timers.set("done", self.config.timeouts.done_screen_s)
        session.result = {
            "status": status,
            "txn_id": txn_id,
            "printing": "skipped",
            "amount_fen": None,
            "credited_to_balance_fen": None,
            "balance_fen": None,
            "receipt_url": None,
            "receipt_text": None,
            "pending_fen": 0,
            "pending_notes": {},
        }
        if status == "unconfirmed":
            return  # nothing certain to print; the screen says what to do
        row = self.txn_row(txn_id)
        pending = self.pending_notes(txn_id) if row.method == "cash" else {}
        if pending:
            session.result["pending_fen"] = sum(d * n for d, n in pending.items())
            session.result["pending_notes"] = {str(d): n for d, n in sorted(pending.items())}
            if not row.cash_fen:
                session.result["status"] = "pending_verification"
        try:
            bills = (
                [dataclasses.asdict(b) for b in session.account.bills]
                if session.account is not None
                else None
            )
            receipt = receipt_for(
                self.config, row, language=self.language, pending=pending, account_bills=bills
            )
            document = printable(self.config, receipt)
        except ReceiptError as exc:
            # Never print figures that contradict each other; a technician can reprint.
            log.error("receipt for %s not printed: %s", txn_id, exc)
            self._record_receipt(txn_id, ok=False, text="", reason=str(exc))
            session.result["printing"] = "failed"
            return
        session.result.update(
            amount_fen=receipt.amount_applied_fen,
            credited_to_balance_fen=receipt.credited_to_balance_fen,
            balance_fen=receipt.new_balance_fen,
            receipt_url=receipt.check_url,
            receipt_text=document.text,
            invoice_url=receipt.invoice_url,
        )
        if self.config.printer.enabled and self.printer is not None:
            session.result["printing"] = "pending"
            self._print(txn_id, document.text, document.escpos)
        else:
            self._record_receipt(txn_id, ok=False, text=document.text, reason="no printer")
            session.result["printing"] = "failed"

    def pending_notes(self, txn_id: str) -> dict[int, int]:
        """Notes of this payment whose outcome nobody knows yet: open suspects, and a note
        recovery still holds unsettled. Denomination in fen -> count."""
        s, t = projection.suspects, projection.transactions

        def query(conn: Any) -> tuple[list[Any], int]:
            rows = conn.execute(
                s.select().where(s.c.txn_id == txn_id).where(s.c.state == "open")
            ).all()
            held = conn.execute(
                t.select().with_only_columns(t.c.pending_escrow_fen).where(t.c.txn_id == txn_id)
            ).scalar()
            return rows, int(held or 0)

        suspects, held = self.journal.read(query)
        notes: dict[int, int] = {}
        for row in suspects:
            notes[row.denomination_fen] = notes.get(row.denomination_fen, 0) + 1
        if held and self.recovery.pending(txn_id):
            notes[held] = notes.get(held, 0) + 1
        return notes

    def _record_receipt(self, txn_id: str, *, ok: bool, text: str, reason: str = "") -> None:
        """Whether the receipt printed: worth keeping, never worth stopping for."""
        kind = Kind.RECEIPT_PRINTED if ok else Kind.RECEIPT_FAILED
        payload = {"text": text} if ok else {"text": text, "reason": reason}
        try:
            self.journal.append(kind.value, payload, txn_id=txn_id)
        except JournalError as exc:
            log.error("%s: receipt %s not journaled: %s", txn_id, kind.value, exc)
            self._journal_failed(exc)

    def _print(self, txn_id: str | None, text: str, data: bytes) -> None:
        self._tokens += 1
        token = self._tokens
        self._printing[token] = (txn_id or "", text)
        printer = self.printer
        assert printer is not None
        self._printer_runner.run("print", token, lambda: printer.print_job(data), self._queue.put)

    def print_document(self, text: str, data: bytes, *, txn_id: str | None = None) -> None:
        """Print a slip or a copy (maintenance); the result comes back as a `print` result."""
        if self.printer is not None:
            self._print(txn_id, text, data)

    # ---------------------------------------------------------------- helpers
    def fire(self, trigger: Trigger) -> State:
        before = self.machine.state
        after = self.machine.fire(trigger)
        if before is State.METHOD_CHOSEN and after is not State.METHOD_CHOSEN:
            self._timers.cancel("prepare")
        if before is not after:
            log.info("%s --%s--> %s", before.value, trigger.value, after.value)
            if after is State.AMOUNT_CHOSEN:
                self.check_printer()  # the method screen says up front if paper is out
            if after in IDLE_STATES:  # a screen the customer acts on: its idle clock starts
                self.session.idle_prompt = False
                self._timers.cancel("idle_finish")
                self._timers.set("idle_prompt", self._idle_s(self.config.timeouts.idle_prompt_s))
        return after

    def _idle_s(self, seconds: float) -> float:
        """Seniors (large text) get longer to act (WCAG 2.2.1; MIIT guidance)."""
        return seconds * (self.config.ui.senior_timeout_factor if self.large_text else 1.0)

    def go_home(self) -> None:
        self._timers.cancel(
            "idle_prompt", "idle_finish", "qr_poll", "qr_expiry", "post_wait", "done"
        )
        language = self.config.kiosk.language
        self.session = self._new_session()
        self.language = language
        self.large_text = self.config.ui.large_text  # each customer starts afresh
        self._refresh_service_state()

    def _new_session(self, mode: str = "pay") -> Session:
        self._tokens += 1
        return Session(token=self._tokens, mode=mode)

    def _nothing_taken(self) -> bool:
        cash = self.session.cash
        return cash.inserted_fen == 0 and cash.in_escrow_fen == 0

    def _open_txn(self, method: str, **extra: Any) -> str:
        account = self.session.account
        assert account is not None
        txn_id = self._open_txn_record(
            method,
            account_no=account.account_no,
            holder=account.holder,
            amount_due_fen=account.due_fen,
            target_fen=self.session.amount_fen or 0,
            **extra,
        )
        self.session.txn_id = txn_id
        return txn_id

    def _open_txn_record(self, method: str, **fields: Any) -> str:
        kiosk_id = self.config.kiosk.id
        allocated: list[str] = []

        def build(conn: Any) -> list[tuple[str, Mapping[str, Any], str | None]]:
            seq = projection.counter(conn, "txn_seq") + 1
            txn_id = f"{kiosk_id}-{seq:08d}"
            allocated.append(txn_id)
            return [(Kind.OPENED.value, {"seq": seq, "method": method, **fields}, txn_id)]

        self.journal.append_many(build)
        return allocated[0]

    # The face the payment-flow modules (kiosk/paycode_flow.py) use, on the engine thread.
    def touch(self) -> None:
        self._touch()

    def open_txn(self, method: str, **extra: Any) -> str:
        return self._open_txn(method, **extra)

    def journal_event(self, kind: Kind, payload: Mapping[str, Any]) -> None:
        self._journal(kind, payload)

    def journal_posted(self, answer: PaymentAnswer, *, endpoint: str) -> None:
        self._journal_posted(answer, endpoint=endpoint)

    def settle(self, status: str) -> None:
        self._settle(status)

    def now_iso(self) -> str:
        """Now by the server's clock, with the kiosk's offset (what the wire stamps)."""
        return _local_iso(self.central.clock.now_utc())

    def scanner_event(self, event: Any) -> None:
        """From the scanner's reader thread: a scanned code, or the scanner's health."""
        self._queue.put(lambda: self._on_scanner_event(event))

    def _on_scanner_event(self, event: Any) -> None:
        code = getattr(event, "code", None)
        if isinstance(code, str):
            self._touch()
            self.paycode.scanned(code)
            return
        name = type(event).__name__
        if name == "ScanRefused" and self.machine.state is State.PAYCODE_SCAN:
            self.session.paycode = {"status": "scan", "error": "empty"}  # not read: try again
            return
        if name in ("Connected", "Reconnected", "Ready"):
            self._set_health(scanner_ready=True)
        elif name in ("Disconnected", "Lost"):
            self._set_health(scanner_ready=False)

    def _journal(
        self, kind: Kind, payload: Mapping[str, Any], *, txn_id: str | None = None
    ) -> None:
        self.journal.append(kind.value, payload, txn_id=txn_id or self.session.txn_id)

    def _journal_posted(self, answer: PaymentAnswer, *, endpoint: str) -> None:
        self._journal(
            Kind.POSTED,
            {
                "endpoint": "payments",
                "via": endpoint,
                "server_ref": answer.server_ref,
                "answer": answer_json(answer),
            },
        )

    def txn_row(self, txn_id: str) -> Any:
        table = projection.transactions
        return self.journal.read(
            lambda c: c.execute(table.select().where(table.c.txn_id == txn_id)).one()
        )

    def _cashbox_notes(self) -> int:
        table = projection.cashbox
        rows = self.journal.read(lambda c: c.execute(table.select()).all())
        return sum(row.count for row in rows)

    def _explain(self, error: BaseException | None) -> dict[str, Any]:
        if isinstance(error, CentralRejected):
            self._credentials_refused(error)
            return {"code": error.code, "detail": dict(error.detail)}
        if isinstance(error, CentralTimeout | CentralOffline):
            self._server_down(error)
            return {"code": "server_offline", "detail": {}}
        return {"code": "server_error", "detail": {}}

    def _server_ok(self, latency_ms: float | None = None) -> None:
        self.server_state["reachable"] = True
        if latency_ms is not None:
            self.server_state["latency_ms"] = latency_ms
        self._set_health(server_reachable=True)

    def _server_down(self, error: BaseException | None) -> None:
        self.server_state["reachable"] = False
        if error is not None:
            self.server_state["last_error"] = str(error)
        self._set_health(server_reachable=False)

    def _set_health(self, **changes: Any) -> None:
        self.health = dataclasses.replace(self.health, **changes)
        self._update_service_state()

    def _update_service_state(self) -> None:
        """Home <-> out of service as methods become (un)available; payments are untouched."""
        if not self._first_health_round_done:
            return  # at start-up, wait for the first device and server checks
        any_ok = any(a.ok for a in self.methods().values())
        if self.machine.state is State.HOME and not any_ok:
            self.fire(Trigger.SERVICE_LOST)
        elif self.machine.state is State.OUT_OF_SERVICE and any_ok:
            self.fire(Trigger.SERVICE_BACK)

    def check_printer(self) -> None:
        """Ask the printer for its status now (the result updates health and snapshots)."""
        self._check_printer(purpose="health")

    def _check_printer(self, purpose: str) -> None:
        if not self.config.printer.enabled or self.printer is None:
            if purpose == "cash":
                self._prepare_cash(printer_ok=not self.config.printer.enabled)
            return
        printer = self.printer
        if purpose != "cash":
            self._printer_runner.run("printer_check", 0, printer.status, self._queue.put)
            return
        token = self.session.token

        def checked(done: Done[Any]) -> None:
            # This check was asked for after cash was chosen: its answer is fresh.
            self._apply_printer_status(done)
            if token == self.session.token:
                self._prepare_cash(self.health.printer_can_print)

        self.run_background(printer.status, checked, pool="printer")

    def _apply_printer_status(self, done: Done[Any]) -> None:
        # a failed print job carries the status that made it fail
        status = done.value if done.ok else getattr(done.error, "status", None)
        if status is None:
            self.printer_state = {"state": "not_answering", "detail": str(done.error or "")}
            self._set_health(printer_can_print=False, printer_state="not_answering")
            return
        state = getattr(status.state, "value", str(status.state)).lower()
        self.printer_state = {"state": state, "detail": status.detail}
        self._set_health(printer_can_print=bool(status.can_print), printer_state=state)

    def _send_heartbeat(self) -> None:
        body = {
            "version": __import__("kiosk").__version__,
            "devices": {
                "acceptor": self.acceptor_state.get("state"),
                "printer": self.printer_state.get("state"),
            },
            "cashbox": {str(k): v for k, v in self.cashbox_counts().items()},
            "outbox_pending": self.health.offline_count,
            "oldest_unposted_at": self.outbox.oldest_pending_at(),
            "journal_fault": self.health.journal_fault,
            "data_disk_free_mb": _whole_mb(self.disk.free_mb),  # no floats on the wire
            # for the fleet console's cash-box fill and suspect alerts
            "cashbox_capacity": self.config.cash.cashbox_capacity_notes,
            "suspects": self._open_suspects(),
        }
        offset = self.central.clock.clock_offset_s()
        if offset is not None:  # kiosk minus server; unknown until the server first answers
            body["clock_offset_s"] = offset

        def beat() -> tuple[float, tuple[dict[str, object], ...]]:
            began = time.monotonic()
            answer = self.central.heartbeat(body)
            return round((time.monotonic() - began) * 1000, 1), answer.commands

        self._net.run("heartbeat", 0, beat, self._queue.put)

    def _open_suspects(self) -> int:
        table = projection.suspects
        rows = self.journal.read(
            lambda c: c.execute(
                table.select().with_only_columns(table.c.suspect_id).where(table.c.state == "open")
            ).all()
        )
        return len(rows)

    def cashbox_counts(self) -> dict[int, int]:
        table = projection.cashbox
        rows = self.journal.read(lambda c: c.execute(table.select()).all())
        return {row.denomination_fen: row.count for row in rows if row.count}

    def _refresh_service_state(self) -> None:
        backlog = self.outbox.backlog()
        self._set_health(
            offline_count=backlog.count,
            offline_total_fen=backlog.total_fen,
            oldest_unposted_age_s=backlog.oldest_age_s,
            cashbox_notes=self._cashbox_notes(),
            disabled_methods=frozenset(self.disabled_methods),
        )

    def methods(self) -> Mapping[str, availability.Availability]:
        cash, printer, limits = self.config.cash, self.config.printer, self.config.limits
        # While a restart's unsettled note is being settled, a new customer's note of the
        # same value could be taken for it: no cash until recovery is done.
        health = dataclasses.replace(self.health, recovering=self.recovery.unsettled)
        return availability.methods(
            health,
            availability.Limits(
                offline_max_count=limits.offline_max_count,
                offline_max_total_fen=limits.offline_max_total_fen,
                offline_max_age_s=limits.offline_max_age_s,
                cashbox_capacity_notes=cash.cashbox_capacity_notes,
                cash_enabled=cash.enabled,
                printer_enabled=printer.enabled,
                onscreen_receipt_fallback=printer.onscreen_receipt_fallback,
                paycode_enabled=self.scanner_configured,
            ),
        )

    # ---------------------------------------------------------------- snapshot
    def snapshot(self) -> dict[str, Any]:
        s = self.session
        account = s.account
        cash = s.cash
        due = s.amount_fen or 0
        snap: dict[str, Any] = {
            "state": self.machine.state.value,
            "mode": s.mode,
            "language": self.language,
            "large_text": self.large_text,
            "account": _account_json(account) if account is not None else None,
            "pending_account_no": s.looking_up,
            "amount_fen": s.amount_fen,
            "method": s.method,
            "txn_id": s.txn_id,
            "limits": {
                "min_payment_fen": self.config.limits.min_payment_fen,
                "max_payment_fen": self.config.limits.max_payment_fen,
            },
            "cash": {
                "inserted_fen": cash.inserted_fen,
                "notes": {str(k): v for k, v in sorted(cash.notes.items())},
                "still_due_fen": max(0, due - cash.inserted_fen),
                "surplus_fen": max(0, cash.inserted_fen - due),
                "in_escrow_fen": cash.in_escrow_fen,
                "unsettled_fen": cash.unsettled_fen,
                "can_cancel": self.machine.state is State.CASH_INSERT and self._nothing_taken(),
                "accepting": self.machine.state is State.CASH_INSERT
                and not cash.finishing
                and self.health.journal_fault is None,
                "paused": self.machine.state is State.CASH_INSERT
                and self.health.journal_fault is not None,
                "denominations_fen": sorted(self.config.cash.denominations_fen),
            },
            "qr": {
                "order_id": s.qr.get("order_id"),
                "payload": s.qr.get("payload"),
                "seconds_left": _whole(self._timers.remaining("qr_expiry")),
            },
            "card": dict(s.card),
            "paycode": paycode_snapshot(s.paycode),
            "result": s.result,
            "error": s.error,
            "notice": s.notice,
            # the done/cancelled screen goes home by itself in this many seconds
            "printer": self._printer_snapshot(),
            "home_in_s": _whole(self._timers.remaining("done"))
            if self.machine.state in (State.DONE, State.CANCELLED)
            else None,
            "idle_prompt": (
                {"seconds_left": _whole(self._timers.remaining("idle_finish"))}
                if s.idle_prompt
                else None
            ),
            "methods": {k: v.as_json() for k, v in self.methods().items()},
            "recovering": self.recovery.active,
            "journal_fault": self.health.journal_fault,
            "locked": self.health.locked,
            "data_disk": {
                **self.disk.as_json(),
                "floor_mb": self.config.kiosk.data_min_free_mb,
                "low": self.health.disk_low,
            },
            "outbox": {
                "pending": self.health.offline_count,
                "pending_fen": self.health.offline_total_fen,
                "oldest_age_s": round(self.health.oldest_unposted_age_s),
                "parked": self.health.server_auth,  # the server refuses our credentials
            },
            "clock_offset_s": self.central.clock.clock_offset_s(),  # kiosk minus server
            "maintenance": self.maintenance.snapshot(),
        }
        return snap

    def _printer_snapshot(self) -> dict[str, Any]:
        """Whether a receipt can be printed now, and if not whether the screen shows one."""
        enabled = self.config.printer.enabled
        can_print = not enabled or self.health.printer_can_print
        return {
            "can_print": can_print,
            "reason": None if can_print else f"printer_{self.health.printer_state}",
            "onscreen_receipt": self.config.printer.onscreen_receipt_fallback,
        }

    def _publish(self) -> None:
        snap = self.snapshot()
        text = json.dumps(snap, sort_keys=True, default=str)
        if text == self._last_published:
            return
        self._last_published = text
        self.session.notice = None
        self._snapshot_seq += 1
        snap["seq"] = self._snapshot_seq
        for callback in list(self._subscribers):
            try:
                callback(snap)
            except Exception:
                log.exception("snapshot subscriber failed")


def _account_json(account: Account) -> dict[str, Any]:
    data = dataclasses.asdict(account)
    data["as_of"] = account.as_of.isoformat()
    for bill in data["bills"]:
        bill["due_date"] = bill["due_date"].isoformat()
    return data


def _whole(seconds: float | None) -> int | None:
    return None if seconds is None else int(seconds + 0.999)


def _mask_card(card_no: str) -> str:
    return card_no[:4] + "*" * max(0, len(card_no) - 8) + card_no[-4:]


def _whole_mb(megabytes: float | None) -> int | None:
    return None if megabytes is None else int(megabytes)


def _local_iso(instant: datetime) -> str:
    return instant.astimezone().isoformat(timespec="seconds")
