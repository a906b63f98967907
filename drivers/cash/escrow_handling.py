"""A bill in escrow: the engine's decision (asked on the decision thread of
drivers/cash/decisions.py), its deadline (no answer in time: RETURN), and STACK or RETURN sent
between polls as soon as the answer is in. A bill the device's table does not name goes back
unasked.
"""

from __future__ import annotations

import time

from drivers.cash.api import Decision, Escrow
from drivers.cash.decisions import PendingEscrow
from drivers.cash.host_core import HostCore
from drivers.cash.status import DeviceStatus, StatusKind


class EscrowHandling(HostCore):
    """The escrow layer of a host (layers: drivers/cash/host_core.py)."""

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
