"""What every layer of an acceptor host shares: its state, the protocol hooks, event delivery,
the enable settings, and the two ways out that any layer may take (abandoning an escrow,
losing the link).

A host is built in layers, each a class over the one before, each in its own module:

    HostCore        host_core.py        state, protocol hooks, _emit, settings, link loss
    EscrowHandling  escrow_handling.py  a bill in escrow: its decision, deadline, STACK/RETURN
    StatusReports   status_reports.py   a poll answer into events, acknowledged once recorded
    StartUp         start_up.py         RESET to Ready, on every connection and power-up
    AcceptorHost    host.py             the poll thread: polling, link keeping, start and stop

A protocol host (ccnet/, id003/, ict/) subclasses AcceptorHost and fills in the hooks.
"""

from __future__ import annotations

import abc
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable

from drivers.cash.api import (
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
    FaultKind,
    Identity,
    Ready,
)
from drivers.cash.bill_table import DEFAULT_TABLE_CODES, TableEntry
from drivers.cash.decisions import DecisionThread, PendingEscrow
from drivers.cash.delivery import RECORDED, Delivery
from drivers.cash.host_settings import HostSettings
from drivers.cash.status import DeviceStatus, StatusKind
from drivers.transport import PortLostError, SerialTransport


class NoReplyError(AcceptorNotConnected):
    """No valid answer to one exchange within its timeout and retries."""


class HostCore(abc.ABC):
    """A bill acceptor host's shared state and hooks; see the module docstring for the layers."""

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

    # ---- delivery, settings, and the ways out -------------------------------------------

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

    def _abandon_escrow(self, why: str) -> None:
        pending = self._pending
        if pending is not None and not pending.acted:
            pending.answer(Decision.RETURN)
            self.log.info("escrow %s abandoned: %s", pending.escrow, why)
        self._pending = None
        self._escrow = None

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
