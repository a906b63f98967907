"""Escrow decisions: the engine answers stack or return before a deadline, or the bill goes back.

The poll thread hands each escrow to one decision thread, which calls the engine's ``decide``
callback; the poll thread keeps polling and acts as soon as an answer is in. An answer after
the deadline does not count (the bill was already returned), and a callback that hangs only
delays later decisions, never the poll loop.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import cast

from drivers.cash.api import Decision, DecisionMaker, Escrow

log = logging.getLogger("drivers.cash.decisions")


class PendingEscrow:
    """One escrowed bill waiting for its decision; the first answer wins."""

    def __init__(self, escrow: Escrow, deadline: float) -> None:
        self.escrow = escrow
        self.deadline = deadline
        self.acted = False  # STACK or RETURN was sent (poll thread only)
        self._decision: Decision | None = None
        self._lock = threading.Lock()

    @property
    def decision(self) -> Decision | None:
        with self._lock:
            return self._decision

    def answer(self, decision: Decision) -> bool:
        """Record ``decision`` unless one is already recorded; True when it counted."""
        with self._lock:
            if self._decision is not None:
                return False
            self._decision = decision
            return True

    def expire(self, now: float) -> bool:
        """Answer RETURN when the deadline has passed; True when this expired it."""
        return now >= self.deadline and self.answer(Decision.RETURN)


class DecisionThread:
    """Calls ``decide`` for each pending escrow, one at a time, off the poll thread."""

    def __init__(self, decide: DecisionMaker, wake: Callable[[], None], name: str) -> None:
        self._decide = decide
        self._wake = wake
        self._queue: queue.Queue[PendingEscrow | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        if not self._thread.is_alive():
            return
        self._queue.put(None)
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            log.error("the decide callback did not return within %.1f s of stop", timeout_s)

    def submit(self, pending: PendingEscrow) -> None:
        self._queue.put(pending)

    def _run(self) -> None:
        while True:
            pending = self._queue.get()
            if pending is None:
                return
            if pending.decision is not None:  # settled before its turn (deadline, pull-back)
                continue
            try:
                answer = cast(object, self._decide(pending.escrow))  # untyped callers exist
            except Exception:
                log.exception("decide(%s) failed; the bill is returned", pending.escrow)
                answer = Decision.RETURN
            if isinstance(answer, Decision):
                decision = answer
            else:
                log.error("decide returned %r, not a Decision; the bill is returned", answer)
                decision = Decision.RETURN
            if time.monotonic() > pending.deadline:
                log.warning("decision %s came after the deadline; ignored", decision.value)
            elif pending.answer(decision):
                self._wake()
