"""The ICT host: poll ``0C``, answer the device's power-up and escrow, enable with one byte.

ICT differs from CCNET and ID-003 in three ways the shared poll loop must allow for:

- The device speaks unasked: ``80 8F`` at power-up (answered ``02`` within 2 s, or the device
  inhibits itself) and ``81 TT`` when a bill of type ``TT`` reaches escrow (answered ``02``
  stack or ``0F`` return), then ``10`` stacked or ``11`` returned. Every read keeps what came
  unasked in a queue; ``_poll`` hands out queued messages before it sends another ``0C``.
- There is no table query and no identification: bill types come from configuration
  (``HostSettings.bill_types``, type byte -> fen) and the identity is the protocol's name.
- Enabling is all or nothing (``3E`` / ``5E``); a bill the core did not ask for reaches
  escrow and the core's decision returns it.

Start-up (drivers/cash/start_up.py): poll; RESET ``30``; answer the device's new ``80 8F`` with
``02``; poll until it answers ``3E`` or ``5E``; the configured table; ``3E`` or ``5E``.

Stacked delivery. ``10`` is sent once and never repeated: there is no acknowledgement with
which to hold it back, so the device cannot be asked again. This host therefore holds an
undelivered ``Stacked`` itself (with the bill type of its escrow, so a fault in between cannot
make it anonymous) and offers it to ``on_event`` again, as a CCNET or ID-003 device repeats its
report, for as long as ``on_event`` refuses it with ``EventNotRecorded`` (the receiver's "not
recorded now, report it again": a disk full or read-only for minutes, until a person frees it).
Offers come first on the poll they are due, spaced by a capped backoff (the poll interval,
doubling to ``REOFFER_MAX_S``); the polls in between read the device as usual, so a power-up,
a fault or a lost link is still seen while a report waits, and a RESET or reconnection keeps
it (the note stays in the box whatever the device does next). A receiver that fails any other
way (a bug, not a full disk) is offered it ``REDELIVERY_LIMIT`` times, then it is dropped and
logged. For the engine this means: ``on_event(Stacked)`` raising does not lose the note while
this process lives, but a process that dies between the device's ``10`` and the journal commit
loses the report for good. The engine must treat an escrow it answered STACK with no outcome
after a restart as unsettled (the recovery window, then a suspect for a technician): it cannot
expect the device to repeat the report, as CCNET and ID-003 devices do.
"""

from __future__ import annotations

import collections
import time
from dataclasses import dataclass

from drivers.backoff import Backoff
from drivers.cash.api import AcceptorProtocolError, Identity
from drivers.cash.bill_table import TableEntry
from drivers.cash.delivery import Delivery
from drivers.cash.host import AcceptorHost
from drivers.cash.host_core import NoReplyError
from drivers.cash.ict import codec
from drivers.cash.ict.codes import DeviceByte, HostCommand, StatusParseError, parse_status
from drivers.cash.status import SETTLED_KINDS, DeviceStatus, StatusKind

BYTE_TIME_S = 0.00115  # one byte at 9600 baud 8E1
CONFIG_TABLE_CODE = "config"
REDELIVERY_LIMIT = 100  # offers of one Stacked to a receiver that fails other than "not recorded"
REOFFER_MAX_S = 1.0  # the longest wait between two offers of an undelivered Stacked

# ICT's own names for the bill types 40..45 on Chinese units: 1, 5, 10, 20, 50, 100 yuan.
DEFAULT_BILL_TYPES: dict[int, int] = {
    0x40: 100,
    0x41: 500,
    0x42: 1000,
    0x43: 2000,
    0x44: 5000,
    0x45: 10000,
}


@dataclass(eq=False)  # one per 10 the device said: found and removed by identity
class HeldReport:
    """A ``10`` the receiver has not recorded yet: offered again until it is (docstring)."""

    status: DeviceStatus  # what _poll hands out: the STACKED, detail the escrow's bill type
    next_offer: float
    offers: int = 0
    failures: int = 0  # offers the receiver failed other than with EventNotRecorded


