"""The server's background work, one thread per process, started with the app (lifespan):
the offline sweep (alerts), webhook deliveries, pruning heartbeat history and the
collection-rate report's day totals.

Every step is safe to run in several processes at once (alerts have a unique open key,
webhook rows are claimed, pruning deletes by age). A failing step is logged and tried again
on the next tick; stopping waits for the current step to finish.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from central import alerts, collection_rate, fleet, paycode, webhooks
from central.context import Central

log = logging.getLogger("central.background")

WEBHOOK_TICK_S = 2.0
PRUNE_EVERY_S = 3600.0
SUMMARY_DAYS = 400


class Worker:
    def __init__(self, central: Central) -> None:
        self.central = central
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="central-background", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        sweep_every = float(self.central.config.alerts.sweep_every_s)
        next_sweep = next_prune = time.monotonic()
        while not self._stop.is_set():
            now = time.monotonic()
            self._step("webhooks", lambda: webhooks.deliver_due(self.central))
            if now >= next_sweep:
                next_sweep = now + sweep_every
                self._step("offline sweep", lambda: alerts.sweep_offline(self.central))
                self._step("paycode sweep", lambda: paycode.sweep_abandoned(self.central))
            if now >= next_prune:
                next_prune = now + PRUNE_EVERY_S
                self._step("pruning", lambda: fleet.prune_history(self.central))
                self._step("day totals", self._summarize)
            self._stop.wait(min(WEBHOOK_TICK_S, sweep_every))

    def _summarize(self) -> None:
        """Sum the closed days of the last year for the collection-rate report."""
        today = self.central.today()
        collection_rate.summarize(
            self.central.engine,
            today - timedelta(days=SUMMARY_DAYS),
            today,
            self.central.config.server.zone,
            self.central.now(),
        )

    def _step(self, name: str, work: Callable[[], Any]) -> None:
        try:
            work()
        except Exception:
            log.exception("background %s failed; trying again later", name)


def lifespan(central: Central) -> Callable[[Any], Any]:
    @asynccontextmanager
    async def run(_app: Any) -> AsyncIterator[None]:
        worker = Worker(central)
        worker.start()
        try:
            yield
        finally:
            worker.stop()

    return run
