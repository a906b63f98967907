"""Paying by payment code (付款码, "micropay"): the customer shows the code in WeChat, Alipay,
UnionPay QuickPass or 网上国网 to the kiosk's scanner, and the server charges it.

Never one-sided (单边账): ``opened`` (with the code masked) is journaled before the code leaves
the kiosk, and the outcome after: ``posted`` + ``closed`` when paid, ``cancelled`` when refused
or reversed. A code is a bearer credential for about a minute: it lives only in the closure of
the one payment call, never in the journal, a log line or a snapshot.

The flow, run on the engine thread (every network call in the background):
scan -> check the format -> ``opened`` -> ``POST /v1/paycode-payments`` -> paid | failed |
userpaying; while userpaying, ``GET`` every ``paycode_poll_s`` until paid, failed or the
deadline (``paycode_deadline_s``, 60 s); at the deadline (or when the customer cancels)
``POST .../cancel``, which the server turns into a reversal (撤销/冲正) with the provider. A
cancel that cannot reach the server leaves the outcome unknown: the customer is told so, and
recovery asks the server again until it knows (kiosk/recovery.py).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from kiosk.background import Done
from kiosk.central_answers import PaycodeStatus
from kiosk.central_client import (
    CentralError,
    CentralOffline,
    CentralRejected,
    CentralTimeout,
)
from kiosk.events import Cancelled, Closed
from kiosk.outbox import paid_fen
from kiosk.paycode import classify, mask
from kiosk.session import State, Trigger

if TYPE_CHECKING:
    from kiosk.engine import Engine

log = logging.getLogger("kiosk.paycode")

CANCEL_ATTEMPTS = 5  # then the outcome is unknown to the kiosk: recovery keeps asking


class PaycodeFlow:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._cancel_failures = 0

    # ------------------------------------------------------------------ the customer
    def prepare(self) -> None:
        """Method chosen: ask for the code (the scanner is always reading)."""
        engine = self.engine
        engine.session.paycode = {"status": "scan", "error": None}
        engine.fire(Trigger.METHOD_READY_PAYCODE)
        engine.touch()

    def scanned(self, code: str) -> None:
        engine = self.engine
        if engine.machine.state is not State.PAYCODE_SCAN:
            return  # a code shown at the wrong moment is dropped, never kept
        verdict = classify(code)
        if verdict.provider is None:
            problem = verdict.problem.value if verdict.problem else "unknown_format"
            engine.session.paycode = {"status": "scan", "error": problem}
            engine.touch()
            return
        session = engine.session
        assert session.account is not None
        assert session.amount_fen is not None
        masked = mask(code)
        provider = verdict.provider.value
        txn_id = engine.records.open_txn("paycode", payment_ref=masked, provider=provider)
        body = {
            "txn_id": txn_id,
            "account_no": session.account.account_no,
            "amount_fen": session.amount_fen,
            "code": code,
            "created_at": engine.now_iso(),
        }
        engine.fire(Trigger.PAYCODE_SCANNED)
        session.paycode = {
            "status": "posting",
            "provider": provider,
            "code": masked,
            "error": None,
        }
        self._cancel_failures = 0
        engine.set_timer("paycode_deadline", engine.config.timeouts.paycode_deadline_s)
        engine.run_background(
            lambda: engine.central.post_paycode(body),
            lambda done: self._answered(txn_id, done, posting=True),
        )

    def cancel(self) -> None:
        """The customer gives up while the phone is asked: cancel and reverse."""
        self.engine.session.paycode["cancelling"] = True
        self._cancel_now()

    # ------------------------------------------------------------------ the server
    def poll(self) -> None:
        engine = self.engine
        txn_id = engine.session.txn_id
        if engine.machine.state is not State.PAYCODE_WAIT or txn_id is None:
            return
        engine.run_background(
            lambda: engine.central.get_paycode(txn_id),
            lambda done: self._answered(txn_id, done, posting=False),
        )

    def deadline(self) -> None:
        if self.engine.machine.state is State.PAYCODE_WAIT:
            log.warning("%s: not confirmed in time: cancelling", self.engine.session.txn_id)
            self._cancel_now()

    def _cancel_now(self) -> None:
        engine = self.engine
        txn_id = engine.session.txn_id
        if engine.machine.state is not State.PAYCODE_WAIT or txn_id is None:
            return
        engine.cancel_timer("paycode_poll", "paycode_deadline")
        engine.fire(Trigger.CANCEL)  # stays in paycode_wait until the reversal is known
        engine.session.paycode["status"] = "cancelling"
        engine.run_background(
            lambda: engine.central.cancel_paycode(txn_id),
            lambda done: self._cancelled(txn_id, done),
        )

    def _cancelled(self, txn_id: str, done: Done[PaycodeStatus]) -> None:
        if not self._current(txn_id):
            return
        if done.ok and done.value is not None:
            self._apply(txn_id, done.value)
            return
        self._cancel_failures += 1
        if self._cancel_failures < CANCEL_ATTEMPTS:
            self.engine.run_background(
                lambda: self.engine.central.cancel_paycode(txn_id),
                lambda again: self._cancelled(txn_id, again),
            )
            return
        self._unknown(txn_id, done.error)

    def _answered(self, txn_id: str, done: Done[PaycodeStatus], *, posting: bool) -> None:
        engine = self.engine
        if not self._current(txn_id):
            return
        if done.ok and done.value is not None:
            engine.checks.server_ok()
            self._apply(txn_id, done.value)
            return
        error = done.error
        if posting and isinstance(error, CentralRejected) and error.status in (400, 422):
            # Refused as given (a code the server would not take): nothing was charged.
            self._refused(txn_id, error.code)
            return
        if isinstance(error, CentralOffline | CentralTimeout | CentralError):
            # The post may have been charged: ask, until the deadline cancels it.
            engine.set_timer("paycode_poll", engine.config.timeouts.paycode_poll_s)
            return
        log.error("%s: unexpected answer: %s", txn_id, error)
        engine.set_timer("paycode_poll", engine.config.timeouts.paycode_poll_s)

    def _apply(self, txn_id: str, status: PaycodeStatus) -> None:
        engine = self.engine
        if status.status == "paid" and status.payment is not None:
            engine.cancel_timer("paycode_poll", "paycode_deadline")
            engine.records.posted(status.payment, endpoint="paycode")
            engine.records.event(Closed(paid_fen(status.payment), "paycode_paid"))
            engine.fire(Trigger.PAYCODE_PAID)
            engine.fire(Trigger.SETTLED)
            engine.settle("posted")
            if engine.session.result is not None and status.invoice_url:
                engine.session.result["invoice_url"] = status.invoice_url
        elif status.status == "failed":
            self._refused(txn_id, status.reason or "failed")
        elif status.status in ("reversed", "cancelled"):
            engine.cancel_timer("paycode_poll", "paycode_deadline")
            engine.records.event(Cancelled("paycode_reversed"))
            engine.fire(Trigger.PAYCODE_ENDED)
            engine.session.result = {"status": "cancelled", "reason": "paycode_reversed"}
            engine.set_timer("done", 8)
        else:  # userpaying, pending: the customer confirms on the phone
            engine.session.paycode["status"] = "userpaying"
            engine.set_timer("paycode_poll", engine.config.timeouts.paycode_poll_s)

    def _refused(self, txn_id: str, reason: str) -> None:
        engine = self.engine
        engine.cancel_timer("paycode_poll", "paycode_deadline")
        engine.records.event(Cancelled("paycode_failed", detail=reason))
        engine.session.txn_id = None
        engine.fire(Trigger.PAYCODE_FAILED)
        engine.session.paycode = {"status": "scan", "error": reason}
        engine.touch()
        log.info("%s: refused: %s", txn_id, reason)

    def _unknown(self, txn_id: str, error: BaseException | None) -> None:
        """The server could not be asked to cancel: never guess. The customer is told the
        outcome is not known yet; recovery asks again until the server knows."""
        engine = self.engine
        log.error("%s: cancel not confirmed (%s): outcome unknown", txn_id, error)
        engine.recovery_steps.carry_out(engine.recovery.adopt_paycode(txn_id))
        engine.session.paycode["status"] = "unknown"
        engine.fire(Trigger.PAYCODE_PAID)  # to processing, then the result screen
        engine.fire(Trigger.SETTLED)
        engine.settle("unconfirmed")

    def _current(self, txn_id: str) -> bool:
        engine = self.engine
        return engine.session.txn_id == txn_id and engine.machine.state is State.PAYCODE_WAIT


def snapshot(session_paycode: dict[str, Any]) -> dict[str, Any]:
    """What the screen may show: status, provider, the masked code, an error reason."""
    keys = ("status", "provider", "code", "error", "cancelling")
    return {k: session_paycode.get(k) for k in keys}