class IctHost(AcceptorHost):
    protocol = "ict"
    _table_from_device = False  # a 10 is never repeated: it is handled as it comes

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._incoming = b""
        self._queue: collections.deque[bytes] = collections.deque()
        self._held: collections.deque[HeldReport] = collections.deque()
        self._reoffer = Backoff(self.settings.poll_interval_s, REOFFER_MAX_S)
        self._starting = False

    # ---- reading ------------------------------------------------------------------------

    def _read(self, timeout: float) -> None:
        """Read what the device sent within ``timeout`` into the message queue."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            chunk = self._transport.read(timeout_s=max(0.0, remaining))
            if chunk:
                result = codec.decode_stream(self._incoming + chunk)
                self._incoming = result.leftover
                self._counters["garbage_bytes"] += result.garbage
                self._queue.extend(result.messages)
            if self._queue or remaining <= 0:
                return

    def _send(self, command: HostCommand) -> None:
        self._transport.write(bytes([command]))

    # ---- hooks ----------------------------------------------------------------------------

    def _identify(self) -> tuple[Identity, list[TableEntry]]:
        types = self.settings.bill_types
        bill_types = DEFAULT_BILL_TYPES if types is None else types
        entries = [TableEntry(t, CONFIG_TABLE_CODE, fen) for t, fen in sorted(bill_types.items())]
        return Identity("ict", "", "", ""), entries

    def _table_codes(self) -> tuple[str | int, ...]:
        return (CONFIG_TABLE_CODE,)

    def _poll(self) -> DeviceStatus:
        held = self._due_report()
        if held is not None:  # an undelivered Stacked comes first when due (docstring)
            return held.status
        self._read(0.0)
        if not self._queue:
            self._send(HostCommand.POLL)
            self._read(self.settings.reply_timeout_s + 2 * BYTE_TIME_S)
        if not self._queue:
            raise NoReplyError("no answer to 0C")
        message = self._queue.popleft()
        try:
            status = parse_status(message)
        except StatusParseError as exc:  # pragma: no cover - the codec only queues messages
            raise AcceptorProtocolError(str(exc)) from exc
        if status.kind is StatusKind.STACKED:
            return self._hold(status).status
        return self._while_in_escrow(status)

    def _hold(self, status: DeviceStatus) -> HeldReport:
        """Keep the device's one ``10``, naming the bill in escrow, until it is delivered."""
        escrow = self._escrow
        detail = escrow.bill_type if escrow is not None else None
        held = HeldReport(DeviceStatus(status.kind, status.code, detail), time.monotonic())
        held.offers = 1
        self._held.append(held)
        return held

    def _due_report(self) -> HeldReport | None:
        """The oldest undelivered Stacked, when its next offer is due (never during start-up:
        the device is polled through its start, and the report is offered after it)."""
        if not self._held or self._starting:
            return None
        held = self._held[0]
        if held.failures >= REDELIVERY_LIMIT:
            self.log.error(
                "a stacked report the receiver failed %d times: dropped", REDELIVERY_LIMIT
            )
            self._counters["stacked_dropped"] += 1
            self._held.popleft()
            return None
        if time.monotonic() < held.next_offer:
            return None
        held.offers += 1
        self._counters["stacked_reoffered"] += 1
        return held

    def _held_as(self, status: DeviceStatus) -> HeldReport | None:
        return next((held for held in self._held if held.status is status), None)

    def _on_stacked(self, status: DeviceStatus) -> Delivery:
        delivery = super()._on_stacked(status)
        held = self._held_as(status)
        if not delivery.recorded and held is not None:
            if not delivery.deferred:  # a failing receiver gets REDELIVERY_LIMIT offers
                held.failures += 1
            held.next_offer = time.monotonic() + self._reoffer.delay(held.offers - 1)
        return delivery

    def _start_up(self, first: DeviceStatus | None) -> None:
        self._starting = True
        try:
            super()._start_up(first)
        finally:
            self._starting = False

    def _while_in_escrow(self, status: DeviceStatus) -> DeviceStatus:
        """A bill in escrow stays there until ``10`` / ``11``, whatever a poll answers."""
        escrow, pending = self._escrow, self._pending
        if escrow is None or status.kind not in SETTLED_KINDS:
            return status
        if pending is not None and pending.acted:
            return DeviceStatus(StatusKind.STACKING, status.code)  # on its way: wait for 10/11
        return DeviceStatus(StatusKind.ESCROW, status.code, escrow.bill_type)

    def _acknowledge(self, status: DeviceStatus) -> None:
        if status.kind is StatusKind.POWER_UP and status.code == DeviceByte.POWER_UP:
            self._send(HostCommand.ACCEPT)  # 80 8F is answered; a late 26 is left to RESET
        elif (held := self._held_as(status)) is not None:
            self._held.remove(held)  # delivered: nothing goes to the device

    def _reset(self) -> None:
        # an undelivered Stacked is kept: the note is in the box whatever the device does now
        self._queue.clear()
        self._incoming = b""
        self._send(HostCommand.RESET)

    def _apply_enable(self, bill_types: frozenset[int]) -> None:
        self._send(HostCommand.ENABLE if bill_types else HostCommand.DISABLE)

    def _send_stack(self) -> None:
        self._send(HostCommand.ACCEPT)

    def _send_return(self) -> None:
        self._send(HostCommand.REJECT)
