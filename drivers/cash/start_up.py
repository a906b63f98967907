"""Start-up, as the protocol specifications give it, on every connection round and whenever the
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
"""

from __future__ import annotations

import dataclasses
import time

from drivers.cash.api import (
    AcceptorNotConnected,
    AcceptorProtocolError,
    Fault,
    FaultKind,
    PowerUp,
    Ready,
    Reconnected,
)
from drivers.cash.bill_table import choose
from drivers.cash.host_core import NoReplyError
from drivers.cash.status import (
    BILL_IN_MOTION_KINDS,
    OUTCOME_KINDS,
    POWER_UP_KINDS,
    STARTING_KINDS,
    DeviceStatus,
    StatusKind,
)
from drivers.cash.status_reports import StatusReports


class StartUp(StatusReports):
    """The start-up layer of a host (layers: drivers/cash/host_core.py)."""

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
