"""Carrying out what recovery decides (kiosk/recovery.py returns steps; it never calls the
engine). Runs on the engine thread; the server calls run in the background and their
answers go back to recovery, whose next steps are carried out in turn.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from kiosk.recovery import AskAgain, AskServer, CloseCash, Step, WaitForDevice

if TYPE_CHECKING:
    from kiosk.engine.core import Engine

log = logging.getLogger("kiosk.engine")


class RecoverySteps:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def on_start(self) -> None:
        """Finish what the last run left open, before the first customer."""
        engine = self.engine
        summary, steps = engine.recovery.adopt_open(ready=engine.health.acceptor_ready)
        self.carry_out(steps)
        engine.recovery.started(summary)

    def after_journal_fault(self, live_txn: str | None) -> None:
        """The journal can be written again: settle what the failure left open, except the
        payment the customer is still in."""
        engine = self.engine
        summary, steps = engine.recovery.adopt_open(
            ready=engine.health.acceptor_ready, live_txn=live_txn
        )
        self.carry_out(steps)
        if any(summary.values()):
            log.warning("settled after the journal failure: %s", summary)

    def window_closed(self) -> None:
        """The ``recovery`` timer: what no device report settled goes to a technician."""
        self.carry_out(self.engine.recovery.window_closed())

    def recheck_qr(self) -> None:
        """The ``recover_qr`` timer: ask the server about recovered QR and code payments."""
        self.carry_out(self.engine.recovery.recheck_qr())

    def carry_out(self, steps: list[Step]) -> None:
        engine = self.engine
        for step in steps:
            if isinstance(step, CloseCash):
                engine.cash.close_and_queue(step.txn_id, "recovered")
            elif isinstance(step, WaitForDevice):
                engine.set_timer("recovery", step.seconds)
            elif isinstance(step, AskAgain):
                engine.set_timer("recover_qr", step.seconds)
            elif isinstance(step, AskServer):
                self._ask(step)

    def _ask(self, step: AskServer) -> None:
        central = self.engine.central
        self.engine.run_background(
            lambda: step.call(central), lambda done: self.carry_out(step.then(done))
        )
