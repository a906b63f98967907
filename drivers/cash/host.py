"""The poll loop every protocol host shares: start-up, link keeping, state tracking, escrow.

Start-up, as the protocol specifications give it, on every connection round and whenever the
device reports a power-up while linked:

1. poll once: a device that still holds a bill's outcome from before (a stacked report the
   last host never acknowledged, a bill in escrow) is dealt with first, through the usual
   events, so no credit is lost to the RESET; a power-up report (with a bill in the validator
   or the stacker) is reported as ``PowerUp``, the evidence the core needs after a power cut;
2. RESET, then poll until the device has left power-up / initialisation (bounded by
   ``startup_timeout_s``);
3. identification (IDENTIFICATION, the version request; ICT has none) and the bill table (GET
   BILL TABLE, the currency assignment; ICT: configuration), of which only the notes whose
   identifier is one of ``table_codes`` count (``drivers.cash.bill_table.choose``);
4. enable what the core asked for, then ``Ready``; or, when the table has no note the kiosk
   may take, ``Fault(BILL_TABLE, reason=...)`` naming what the device reported, nothing
   enabled and no ``Ready``.

One thread owns the port. Every ``poll_interval_s`` it polls the device, turns the answer into
events (edge-triggered: a state the device repeats is reported once) and acknowledges it the
way the protocol wants. Commands from other threads (enable, disable, an escrow decision) only
set state and wake the loop, which sends them between polls.

Link keeping: a connection round opens the port (bounded attempts before a deadline) and
identifies the device (bounded retries per exchange). ``missed_polls_limit`` polls without a
valid answer, or a port error, end the link: ``Disconnected`` is reported once, and rounds are
tried again with a capped exponential backoff until the device answers (``Reconnected``, then
``Ready``), ``max_reconnect_rounds`` is used up, or ``stop()``.
"""

from __future__ import annotations

import abc
import dataclasses
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from drivers.backoff import Backoff
from drivers.cash.api import (
    AcceptorError,
    AcceptorEvent,
    AcceptorNotConnected,
    AcceptorProtocolError,
    Decision,
    DecisionMaker,
    Disconnected,
    Escrow,
    EventNotRecorded,
    EventSink,
    Fault,
    FaultCleared,
    FaultKind,
    Identity,
    PowerUp,
    Ready,
    Reconnected,
    Rejected,
    Returned,
    Stacked,
    StackedUnidentified,
)
from drivers.cash.bill_table import DEFAULT_TABLE_CODES, TableEntry, choose
from drivers.cash.decisions import DecisionThread, PendingEscrow
from drivers.cash.delivery import RECORDED, Delivery
from drivers.cash.status import (
    BILL_IN_MOTION_KINDS,
    FAULT_KINDS,
    OUTCOME_KINDS,
    POWER_UP_KINDS,
    SETTLED_KINDS,
    STARTING_KINDS,
    DeviceStatus,
    StatusKind,
)
from drivers.transport import PortLostError, SerialTransport


class NoReplyError(AcceptorNotConnected):
    """No valid answer to one exchange within its timeout and retries."""


@dataclass(frozen=True)
class HostSettings:
    poll_interval_s: float = 0.1
    escrow_decision_timeout_s: float = 2.0
    reply_timeout_s: float = 0.2  # per exchange, plus the wire time of a long answer
    missed_polls_limit: int = 5  # polls without a valid answer before the link counts as lost
    exchange_retries: int = 3  # re-sends (or NAKs) of one command after a bad or lost answer
    connect_attempts: int = 3  # port opens per connection round
    connect_deadline_s: float = 3.0
    reconnect_backoff_initial_s: float = 0.5
    reconnect_backoff_max_s: float = 5.0
    max_reconnect_rounds: int | None = None  # None: until stop(), so a replugged device returns
    start_timeout_s: float = 5.0  # start() returns after Ready, Disconnected or this
    startup_timeout_s: float = 10.0  # RESET to settled, and a left-over bill to its outcome
    # Bill-table identifiers that count as yuan (CCNET "CNY"/"CHN", ID-003 country numbers);
    # None: DEFAULT_TABLE_CODES for the protocol.
    table_codes: tuple[str | int, ...] | None = None
    # ICT only: bill type byte (0x40..) -> fen, since the device cannot be asked.
    bill_types: Mapping[int, int] | None = None

    def __post_init__(self) -> None:
        if not 0.005 <= self.poll_interval_s <= 5:
            raise ValueError(f"poll_interval_s {self.poll_interval_s} is not in 0.005..5")
        if not 0 < self.escrow_decision_timeout_s <= 30:
            timeout = self.escrow_decision_timeout_s
            raise ValueError(f"escrow_decision_timeout_s {timeout} is not in 0..30")
        if self.missed_polls_limit < 1 or self.exchange_retries < 0 or self.connect_attempts < 1:
            raise ValueError("missed_polls_limit and connect_attempts must be >= 1, retries >= 0")
        if not 0 < self.startup_timeout_s <= 120:
            raise ValueError(f"startup_timeout_s {self.startup_timeout_s} is not in 0..120")


