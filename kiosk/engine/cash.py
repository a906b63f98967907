"""The customer's cash payment, from enabling the acceptor to ``closed`` + ``queued``, and the
acceptor's own state (ready, fault, disconnected).

The money events of single notes (escrow, stacked, returned) are in ``notes.py``. Runs on the
engine thread only.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from drivers.cash.api import (
    AcceptorError,
    AcceptorEvent,
    Disconnected,
    Fault,
    FaultCleared,
    PowerUp,
    Ready,
    Reconnected,
    Rejected,
)
from kiosk import projection
from kiosk.background import Done
from kiosk.engine.model import CashSession
from kiosk.events import Cancelled, Closed, Queued
from kiosk.journal import JournalError
from kiosk.session import State, TransitionRefused, Trigger

if TYPE_CHECKING:
    from kiosk.engine.core import Engine

log = logging.getLogger("kiosk.engine")

STACK_WAIT_S = 15.0  # a note under STACK reports stacked or returned well within this


class CashFlow:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.test_mode = False  # a technician's acceptor test: notes are shown, then returned
        self.test_notes: list[int] = []

    def acceptor_test(self, on: bool) -> None:
        """The technician's acceptor test: every note the device knows is drawn in, shown
        (``test_notes``) and handed back; nothing is credited."""
        self.test_mode = on
        self.test_notes.clear()
        if on:
            self.enable_acceptor(frozenset(self.acceptor_bill_values()))
        else:
            self.disable_acceptor()

    # ------------------------------------------------------------ the customer
    def prepare(self, printer_ok: bool) -> None:
        """Cash chosen and the printer checked: ``opened`` is journaled before the acceptor
        is enabled."""
        engine = self.engine
        if engine.machine.state is not State.METHOD_CHOSEN:
            return
        if not printer_ok and not engine.config.printer.onscreen_receipt_fallback:
            engine.session.error = {
                "code": "method_unavailable",
                "detail": {"method": "cash", "reason": f"printer_{engine.health.printer_state}"},
            }
            engine.fire(Trigger.METHOD_FAILED)
            return
        if engine.acceptor is None or not engine.health.acceptor_ready:
            engine.session.error = {
                "code": "method_unavailable",
                "detail": {"method": "cash", "reason": "acceptor_not_ready"},
            }
            engine.fire(Trigger.METHOD_FAILED)
            return
        engine.checks.examine_disk()
        if engine.health.disk_low or engine.health.journal_fault is not None:
            engine.session.error = {
                "code": "method_unavailable",
                "detail": {
                    "method": "cash",
                    "reason": "journal_fault" if engine.health.journal_fault else "disk_low",
                },
            }
            engine.fire(Trigger.METHOD_FAILED)
            return
        engine.records.open_txn("cash")
        engine.session.cash = CashSession()
        try:
            engine.acceptor.enable(frozenset(engine.config.cash.denominations_fen))
        except AcceptorError as exc:
            log.error("acceptor would not enable: %s", exc)
            engine.records.event(Cancelled("acceptor_enable_failed"))
            engine.session.error = {
                "code": "method_unavailable",
                "detail": {"method": "cash", "reason": "acceptor_not_ready"},
            }
            engine.session.txn_id = None
            engine.fire(Trigger.METHOD_FAILED)
            return
        engine.fire(Trigger.METHOD_READY_CASH)
        engine.touch()

    def finish(self) -> None:
        """The customer's "finish" intent."""
        engine = self.engine
        if engine.machine.state is not State.CASH_INSERT:
            raise TransitionRefused(engine.machine.state, Trigger.FINISH, "not inserting cash")
        cash = engine.session.cash
        if cash.inserted_fen == 0 and not cash.in_escrow_fen and not cash.unsettled_fen:
            raise TransitionRefused(engine.machine.state, Trigger.FINISH, "no note inserted yet")
        self.finish_cash("customer_finished")

    def finish_cash(self, reason: str) -> None:
        # Changed from the original design (docs/journal.md): the acceptor is disabled and any
        # note in flight is settled BEFORE `closed` is written, so no note can be stacked
        # against a closed txn.
        engine = self.engine
        engine.fire(Trigger.FINISH)
        cash = engine.session.cash
        cash.finishing = True
        engine.session.close_reason = reason
        self.disable_acceptor()
        if cash.in_escrow_fen:
            engine.set_timer("stack_wait", STACK_WAIT_S)
        self.close_if_settled()

    def close_if_settled(self) -> None:
        engine = self.engine
        cash, txn_id = engine.session.cash, engine.session.txn_id
        if cash.in_escrow_fen or txn_id is None or engine.session.result is not None:
            return
        engine.cancel_timer("stack_wait")
        try:
            self.close_and_queue(txn_id, engine.session.close_reason)
        except JournalError as exc:
            # The notes are journaled; only the close is not. The customer is told it is
            # recorded, and the close is written once the journal can be (adopt_open).
            engine.checks.journal_failed(exc)
            engine.fire(Trigger.SETTLED)
            engine.settle("queued")
            return
        engine.set_timer("post_wait", engine.config.central.read_timeout_s + 2)

    def close_and_queue(self, txn_id: str, reason: str) -> None:
        """Write `closed` and `queued` in one commit, with the exact body the outbox posts."""
        engine = self.engine

        def build(conn: Any) -> list[tuple[str, Mapping[str, Any], str | None]]:
            row = conn.execute(
                projection.transactions.select().where(projection.transactions.c.txn_id == txn_id)
            ).one()
            notes = json.loads(row.notes)
            closed = Closed(row.cash_fen, reason, notes=notes).entry(txn_id)
            if row.cash_fen == 0:
                return [closed]
            body = {
                "txn_id": txn_id,
                "account_no": row.account_no,
                "amount_fen": row.cash_fen,
                "method": "cash",
                "cash": notes,
                "created_at": row.created_at,
                "offline": not engine.health.server_reachable,
            }
            queued = Queued(txn_id, "payments", body, amount_fen=row.cash_fen).entry(txn_id)
            return [closed, queued]

        engine.journal.append_many(build)
        engine.outbox.wake()
        engine.checks.refresh_service_state()

    def cancel(self, reason: str) -> None:
        engine = self.engine
        self.disable_acceptor()
        if engine.session.txn_id is not None:
            try:
                engine.records.event(Cancelled(reason))
            except JournalError as exc:  # nothing was taken; cancelled once writable
                engine.checks.journal_failed(exc)
        engine.session.result = {"status": "cancelled", "reason": reason}
        engine.set_timer("done", 5)

    def post_wait_over(self) -> None:
        """The ``post_wait`` timer: the server has not answered the posting in time; the
        customer sees the payment recorded (queued), and the outbox goes on posting."""
        engine = self.engine
        if engine.machine.state is State.PROCESSING and engine.session.result is None:
            engine.fire(Trigger.SETTLED)
            engine.settle("queued")

    def close_recovered(self, txn_id: str) -> None:
        """A recovered payment's last unsettled note is settled: close it (not before)."""
        if self.engine.recovery.pending(txn_id):
            return
        self.close_and_queue(txn_id, "recovered")

    def stack_timed_out(self) -> None:
        """STACK was sent but the device has not said stacked or returned.

        The device may still tell (a late stacked report, a power-up with the bill in the
        stacker once it has power again), so the note is not a suspect yet: recovery holds
        it as unsettled, exactly as after a restart, and no new cash is taken meanwhile.
        The customer is not kept waiting: the result shows the note as pending verification,
        and the payment is closed and posted once the note is settled.
        """
        engine = self.engine
        cash, txn_id = engine.session.cash, engine.session.txn_id
        if not cash.in_escrow_fen or txn_id is None:
            return
        denomination = cash.in_escrow_fen
        log.error("%s: no report for the %d fen note under STACK: unsettled", txn_id, denomination)
        cash.in_escrow_fen = 0
        cash.unsettled_fen += denomination
        engine.recovery_steps.carry_out(
            engine.recovery.adopt_unsettled(
                txn_id, denomination, ready=engine.health.acceptor_ready
            )
        )
        if engine.machine.state is State.PROCESSING and engine.session.result is None:
            engine.cancel_timer("post_wait")
            engine.fire(Trigger.SETTLED)
            engine.settle("queued")

    # ------------------------------------------------------------ the acceptor
    def enable_acceptor(self, denominations_fen: frozenset[int]) -> None:
        if self.engine.acceptor is not None:
            try:
                self.engine.acceptor.enable(denominations_fen)
            except AcceptorError as exc:
                log.error("acceptor enable failed: %s", exc)

    def disable_acceptor(self) -> None:
        if self.engine.acceptor is None:
            return
        try:
            self.engine.acceptor.disable()
        except AcceptorError as exc:  # a dead acceptor takes no more notes anyway
            log.error("acceptor disable failed: %s", exc)

    def acceptor_bill_values(self) -> set[int]:
        engine = self.engine
        table = engine.acceptor.bill_table if engine.acceptor is not None else {}
        return set(table.values()) or set(engine.config.cash.denominations_fen)

    def done_acceptor_start(self, done: Done[Any]) -> None:
        if not done.ok:
            log.error("acceptor start failed: %s", done.error)
            self.engine.acceptor_state = {"state": "disconnected", "last_error": str(done.error)}

    def on_acceptor_event(self, event: AcceptorEvent) -> None:
        """The acceptor's state; its money events come through ``Engine.acceptor_event``."""
        engine = self.engine
        checks = engine.checks
        if isinstance(event, Reconnected):
            # the driver starts the device up again; Ready (or a BILL_TABLE fault) follows
            engine.acceptor_state["state"] = "starting"
        elif isinstance(event, Ready):
            engine.acceptor_state["state"] = "ready"
            engine.acceptor_state["identity"] = vars(event.identity)
            engine.acceptor_state["bill_table"] = {str(k): v for k, v in event.bill_table.items()}
            checks.set_health(acceptor_ready=True, acceptor_fault=None)
            engine.recovery_steps.carry_out(engine.recovery.device_ready())
        elif isinstance(event, PowerUp):
            engine.notes.on_power_up(event)
        elif isinstance(event, Fault):
            # a device fault by its kind (the screens translate it); a refused bill table by
            # the driver's reason, which names what the device reported
            engine.acceptor_state.update(state="fault", last_error=event.reason or event.kind.value)
            checks.set_health(acceptor_ready=False, acceptor_fault=event.kind.value)
            self.acceptor_lost()
        elif isinstance(event, FaultCleared):
            engine.acceptor_state.update(state="ready")
            checks.set_health(acceptor_ready=True, acceptor_fault=None)
        elif isinstance(event, Disconnected):
            engine.acceptor_state.update(state="disconnected", last_error=event.reason)
            checks.set_health(acceptor_ready=False, acceptor_fault="disconnected")
            self.acceptor_lost()
        elif isinstance(event, Rejected):
            engine.session.notice = f"note_rejected_{event.reason}"

    def acceptor_lost(self) -> None:
        """A fault mid-payment ends cash insertion with what was taken so far."""
        engine = self.engine
        if engine.machine.state is State.CASH_INSERT:
            if engine.session.cash.inserted_fen or engine.session.cash.in_escrow_fen:
                self.finish_cash("acceptor_fault")
            else:
                engine.fire(Trigger.CANCEL)
                self.cancel("acceptor_fault")
            engine.session.error = {"code": "acceptor_fault", "detail": {}}
