"""The protocol-independent bill acceptor interface: commands in, typed events out.

A host (one per protocol) owns the serial transport and a poll thread. It reports what the
device says as events through the ``on_event`` callback (called on the poll thread; the
receiver must not block it for long). When a bill is in escrow the host calls
``decide(escrow)`` and waits at most ``escrow_decision_timeout`` for the answer; no answer in
time means RETURN. Drivers never decide policy: the caller decides stack or return.

Delivery rules the core can rely on:

- ``decide`` runs on the host's decision thread (never the poll thread, so a slow answer cannot
  stall polling); its answer counts only if it arrives before the deadline. ``stack()`` /
  ``return_bill()`` answer the same pending escrow from any thread; the first answer wins.
- ``Stacked`` is reported once per physical bill while the host runs, and the device's
  "stacked" report is acknowledged only after ``on_event(Stacked)`` returned. If ``on_event``
  raises, nothing is acknowledged: the device repeats the report and it is delivered again.
  Across a host restart the device may repeat a stacked report that the previous process
  delivered but could not acknowledge (it died in between): the core sees it again during
  start-up, before the RESET and so before ``Ready``. (ICT has no acknowledgement: see
  drivers/cash/ict/host.py for what its hosts promise instead.)
- Start-up, on every start and after every reconnect or device power-up: RESET, poll until
  the device leaves power-up / initialisation, identification, bill table, enable; then
  ``Ready``. ``PowerUp(bill_in=...)`` comes before ``Ready`` when the device had just been
  switched on. A bill table with no note in the configured table codes is not ready:
  ``Fault(FaultKind.BILL_TABLE, reason=...)`` comes instead, naming what the device reported,
  and nothing is enabled.
- ``StackedUnidentified`` is an ID-003 VEND VALID seen without its escrow (the host restarted
  in between): a bill went into the cassette and its denomination is not known to the host.
- ``PowerUp(bill_in="stacker")``: the device restarted with a note in the stacker; it finishes
  stacking it during initialisation and reports no ``Stacked`` for it.

Exception tree::

    AcceptorError
    ├── AcceptorNotConnected   no answer from the device (port missing, silent device)
    └── AcceptorProtocolError  the device answered something the protocol does not allow
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from drivers.errors import DriverError


class AcceptorError(DriverError):
    """Base of the errors a bill acceptor driver raises."""


class AcceptorNotConnected(AcceptorError):
    """The device does not answer."""


class AcceptorProtocolError(AcceptorError):
    """The device answered out of protocol."""


class EventNotRecorded(AcceptorError):
    """Raised by an event sink that could not record a money event (its journal is full,
    read-only, ...): the host leaves the report unacknowledged, so the device repeats it."""


class Decision(enum.Enum):
    STACK = "stack"
    RETURN = "return"


class FaultKind(enum.Enum):
    VALIDATOR_JAM = "validator_jam"
    CASSETTE_JAM = "cassette_jam"
    CASSETTE_FULL = "cassette_full"
    CASSETTE_REMOVED = "cassette_removed"
    CHEATED = "cheated"
    PAUSE = "pause"
    FAILURE = "failure"
    BILL_TABLE = "bill_table"  # the device's table has no note the kiosk may accept


@dataclass(frozen=True)
class Identity:
    """What the device says it is, as far as its protocol tells.

    CCNET: ``model`` is the part number, ``serial`` the serial number and ``asset_number`` the
    asset number of IDENTIFICATION (no firmware version in the basic command). ID-003:
    ``firmware`` is the whole answer to the version request and ``model`` its first word (no
    serial number in the protocol). ICT: nothing beyond the protocol name. ``table_code`` is
    the configured identifier the bill table matched ("CNY", "CHN", "156"; ICT: "config").
    """

    protocol: str
    model: str
    serial: str
    firmware: str
    asset_number: str = ""
    table_code: str = ""


@dataclass(frozen=True)
class AcceptorEvent:
    """Base of every event; ``at`` is time.monotonic() when the host saw it."""

    at: float = field(default=0.0, compare=False, kw_only=True)


@dataclass(frozen=True)
class Ready(AcceptorEvent):
    identity: Identity
    bill_table: Mapping[int, int]  # device bill type -> denomination in fen


@dataclass(frozen=True)
class Escrow(AcceptorEvent):
    denomination_fen: int
    bill_type: int


@dataclass(frozen=True)
class Stacked(AcceptorEvent):
    denomination_fen: int
    bill_type: int


@dataclass(frozen=True)
class StackedUnidentified(AcceptorEvent):
    """A bill was stacked whose escrow this host never saw: the denomination is unknown."""


@dataclass(frozen=True)
class Returned(AcceptorEvent):
    denomination_fen: int
    bill_type: int


@dataclass(frozen=True)
class Rejected(AcceptorEvent):
    reason: str  # e.g. "insertion", "magnetic", "inhibit"
    code: int


@dataclass(frozen=True)
class Fault(AcceptorEvent):
    kind: FaultKind
    code: int = 0
    reason: str = ""  # in words, where the code does not say it (BILL_TABLE)


@dataclass(frozen=True)
class FaultCleared(AcceptorEvent):
    """The device left a fault state (jam cleared, cassette replaced)."""

    kind: FaultKind


@dataclass(frozen=True)
class PowerUp(AcceptorEvent):
    """The device (re)started; ``bill_in`` is None, "validator" or "stacker"."""

    bill_in: str | None


@dataclass(frozen=True)
class Disconnected(AcceptorEvent):
    reason: str


@dataclass(frozen=True)
class Reconnected(AcceptorEvent):
    pass


EventSink = Callable[[AcceptorEvent], None]
DecisionMaker = Callable[[Escrow], Decision]


class BillAcceptor(Protocol):
    """What the kiosk core needs from any bill acceptor host."""

    @property
    def identity(self) -> Identity | None: ...

    @property
    def bill_table(self) -> Mapping[int, int]: ...

    def start(self) -> None:
        """Open the port, reset and identify the device, start polling (disabled)."""

    def stop(self) -> None:
        """Disable the device, stop polling and close the port."""

    def enable(self, denominations_fen: frozenset[int]) -> None:
        """Accept these denominations (escrow on); others are inhibited."""

    def disable(self) -> None:
        """Accept nothing."""

    def stack(self) -> bool:
        """Answer the pending escrow with STACK; False when no escrow is waiting."""

    def return_bill(self) -> bool:
        """Answer the pending escrow with RETURN; False when no escrow is waiting."""

    @property
    def connected(self) -> bool:
        """True while the device answers."""

    @property
    def counters(self) -> Mapping[str, int]:
        """Link statistics: polls, bad_crc, garbage_bytes, no_reply, reconnects, ..."""
