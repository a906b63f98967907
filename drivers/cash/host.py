"""The poll loop every protocol host shares, and link keeping around it.

One thread owns the port. Every ``poll_interval_s`` it polls the device, turns the answer into
events (edge-triggered: a state the device repeats is reported once) and acknowledges it the
way the protocol wants. Commands from other threads (enable, disable, an escrow decision) only
set state and wake the loop, which sends them between polls.

Link keeping: a connection round opens the port (bounded attempts before a deadline) and
identifies the device (bounded retries per exchange). ``missed_polls_limit`` polls without a
valid answer, or a port error, end the link: ``Disconnected`` is reported once, and rounds are
tried again with a capped exponential backoff until the device answers (``Reconnected``, then
``Ready``), ``max_reconnect_rounds`` is used up, or ``stop()``.

Start-up (RESET to ``Ready``) is drivers/cash/start_up.py; what a poll answer reports,
drivers/cash/status_reports.py; escrow decisions, drivers/cash/escrow_handling.py; the layers
and what they share, drivers/cash/host_core.py.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping

from drivers.backoff import Backoff
from drivers.cash.api import AcceptorError, Identity
from drivers.cash.host_core import NoReplyError
from drivers.cash.host_settings import HostSettings
from drivers.cash.start_up import StartUp
from drivers.cash.status import StatusKind
from drivers.transport import PortLostError

__all__ = ["AcceptorHost", "HostSettings", "NoReplyError"]


class AcceptorHost(StartUp):
    """A bill acceptor host; subclasses speak one protocol (exchange, identify, commands)."""

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
