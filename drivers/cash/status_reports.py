"""A poll answer into events, edge-triggered: a state the device repeats is reported once.

A report of where a bill went (stacked, returned) is acknowledged only once the receiver has
recorded it (``_emit`` returns how the delivery went): until then the device repeats it (CCNET,
ID-003; an ICT host holds it itself) and it is offered again. Faults are reported when they
start and when they clear; a fault or a rejection abandons the bill in escrow.
"""

from __future__ import annotations

from drivers.cash.api import (
    AcceptorEvent,
    Fault,
    FaultCleared,
    Rejected,
    Returned,
    Stacked,
    StackedUnidentified,
)
from drivers.cash.delivery import RECORDED, Delivery
from drivers.cash.escrow_handling import EscrowHandling
from drivers.cash.status import FAULT_KINDS, POWER_UP_KINDS, SETTLED_KINDS, DeviceStatus, StatusKind


class StatusReports(EscrowHandling):
    """The reporting layer of a host (layers: drivers/cash/host_core.py)."""

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
