"""Money events of single notes: the escrow decision, and the device's stacked and returned
reports (also those a power-up report settles).

Order of writes (docs/journal.md): ``escrow`` with the decision before STACK or RETURN is
answered; ``stacked`` before the host acknowledges the device. A report that cannot be
journaled raises out of here, and the device is not acknowledged (``Engine.acceptor_event``).
Runs on the engine thread only.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from drivers.cash.api import (
    Decision,
    Escrow,
    PowerUp,
    Returned,
    Stacked,
    StackedUnidentified,
)
from kiosk import events, projection
from kiosk.engine.model import Reply
from kiosk.events import Audit, Cancelled
from kiosk.session import State

if TYPE_CHECKING:
    from kiosk.engine.core import Engine

log = logging.getLogger("kiosk.engine")


class NoteEvents:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def decide(self, escrow: Escrow) -> tuple[Decision, str]:  # noqa: PLR0911 - one rule a line
        """The local stack/return rule: no network, milliseconds."""
        engine = self.engine
        cash = engine.session.cash
        if engine.cash.test_mode:
            return Decision.RETURN, "test_mode"
        if engine.health.journal_fault is not None:
            return Decision.RETURN, "journal_fault"
        if engine.recovery.wants_stack(escrow):
            return Decision.STACK, "recovery"
        if engine.machine.state is not State.CASH_INSERT or engine.session.txn_id is None:
            return Decision.RETURN, "no_open_payment"
        if cash.finishing:
            return Decision.RETURN, "finishing"
        if cash.in_escrow_fen:
            return Decision.RETURN, "note_in_flight"
        if escrow.denomination_fen not in engine.config.cash.denominations_fen:
            return Decision.RETURN, "denomination_not_accepted"
        if cash.inserted_fen + escrow.denomination_fen > engine.config.limits.max_payment_fen:
            return Decision.RETURN, "over_payment_limit"
        if engine.checks.cashbox_notes() >= engine.config.cash.cashbox_capacity_notes:
            return Decision.RETURN, "cashbox_full"
        return Decision.STACK, "accepted"

    def on_reply(self, reply: Reply) -> None:
        """A money event has three outcomes: recorded (the device goes on), refused (an
        escrow returned), or not recorded (the device is not acknowledged and reports again)."""
        try:
            event = reply.event
            if isinstance(event, Escrow):
                reply.decision = self.on_escrow(event)
            elif isinstance(event, Stacked):
                self.on_stacked(event)
            elif isinstance(event, Returned):
                self.on_returned(event)
            elif isinstance(event, StackedUnidentified):
                self.on_stacked_unidentified()
        except BaseException as exc:
            reply.decision = Decision.RETURN
            reply.error = exc
            raise
        finally:
            reply.answered.set()

    def on_escrow(self, escrow: Escrow) -> Decision:
        engine = self.engine
        engine.recovery.new_escrow_seen()
        decision, reason = self.decide(escrow)
        if engine.cash.test_mode:
            engine.cash.test_notes.append(escrow.denomination_fen)
            engine.records.event(
                Audit(
                    "acceptor_test_note",
                    "returned",
                    {"denomination_fen": escrow.denomination_fen},
                )
            )
            return decision
        txn_id = (
            engine.recovery.txn_for_escrow(escrow)
            if reason == "recovery"
            else engine.session.txn_id
        )
        if txn_id is None:
            engine.records.event(
                Audit("stray_escrow", "returned", {"denomination_fen": escrow.denomination_fen})
            )
            return Decision.RETURN
        engine.records.event(
            events.Escrow(escrow.denomination_fen, decision.value, reason), txn_id=txn_id
        )
        if decision is Decision.STACK and txn_id == engine.session.txn_id:
            engine.session.cash.in_escrow_fen = escrow.denomination_fen
        elif decision is Decision.RETURN and txn_id == engine.session.txn_id:
            engine.session.notice = f"returned_{reason}"
        return decision

    def on_stacked(self, event: Stacked, *, evidence: str = "") -> None:
        """Journal a note in the box against the stack decision it settles.

        A report is matched to a pending decision by denomination: the running payment's
        note in flight first, then a note handed to recovery (after a restart or a stack
        timeout). A report that matches no decision is never merged into a payment: it is
        the repeat of a note already journaled, or a suspect a technician checks.
        """
        engine = self.engine
        recovery = engine.recovery
        denomination = event.denomination_fen
        cash = engine.session.cash
        stacked = events.Stacked(denomination, evidence or None)
        if cash.in_escrow_fen and engine.session.txn_id is not None:
            if denomination != cash.in_escrow_fen:
                self.stacked_mismatch(engine.session.txn_id, cash.in_escrow_fen, denomination)
                return
            engine.records.event(stacked, txn_id=engine.session.txn_id)
            self.note_stacked_in_session(denomination)
            return
        recovered = recovery.txn_for_outcome(denomination)
        if recovered is not None:
            engine.records.event(stacked, txn_id=recovered)
            recovery.settled(recovered)
            self.late_note_settled(recovered, denomination, stacked=True)
            engine.cash.close_recovered(recovered)
            return
        if recovery.is_repeated_stack(denomination):
            return  # the pre-restart note's report again: journaled once already
        if engine.session.txn_id is not None and engine.machine.state in (
            State.CASH_INSERT,
            State.PROCESSING,
        ):
            # In the box with no stack decision: the payment's customer may own it, but
            # only a technician counting the box can say so.
            self.stacked_mismatch(engine.session.txn_id, 0, denomination)
            return
        if recovery.unsettled:
            pending = recovery.only_pending_denomination()
            txn_id = recovery.txn_for_outcome(pending) if pending else None
            if txn_id is not None:
                self.stacked_mismatch(txn_id, pending, denomination, recovered=True)
                return
        self.record_stray_stack(denomination)

    def note_stacked_in_session(self, denomination: int) -> None:
        engine = self.engine
        cash = engine.session.cash
        cash.in_escrow_fen = 0
        cash.inserted_fen += denomination
        cash.notes[denomination] = cash.notes.get(denomination, 0) + 1
        cash.last_note = str(denomination)
        engine.session.notice = "note_accepted"
        engine.touch()
        if cash.finishing:
            engine.cash.close_if_settled()
        elif (
            cash.inserted_fen + min(engine.config.cash.denominations_fen)
            > engine.config.limits.max_payment_fen
        ):
            engine.cash.finish_cash("payment_limit_reached")

    def stacked_mismatch(
        self, txn_id: str, decided: int, reported: int, *, recovered: bool = False
    ) -> None:
        """The device says another note reached the box than the one decided: a suspect."""
        engine = self.engine
        kiosk_id = engine.config.kiosk.id
        why = (
            f"device reported {reported} fen stacked for a {decided} fen stack decision"
            if decided
            else f"device reported {reported} fen stacked with no stack decision"
        )
        log.error("%s: %s: suspect", txn_id, why)
        engine.journal.append_many(
            lambda conn: [projection.suspect_event(conn, kiosk_id, txn_id, reported, why)]
        )
        if recovered:
            engine.recovery.settled(txn_id)
            self.late_note_settled(txn_id, decided, stacked=False)
            engine.cash.close_recovered(txn_id)
            return
        engine.session.cash.in_escrow_fen = 0
        if engine.session.cash.finishing:
            engine.cash.close_if_settled()

    def late_note_settled(self, txn_id: str, denomination: int, *, stacked: bool) -> None:
        """The customer may still be looking at the result that showed this note pending."""
        result = self.engine.session.result
        if result is None or result.get("txn_id") != txn_id or not result.get("pending_fen"):
            return
        result["pending_fen"] = max(0, int(result["pending_fen"]) - denomination)
        if stacked:
            result["late_credited_fen"] = int(result.get("late_credited_fen") or 0) + denomination

    def on_stacked_unidentified(self) -> None:
        """A note reached the stacker but the device could not say which (ID-003 after a
        restart between escrow and vend valid): it is the one we decided to stack."""
        engine = self.engine
        pending = engine.session.cash.in_escrow_fen or engine.recovery.only_pending_denomination()
        if pending:
            self.on_stacked(Stacked(denomination_fen=pending, bill_type=-1))
        elif not engine.recovery.is_repeated_stack(None):
            self.record_stray_stack(0)

    def on_returned(self, event: Returned, *, evidence: str = "") -> None:
        engine = self.engine
        denomination = event.denomination_fen
        returned = events.Returned(denomination, evidence or None)
        cash = engine.session.cash
        if cash.in_escrow_fen == denomination and engine.session.txn_id is not None:
            engine.records.event(returned, txn_id=engine.session.txn_id)
            cash.in_escrow_fen = 0
            engine.session.notice = "note_returned"
            if cash.finishing:
                engine.cash.close_if_settled()
            return
        recovered = engine.recovery.txn_for_outcome(denomination)
        if recovered is None:
            return  # a note we decided to return: nothing was taken
        engine.records.event(returned, txn_id=recovered)
        engine.recovery.settled(recovered)
        self.late_note_settled(recovered, denomination, stacked=False)
        engine.cash.close_recovered(recovered)

    def record_stray_stack(self, denomination: int) -> None:
        """A note reached the box with no payment to own it: keep it visible to a technician."""
        engine = self.engine
        log.error(
            "a %d fen note was stacked with no open payment: recorded as suspect", denomination
        )
        txn_id = engine.records.open_txn_record("cash", account_no="", stray=True)
        kiosk_id = engine.config.kiosk.id
        engine.journal.append_many(
            lambda conn: [
                projection.suspect_event(
                    conn, kiosk_id, txn_id, denomination, "note stacked with no open payment"
                ),
                Cancelled("stray_note").entry(txn_id),
            ]
        )

    def on_power_up(self, event: PowerUp) -> None:
        """The device restarted (power cut, cable, its own reset) and says where a bill was."""
        engine = self.engine
        pending = engine.session.cash.in_escrow_fen
        if pending and engine.session.txn_id is not None and event.bill_in is None:
            # The device restarted without saying where the note was (ICT never can; a plain
            # power-up of the others means it was in neither): no later report will tell.
            # Held unsettled now rather than at the stack timeout; recovery then makes it a
            # suspect for a technician. Never guessed either way.
            log.warning(
                "%s: the %d fen note under STACK lost by a power-up that names no place",
                engine.session.txn_id,
                pending,
            )
            engine.cancel_timer("stack_wait")
            engine.cash.stack_timed_out()
            return
        if pending and engine.session.txn_id is not None and event.bill_in is not None:
            why = f"power-up report: bill in {event.bill_in}"
            log.warning("%s: the %d fen note settled by %s", engine.session.txn_id, pending, why)
            if event.bill_in == "stacker":
                self.on_stacked(Stacked(denomination_fen=pending, bill_type=-1), evidence=why)
            else:
                self.on_returned(Returned(denomination_fen=pending, bill_type=-1), evidence=why)
            return
        pending = engine.recovery.last_pending()
        if pending and event.bill_in is not None:
            why = f"power-up report: bill in {event.bill_in}"
            if event.bill_in == "stacker":
                self.on_stacked(Stacked(denomination_fen=pending, bill_type=-1), evidence=why)
            else:
                self.on_returned(Returned(denomination_fen=pending, bill_type=-1), evidence=why)