class AcceptorHost(abc.ABC):
    """A bill acceptor host; subclasses speak one protocol (exchange, identify, commands)."""

    protocol = ""

    def __init__(
        self,
        transport: SerialTransport,
        *,
        on_event: EventSink,
        decide: DecisionMaker,
        settings: HostSettings | None = None,
    ) -> None:
        self.settings = settings or HostSettings()
        self._transport = transport
        self._on_event = on_event
        self.log = logging.getLogger(f"drivers.cash.{self.protocol}")
        self._counters: Counter[str] = Counter()
        self._identity: Identity | None = None
        self._table: dict[int, int] = {}
        self._lock = threading.Lock()
        self._desired: frozenset[int] = frozenset()
        self._settings_dirty = False
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._first_outcome = threading.Event()
        self._thread: threading.Thread | None = None
        self._decisions = DecisionThread(decide, self._wake.set, f"{self.protocol}-decide")
        # poll-thread state
        self._linked = False
        self._disconnected_reported = False
        self._power_up: DeviceStatus | None = None  # seen while linked: start up again
        self.table_refusal = ""  # why the bill table cannot be used ("" when it can)
        self._missed = 0
        self._last_kind: StatusKind | None = None
        self._fault: FaultKind | None = None
        self._escrow: Escrow | None = None
        self._pending: PendingEscrow | None = None
        self._stacked_delivered = False
        self._returned_delivered = False

    # ---- the interface (any thread) -------------------------------------------------

    @property
    def identity(self) -> Identity | None:
        return self._identity

    @property
    def bill_table(self) -> Mapping[int, int]:
        return dict(self._table)

    @property
    def connected(self) -> bool:
        return self._linked

    @property
    def counters(self) -> Mapping[str, int]:
        return dict(self._counters)

    def start(self) -> None:
        if self._thread is not None:
            raise AcceptorError(f"{self.protocol} host already started")
        self._decisions.start()
        self._thread = threading.Thread(target=self._run, name=f"{self.protocol}-poll", daemon=True)
        self._thread.start()
        if not self._first_outcome.wait(self.settings.start_timeout_s):
            self.log.warning(
                "%s: no Ready within %.1f s; still trying in the background",
                self._transport.url,
                self.settings.start_timeout_s,
            )

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            if self._thread.is_alive():
                self.log.error("poll thread did not stop within 10 s")
        self._decisions.stop()
        self._transport.close()

    def enable(self, denominations_fen: frozenset[int]) -> None:
        with self._lock:
            self._desired = frozenset(denominations_fen)
            self._settings_dirty = True
        self._wake.set()

    def disable(self) -> None:
        self.enable(frozenset())

    def stack(self) -> bool:
        return self._answer(Decision.STACK)

    def return_bill(self) -> bool:
        return self._answer(Decision.RETURN)

    def _answer(self, decision: Decision) -> bool:
        pending = self._pending
        if pending is None or not pending.answer(decision):
            return False
        self._wake.set()
        return True

    # ---- protocol hooks ---------------------------------------------------------------

    @abc.abstractmethod
    def _identify(self) -> tuple[Identity, list[TableEntry]]:
        """Ask identity and bill table; raise NoReplyError / PortLostError."""

    _table_from_device = True  # the table is asked of the device (ICT: configuration)

    def _table_codes(self) -> tuple[str | int, ...]:
        codes = self.settings.table_codes
        return DEFAULT_TABLE_CODES.get(self.protocol, ()) if codes is None else codes

    @abc.abstractmethod
    def _poll(self) -> DeviceStatus:
        """One poll exchange."""

    @abc.abstractmethod
    def _acknowledge(self, status: DeviceStatus) -> None:
        """Acknowledge a poll answer where the protocol demands it."""

    @abc.abstractmethod
    def _reset(self) -> None: ...

    @abc.abstractmethod
    def _apply_enable(self, bill_types: frozenset[int]) -> None: ...

    @abc.abstractmethod
    def _send_stack(self) -> None: ...

    @abc.abstractmethod
    def _send_return(self) -> None: ...

    def _settings_allowed(self, kind: StatusKind | None) -> bool:  # noqa: ARG002 - a hook
        """Whether the device takes settings now (ID-003 only while settled)."""
        return True

    def _stacked_denomination(self, status: DeviceStatus) -> tuple[int, int] | None:
        """(fen, bill type) of a STACKED report, or None when it cannot be known."""
        if status.detail is not None and status.detail in self._table:
            return self._table[status.detail], status.detail
        if self._escrow is not None:
            return self._escrow.denomination_fen, self._escrow.bill_type
        return None

    # ---- the poll thread --------------------------------------------------------------

    def _run(self) -> None:
        backoff = Backoff(
            self.settings.reconnect_backoff_initial_s, self.settings.reconnect_backoff_max_s
        )
        rounds = 0
        try:
            while not self._stopping.is_set():
                if not self._linked:
                    if self._connect_round():
                        rounds = 0
                        continue
                    rounds += 1
                    limit = self.settings.max_reconnect_rounds
                    if limit is not None and rounds >= limit:
                        self.log.error(
                            "%s: gave up after %d connection rounds", self._transport.url, rounds
                        )
                        return
                    self._stopping.wait(backoff.delay(rounds - 1))
                    continue
                tick = time.monotonic()
                self._guarded(self._poll_once)
                self._wait_for_next_poll(tick + self.settings.poll_interval_s)
        finally:
            self._shutdown_link()

    def _guarded(self, action: Callable[[], None]) -> None:
        try:
            action()
        except NoReplyError:
            self._counters["no_reply"] += 1
            self._missed += 1
            if self._missed >= self.settings.missed_polls_limit:
                self._lose_link(f"no answer for {self._missed} polls")
        except PortLostError as exc:
            self._lose_link(str(exc))
        except AcceptorProtocolError as exc:
            self._counters["protocol_errors"] += 1
            self.log.warning("%s: %s", self._transport.url, exc)
        except Exception as exc:  # a bug must not kill the poll thread: start afresh
            self.log.exception("%s: unexpected error", self._transport.url)
            self._lose_link(f"unexpected error: {exc!r}")

    def _poll_once(self) -> None:
        self._apply_settings()
        status = self._poll()
        self._counters["polls"] += 1
        self._missed = 0
        if self._handle(status):
            self._acknowledge(status)
        if self._power_up is not None:
            try:
                self._start_up(self._power_up)
            except (AcceptorError, ValueError, IndexError) as exc:
                self._lose_link(f"start-up after a power-up failed: {exc}")
            return
        self._act_on_decision()

    def _wait_for_next_poll(self, next_poll: float) -> None:
        while not self._stopping.is_set():
            remaining = next_poll - time.monotonic()
            pending = self._pending
            if pending is not None and not pending.acted:
                remaining = min(remaining, pending.deadline - time.monotonic())
            if remaining <= 0:
                if pending is not None and pending.expire(time.monotonic()):
                    self._counters["decisions_timed_out"] += 1
                    self.log.warning("no decision for %s in time: returning it", pending.escrow)
                    self._guarded(self._act_on_decision)
                return
            if self._wake.wait(remaining):
                self._wake.clear()
                if self._linked:
                    self._guarded(self._act_on_decision)
                    self._guarded(self._apply_settings)

    def _connect_round(self) -> bool:
        self._transport.close()
        settings = self.settings
        opened = self._transport.open_with_retry(
            attempts=settings.connect_attempts,
            deadline_s=settings.connect_deadline_s,
            stop=self._stopping,
        )
        if not opened:
            self._report_disconnected(f"cannot open {self._transport.url}")
            return False
        self._last_kind = None
        self._stacked_delivered = self._returned_delivered = False
        try:
            self._start_up(None)
        except (AcceptorError, PortLostError, ValueError, IndexError) as exc:
            self._linked = False
            self._transport.close()
            self._report_disconnected(f"{self._transport.url}: start-up failed: {exc}")
            return False
        return True

    # ---- start-up ---------------------------------------------------------------------

    def _start_up(self, first: DeviceStatus | None) -> None:
        """RESET, wait out initialisation, identify, read the table, enable: see the docstring."""
        status = self._poll() if first is None else first
        status = self._finish_left_over_bill(status)
        if status.kind in POWER_UP_KINDS:
            self._abandon_escrow("device powered up")
            self._emit(PowerUp(POWER_UP_KINDS[status.kind]))
        self._acknowledge(status)
        self._reset()
        settled = self._wait_until_started()
        identity, entries = self._identify()
        choice = choose(entries, self._table_codes())
        identity = dataclasses.replace(identity, table_code=",".join(choice.matched))
        self._identity, self._table = identity, choice.table
        self._linked = True
        self._missed = 0
        self._power_up = None
        self._last_kind = settled.kind
        self._fault = None  # Ready starts afresh: a fault still there is reported again
        self._stacked_delivered = self._returned_delivered = False
        with self._lock:
            self._settings_dirty = True
        if self._disconnected_reported:
            self._counters["reconnects"] += 1
            self._disconnected_reported = False
            self._emit(Reconnected())
        self.table_refusal = choice.refusal
        if choice.refusal:
            self.log.error("%s: %s", self._transport.url, choice.refusal)
            with self._lock:
                self._settings_dirty = False
            if self._settings_allowed(settled.kind):
                self._apply_enable(frozenset())
            self._emit(Fault(FaultKind.BILL_TABLE, reason=choice.refusal))
            return
        self.log.info(
            "%s: %s %s serial %s firmware %r; bill table matched %s: %s",
            self._transport.url,
            identity.protocol,
            identity.model,
            identity.serial,
            identity.firmware,
            identity.table_code,
            choice.table,
        )
        self._apply_settings()
        self._emit(Ready(identity, dict(choice.table)))

    def _finish_left_over_bill(self, status: DeviceStatus) -> DeviceStatus:
        """A bill's outcome or a bill in the mechanism from before this start: see it through.

        The device still holds a report the last host never acknowledged (its bill is in the
        cassette) or a bill in escrow; a RESET now would lose the one and hand back the other
        unannounced. The usual handling delivers them (the table is read first, to name them).
        """
        deadline = time.monotonic() + self.settings.startup_timeout_s
        while status.kind in OUTCOME_KINDS or status.kind in BILL_IN_MOTION_KINDS:
            self.log.info("%s: a bill from before this start: %s", self._transport.url, status)
            if not self._table:
                identity, entries = self._identify()
                self._identity = identity
                self._table = choose(entries, self._table_codes()).table
                if self._table_from_device:
                    # Nothing may come between a report and its acknowledgement (the device
                    # takes an ACK after another answer as that answer's): ask again, and
                    # acknowledge the repeated report at once.
                    status = self._poll()
                    continue
            if self._handle(status):
                self._acknowledge(status)
            self._act_on_decision()
            if time.monotonic() >= deadline:
                raise AcceptorProtocolError(f"a bill still in the mechanism: {status.kind.value}")
            self._wait_for_next_poll(time.monotonic() + self.settings.poll_interval_s)
            if self._stopping.is_set():
                raise AcceptorNotConnected("stopped during start-up")
            status = self._poll()
        self._abandon_escrow("start-up")
        return status

    def _wait_until_started(self) -> DeviceStatus:
        """Poll after RESET until the device has left power-up and initialisation."""
        deadline = time.monotonic() + self.settings.startup_timeout_s
        last = "no answer"
        while True:
            try:
                status: DeviceStatus | None = self._poll()
            except NoReplyError:  # some devices are silent while they reset
                status = None
            if status is not None:
                self._acknowledge(status)
                last = status.kind.value
                waiting = status.kind in STARTING_KINDS or status.kind in (
                    StatusKind.COMMUNICATION_ERROR,
                    StatusKind.INVALID_COMMAND,
                )
                if not waiting:
                    return status
            if time.monotonic() >= deadline:
                raise AcceptorProtocolError(
                    f"still starting {self.settings.startup_timeout_s:g} s after RESET ({last})"
                )
            if self._stopping.wait(self.settings.poll_interval_s):
                raise AcceptorNotConnected("stopped during start-up")

    def _lose_link(self, reason: str) -> None:
        self.log.warning("%s: link lost: %s", self._transport.url, reason)
        self._linked = False
        self._transport.close()
        self._abandon_escrow("link lost")
        self._report_disconnected(reason)

    def _report_disconnected(self, reason: str) -> None:
        if not self._disconnected_reported:
            self._disconnected_reported = True
            self._emit(Disconnected(reason))
            self._first_outcome.set()

    def _shutdown_link(self) -> None:
        """Best effort on stop: hand back an undecided bill, disable, close."""
        if self._linked:
            try:
                pending = self._pending
                in_escrow = self._last_kind is StatusKind.ESCROW
                if pending is not None and not pending.acted and in_escrow:
                    self._send_return()
                self._apply_enable(frozenset())
            except (AcceptorError, PortLostError) as exc:  # best effort: closed either way
                self.log.info("%s: could not disable on stop: %s", self._transport.url, exc)
        self._linked = False
        self._transport.close()

    def _apply_settings(self) -> None:
        with self._lock:
            if not self._settings_dirty or not self._settings_allowed(self._last_kind):
                return
            desired = self._desired
            self._settings_dirty = False
        types = frozenset(t for t, fen in self._table.items() if fen in desired)
        unknown = desired - {self._table[t] for t in types}
        if unknown:
            self.log.warning("not in the device's bill table, not enabled: %s fen", sorted(unknown))
        try:
            self._apply_enable(types)
        except BaseException:
            with self._lock:
                self._settings_dirty = True  # try again next time
            raise

    def _act_on_decision(self) -> None:
        pending = self._pending
        if pending is None or pending.acted:
            return
        decision = pending.decision
        if decision is None:
            return
        if self._last_kind not in (StatusKind.ESCROW, StatusKind.HOLDING):
            pending.acted = True  # the bill left escrow on its own (pulled back, returned)
            return
        sent = time.monotonic()
        if decision is Decision.STACK:
            self._send_stack()
        else:
            self._send_return()
        pending.acted = True
        self._counters["stack_sent" if decision is Decision.STACK else "return_sent"] += 1
        self.log.debug(
            "%s after %.1f ms in escrow", decision.value, (sent - pending.escrow.at) * 1000
        )

    def _abandon_escrow(self, why: str) -> None:
        pending = self._pending
        if pending is not None and not pending.acted:
            pending.answer(Decision.RETURN)
            self.log.info("escrow %s abandoned: %s", pending.escrow, why)
        self._pending = None
        self._escrow = None

    def _emit(self, event: AcceptorEvent) -> Delivery:
        """Deliver one event; what the receiver raised, if it did, is logged and returned."""
        if event.at == 0.0:
            object.__setattr__(event, "at", time.monotonic())  # frozen: stamped once, here
        if isinstance(event, Ready | Disconnected) or (
            isinstance(event, Fault) and event.kind is FaultKind.BILL_TABLE
        ):
            self._first_outcome.set()
        try:
            self._on_event(event)
        except EventNotRecorded as exc:  # expected while the receiver's disk is failing
            self._counters["not_recorded"] += 1
            self.log.warning("%s not recorded, not acknowledged: %s", event, exc)
            return Delivery(exc)
        except Exception as exc:
            self.log.exception("on_event(%s) failed", event)
            return Delivery(exc)
        return RECORDED

    def _handle(self, status: DeviceStatus) -> bool:
        """Turn one poll answer into events; False when it must not be acknowledged yet."""
        kind = status.kind
        previous = self._last_kind
        self._last_kind = kind
        if kind is not StatusKind.STACKED and kind is not StatusKind.STACKED_INFO:
            self._stacked_delivered = False
        if kind is not StatusKind.RETURNED:
            self._returned_delivered = False

        if kind in POWER_UP_KINDS:
            self._power_up = status  # the device restarted: start it up again (_poll_once)
            return False  # start-up acknowledges it
        if kind in (StatusKind.INITIALIZING, StatusKind.BUSY):
            return True
        self._track_fault(kind, status)
        return self._on_operating_status(status, previous)

    def _on_operating_status(self, status: DeviceStatus, previous: StatusKind | None) -> bool:
        kind = status.kind
        acknowledge = True
        if kind is StatusKind.ESCROW:
            self._on_escrow(status)
        elif kind is StatusKind.STACKED:
            acknowledge = self._on_stacked(status).recorded
        elif kind is StatusKind.RETURNED:
            acknowledge = self._on_returned(status).recorded
        elif kind is StatusKind.REJECTING:
            if previous is not StatusKind.REJECTING:
                escrow = self._escrow
                self._abandon_escrow("rejected")
                if escrow is not None:  # a bill in escrow came out this way (ICT 23): returned
                    self._emit(Returned(escrow.denomination_fen, escrow.bill_type))
                self._emit(Rejected(status.reason, status.detail or 0))
        elif kind in SETTLED_KINDS and self._escrow is not None:
            # Out of escrow without a stacked report: the bill went back (ID-003 has no
            # returned report; a CCNET pull-back may skip it too).
            escrow = self._escrow
            self._abandon_escrow("back to idle")
            self._emit(Returned(escrow.denomination_fen, escrow.bill_type))
        elif kind in (StatusKind.COMMUNICATION_ERROR, StatusKind.INVALID_COMMAND):
            self._counters[kind.value] += 1
        return acknowledge

    def _track_fault(self, kind: StatusKind, status: DeviceStatus) -> None:
        fault = FAULT_KINDS.get(kind)
        if self._fault is not None and fault != self._fault:
            cleared, self._fault = self._fault, None
            self._emit(FaultCleared(cleared))
        if fault is not None and fault != self._fault:
            self._fault = fault
            self._abandon_escrow(f"fault {fault.value}")
            self._emit(Fault(fault, status.detail or 0))

    def _on_escrow(self, status: DeviceStatus) -> None:
        bill_type = status.detail if status.detail is not None else -1
        if self._escrow is not None and self._escrow.bill_type == bill_type:
            return  # the same bill, still waiting
        self._abandon_escrow("another bill in escrow")
        denomination = self._table.get(bill_type)
        if denomination is None:
            self.log.warning(
                "bill type %d in escrow is not in the bill table: returning it", bill_type
            )
            self._send_return()
            return
        escrow = Escrow(denomination, bill_type, at=time.monotonic())
        self._emit(escrow)
        self._escrow = escrow
        self._pending = PendingEscrow(escrow, escrow.at + self.settings.escrow_decision_timeout_s)
        self._decisions.submit(self._pending)

    def _on_stacked(self, status: DeviceStatus) -> Delivery:
        """Report a STACKED once; not recorded: left unacknowledged, the device reports it again."""
        if self._stacked_delivered:
            self._counters["stacked_repeats"] += 1  # the device missed our acknowledgement
            return RECORDED
        known = self._stacked_denomination(status)
        event: AcceptorEvent = StackedUnidentified() if known is None else Stacked(*known)
        delivery = self._emit(event)
        if not delivery.recorded:
            return delivery
        self._stacked_delivered = True
        self._counters["stacked"] += 1
        self._pending = None
        self._escrow = None
        return delivery

    def _on_returned(self, status: DeviceStatus) -> Delivery:
        if self._returned_delivered:
            return RECORDED
        bill_type = status.detail if status.detail is not None else -1
        denomination = self._table.get(bill_type)
        if denomination is None and self._escrow is not None:
            denomination, bill_type = self._escrow.denomination_fen, self._escrow.bill_type
        self._pending = None
        self._escrow = None
        if denomination is None:
            self.log.warning("returned a bill of unknown type %d", bill_type)
            self._returned_delivered = True
            return RECORDED  # nothing to report: acknowledged
        delivery = self._emit(Returned(denomination, bill_type))
        self._returned_delivered = delivery.recorded
        return delivery
