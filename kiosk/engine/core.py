"""The Engine: its queue and loop, timers, the device threads' entry points, and the small
public face that the flows (``customer.py``, ``cash.py``, ``qr.py``, ...), recovery and
maintenance call. See the package docstring for what lives where.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from drivers.cash.api import (
    AcceptorEvent,
    BillAcceptor,
    Decision,
    Escrow,
    Returned,
    Stacked,
    StackedUnidentified,
)
from kiosk import availability, projection
from kiosk.background import Done
from kiosk.central_client import CentralClient
from kiosk.config import KioskConfig
from kiosk.data_disk import DiskSpace, examine
from kiosk.engine.card import CardFlow
from kiosk.engine.cash import CashFlow
from kiosk.engine.customer import CustomerFlow
from kiosk.engine.health import HealthChecks
from kiosk.engine.loop import Loop
from kiosk.engine.maintenance_face import MaintenanceFace
from kiosk.engine.model import Intent, NotRecorded, Reply, Session
from kiosk.engine.notes import NoteEvents
from kiosk.engine.paycode import PaycodeFlow
from kiosk.engine.qr import QrFlow
from kiosk.engine.records import TxnRecords
from kiosk.engine.recovery_steps import RecoverySteps
from kiosk.engine.remote import RemoteCommands
from kiosk.engine.settlement import Settlement
from kiosk.engine.snapshot import build as build_snapshot
from kiosk.journal import Journal, JournalError
from kiosk.maintenance import Maintenance
from kiosk.outbox import Outbox, OutboxResult
from kiosk.recovery import Recovery
from kiosk.session import IDLE_STATES, Guard, Machine, State, TransitionRefused, Trigger
from kiosk.settings import load_disabled_methods, load_lock_message
from kiosk.technicians import Registry

log = logging.getLogger("kiosk.engine")


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
        loop_type: type[Loop] = Loop,
    ) -> None:
        """``loop_type``: the threaded ``Loop``, or a loop a test steps by hand
        (tests/support/engine_harness.py)."""
        self.config = config
        self.journal = journal
        self.central = central
        self.acceptor = acceptor
        self.printer = printer
        self.loop = loop_type(self, clock)
        self._tokens = 0
        self.session = self.new_session()
        self.machine = Machine({Guard.NOTHING_TAKEN: self._nothing_taken})
        self.language = config.kiosk.language
        self.large_text = config.ui.large_text
        self.health = availability.Health(
            printer_can_print=not config.printer.enabled,
            printer_state="disabled" if not config.printer.enabled else "not_answering",
            unpaired=not config.paired,  # out of service until a technician pairs it
        )
        self.acceptor_state: dict[str, Any] = {"state": "not_started", "last_error": None}
        self.printer_state: dict[str, Any] = {"state": "not_checked", "detail": ""}
        self.server_state: dict[str, Any] = {"reachable": False, "latency_ms": None}
        self.refused: list[str] = []
        self.started_at = clock()
        # The flows: each holds the engine and runs on its thread (composition, no mixins).
        self.customer = CustomerFlow(self)
        self.cash = CashFlow(self)
        self.notes = NoteEvents(self)
        self.qr = QrFlow(self)
        self.card = CardFlow(self)
        self.settlement = Settlement(self)
        self.checks = HealthChecks(self)
        self.remote = RemoteCommands(self)
        self.outbox = Outbox(
            journal,
            central,
            config.outbox,
            on_result=self.loop.put,
            on_journal_error=self.loop.put,
        )
        self.recovery = Recovery(journal, config.kiosk.id)
        self.recovery_steps = RecoverySteps(self)
        self.records = TxnRecords(self)
        self.maintenance = Maintenance(
            MaintenanceFace(self),
            Registry(
                journal,
                max_failures=config.maintenance.pin_attempts,
                lockout=timedelta(seconds=config.maintenance.lockout_s),
            ),
        )
        self.disabled_methods = load_disabled_methods(journal)
        self.disk: DiskSpace = examine(config.kiosk.data_dir)
        self.paycode = PaycodeFlow(self)
        self.scanner_configured = False  # set by the runtime when it builds a scanner
        self.health = dataclasses.replace(self.health, locked=load_lock_message(journal))
        customer = self.customer
        self._intents: dict[str, Callable[..., None]] = {
            "touch": customer.touch,
            "still_here": customer.still_here,
            "set_language": customer.set_language,
            "set_large_text": customer.set_large_text,
            "start": customer.start,
            "enter_account": customer.enter_account,
            "cancel": customer.cancel,
            "back": customer.back,
            "home": customer.home,
            "choose_amount": customer.choose_amount,
            "choose_method": customer.choose_method,
            "finish": self.cash.finish,
            "submit_card": self.card.submit,
            "maintenance": self._maintenance,
        }
        self._results: dict[str, Callable[[Done[Any]], None]] = {
            "acceptor_start": self.cash.done_acceptor_start,
            "lookup": customer.done_lookup,
            "qr_create": self.qr.done_create,
            "qr_poll": self.qr.done_poll,
            "qr_cancel": self.qr.done_cancel,
            "card_post": self.card.done_post,
            "printer_check": self.checks.apply_printer_status,
            "print": self.settlement.done_print,
            "heartbeat": self.checks.done_heartbeat,
        }
        self._timers: dict[str, Callable[[], None]] = {
            "idle_prompt": customer.idle_prompt,
            "idle_finish": customer.idle_timeout,
            "done": customer.done_timeout,
            "prepare": customer.prepare_failed,
            "stack_wait": self.cash.stack_timed_out,
            "post_wait": self.cash.post_wait_over,
            "qr_poll": self.qr.poll,
            "qr_expiry": self.qr.expired,
            "paycode_poll": self.paycode.poll,
            "paycode_deadline": self.paycode.deadline,
            "health": self.checks.round,
            "journal_check": self.checks.check_journal,
            "heartbeat": self.checks.heartbeat_due,
            "recovery": self.recovery_steps.window_closed,
            "recover_qr": self.recovery_steps.recheck_qr,
            "maintenance_idle": self.maintenance.idle_logout,
        }

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> None:
        self.boot()
        self.loop.start()
        self.outbox.start()

    def boot(self) -> None:
        """What starting does before any thread runs: recovery, the acceptor's start-up
        (in the background) and the first health and heartbeat rounds."""
        try:
            self.recovery_steps.on_start()
        except JournalError as exc:  # a full or read-only disk at boot: start, take nothing
            self.checks.journal_failed(exc)
        if self.acceptor is not None:
            self.run_net("acceptor_start", 0, self.acceptor.start)
        self.set_timer("health", 0)
        self.set_timer("heartbeat", 1.0)

    def stop(self) -> None:
        self.loop.stop()
        self.outbox.stop()
        if self.acceptor is not None:
            try:
                self.acceptor.stop()
            except Exception:
                log.exception("acceptor did not stop cleanly")
        self.loop.shutdown()

    @property
    def last_beat(self) -> float:
        """When the engine thread last woke (the watchdog's sign of life)."""
        return self.loop.last_beat

    # ------------------------------------------------ other threads come in here
    def subscribe(self, callback: Callable[[dict[str, Any]], None]) -> None:
        self.loop.subscribe(callback)

    def submit(self, intent: Intent) -> None:
        self.loop.put(intent)

    def intent(self, name: str, **args: Any) -> None:
        self.submit(Intent(name, args))

    def call(self, fn: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Run fn on the engine thread and return its result (for maintenance and tests)."""
        return self.loop.call(fn, timeout)

    def decide_escrow(self, escrow: Escrow) -> Decision:
        """Called by the acceptor's poll thread; the engine journals, then answers."""
        reply = Reply(escrow)
        self.loop.put(reply)
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
            reply = Reply(event)
            self.loop.put(reply)
            # The host acknowledges the device only after this returns: the record comes
            # first. The engine never blocks on I/O other than its own journal commit.
            while not reply.answered.wait(1.0):
                if self.loop.stopping:
                    # Not journaled: raise so the host does not acknowledge, and the device
                    # reports the note again to the next start.
                    raise NotRecorded("the engine is stopping; the note was not journaled")
            if reply.error is not None:
                # Only "recorded" lets the device go on: unacknowledged, it reports again.
                raise NotRecorded(f"not journaled: {reply.error}") from reply.error
            return
        self.loop.put(event)

    def scanner_event(self, event: Any) -> None:
        """From the scanner's reader thread: a scanned code, or the scanner's health."""
        self.loop.put(lambda: self.customer.on_scanner_event(event))

    # ------------------------------------------------ on the engine thread (Loop)
    def dispatch(self, message: Any) -> None:
        if isinstance(message, Intent):
            self._on_intent(message)
        elif isinstance(message, Reply):
            self.notes.on_reply(message)
        elif isinstance(message, AcceptorEvent):
            self.cash.on_acceptor_event(message)
        elif isinstance(message, Done):
            self._results[message.tag](message)  # a result of run_net / run_printer
        elif isinstance(message, OutboxResult):
            self.remote.on_outbox(message)
        elif isinstance(message, JournalError):
            self.checks.journal_failed(message)  # another thread's write failed
        elif callable(message):
            message()

    def _on_intent(self, intent: Intent) -> None:
        handler = self._intents.get(intent.name)
        if handler is None:
            raise TransitionRefused(
                self.machine.state, Trigger.START, f"unknown intent {intent.name}"
            )
        self.touch()
        handler(**intent.args)

    def _maintenance(self, action: str, **args: Any) -> None:
        """Technician actions (kiosk.maintenance): open, login, status, collection, ..."""
        self.maintenance.handle(action, args)

    def timer_fired(self, name: str) -> None:
        handler = self._timers.get(name)
        if handler is None:
            log.error("a timer nobody handles fired: %s", name)
            return
        handler()  # each handler checks that its moment has not passed (the state)

    def snapshot(self) -> dict[str, Any]:
        return build_snapshot(self)

    # ------------------------- the face the flows, recovery and maintenance use
    # Engine thread only, except run_net/run_printer/run_background (any thread).
    def set_timer(self, name: str, seconds: float) -> None:
        self.loop.timers.set(name, seconds)

    def cancel_timer(self, *names: str) -> None:
        self.loop.timers.cancel(*names)

    def timer_remaining(self, name: str) -> float | None:
        return self.loop.timers.remaining(name)

    def monotonic(self) -> float:
        """The engine's clock (injected in tests)."""
        return self.loop.clock()

    def next_token(self) -> int:
        """A fresh token: a result carrying an older one is stale."""
        self._tokens += 1
        return self._tokens

    def run_net(self, tag: str, token: int, fn: Callable[[], Any]) -> None:
        """Run fn on the ``net`` pool; its ``Done`` comes back to the handler for ``tag``."""
        self.loop.run_net(tag, token, fn)

    def run_printer(self, tag: str, token: int, fn: Callable[[], Any]) -> None:
        self.loop.run_printer(tag, token, fn)

    def run_background(
        self, fn: Callable[[], Any], then: Callable[[Done[Any]], None], *, pool: str = "net"
    ) -> None:
        """Run fn off the engine thread; ``then(done)`` runs back on the engine thread."""
        self.loop.run_background(fn, then, pool=pool)

    def stale(self, done: Done[Any]) -> bool:
        """The result belongs to an earlier customer's session."""
        return done.token != self.session.token

    def fire(self, trigger: Trigger) -> State:
        before = self.machine.state
        after = self.machine.fire(trigger)
        if before is State.METHOD_CHOSEN and after is not State.METHOD_CHOSEN:
            self.cancel_timer("prepare")
        if before is not after:
            log.info("%s --%s--> %s", before.value, trigger.value, after.value)
            if after is State.AMOUNT_CHOSEN:
                self.checks.check_printer(purpose="health")  # the method screen says it early
            if after in IDLE_STATES:  # a screen the customer acts on: its idle clock starts
                self.session.idle_prompt = False
                self.cancel_timer("idle_finish")
                self.set_timer("idle_prompt", self.idle_s(self.config.timeouts.idle_prompt_s))
        return after

    def touch(self) -> None:
        """The customer (or technician) acted: the idle clock starts again."""
        if self.machine.state is State.MAINTENANCE and self.maintenance.user is not None:
            self.maintenance.touch()  # a technician reading the screen is not idle
        self.session.idle_prompt = False
        self.cancel_timer("idle_finish")
        if self.machine.state in IDLE_STATES:
            self.set_timer("idle_prompt", self.idle_s(self.config.timeouts.idle_prompt_s))
        else:
            self.cancel_timer("idle_prompt")

    def idle_s(self, seconds: float) -> float:
        """Seniors (large text) get longer to act (WCAG 2.2.1; MIIT guidance)."""
        return seconds * (self.config.ui.senior_timeout_factor if self.large_text else 1.0)

    def go_home(self) -> None:
        self.cancel_timer("idle_prompt", "idle_finish", "qr_poll", "qr_expiry", "post_wait", "done")
        language = self.config.kiosk.language
        self.session = self.new_session()
        self.language = language
        self.large_text = self.config.ui.large_text  # each customer starts afresh
        self.checks.refresh_service_state()

    def new_session(self, mode: str = "pay") -> Session:
        return Session(token=self.next_token(), mode=mode)

    def _nothing_taken(self) -> bool:
        cash = self.session.cash
        # a note pending verification was taken: the payment cannot be cancelled as if not
        return cash.inserted_fen == 0 and cash.in_escrow_fen == 0 and cash.unsettled_fen == 0

    def settle(self, status: str) -> None:
        self.settlement.settle(status)

    def now_iso(self) -> str:
        """Now by the server's clock, with the kiosk's offset (what the wire stamps)."""
        return self.central.clock.now_utc().astimezone().isoformat(timespec="seconds")

    def txn_row(self, txn_id: str) -> Any:
        table = projection.transactions
        return self.journal.read(
            lambda c: c.execute(table.select().where(table.c.txn_id == txn_id)).one()
        )
