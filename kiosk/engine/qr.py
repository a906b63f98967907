"""Paying by QR code: the server creates an order, the kiosk shows it and polls it until it is
paid, expires or is cancelled. Runs on the engine thread; every server call in the background.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kiosk.background import Done
from kiosk.central_answers import PaymentAnswer
from kiosk.events import Cancelled, Closed, QrClosed, QrOrder
from kiosk.session import State, Trigger

if TYPE_CHECKING:
    from kiosk.engine.core import Engine


class QrFlow:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def open(self) -> None:
        engine = self.engine
        session = engine.session
        assert session.account is not None
        assert session.amount_fen is not None
        txn_id = engine.records.open_txn("qr")
        account_no, amount = session.account.account_no, session.amount_fen
        engine.run_net(
            "qr_create",
            session.token,
            lambda: engine.central.create_qr_order(txn_id, account_no, amount),
        )

    def cancel(self) -> None:
        engine = self.engine
        order_id = engine.session.qr.get("order_id")
        engine.session.qr["cancelling"] = True
        if order_id is None:
            return
        engine.run_net(
            "qr_cancel",
            engine.session.token,
            lambda: engine.central.cancel_qr_order(order_id),
        )

    def poll(self) -> None:
        engine = self.engine
        order_id = engine.session.qr.get("order_id")
        if order_id is None or engine.machine.state is not State.QR_WAIT:
            return
        engine.run_net(
            "qr_poll",
            engine.session.token,
            lambda: engine.central.get_qr_order(order_id),
        )

    def expired(self) -> None:
        """The order's time is up and the server has not said so: end the wait (telling the
        customer why), then cancel the order so that it cannot be paid later."""
        if self.engine.machine.state is not State.QR_WAIT:
            return
        self.finished("expired", None)
        self.cancel()

    def finished(self, status: str, payment: PaymentAnswer | None) -> None:
        engine = self.engine
        if engine.machine.state is not State.QR_WAIT:
            return
        if status == "paid" and payment is not None:
            engine.records.posted(payment, endpoint="qr")
            engine.records.event(Closed(engine.session.amount_fen, "qr_paid"))
            engine.fire(Trigger.QR_PAID)
            engine.fire(Trigger.SETTLED)
            engine.settle("posted")
        elif status in ("expired", "cancelled"):
            engine.records.event(QrClosed(status))
            engine.records.event(Cancelled(f"qr_{status}"))
            engine.cancel_timer("qr_poll", "qr_expiry")
            engine.fire(Trigger.QR_ENDED)
            engine.session.result = {"status": "cancelled", "reason": f"qr_{status}"}
            if status == "expired" and not engine.session.qr.get("cancelling"):
                engine.session.error = {"code": "qr_expired", "detail": {}}
            engine.set_timer("done", 8)

    # ------------------------------------------------------------ server answers
    def done_create(self, done: Done[Any]) -> None:
        engine = self.engine
        if engine.stale(done) or engine.machine.state is not State.METHOD_CHOSEN:
            return
        if not done.ok:
            engine.records.event(Cancelled("qr_order_failed"))
            engine.session.txn_id = None
            engine.session.error = engine.checks.explain(done.error)
            engine.fire(Trigger.METHOD_FAILED)
            return
        order = done.get()
        engine.checks.server_ok()
        engine.records.event(
            QrOrder(order.order_id, order.qr_payload, order.expires_at.isoformat())
        )
        expires_in = max(5.0, (order.expires_at - engine.central.clock.now_utc()).total_seconds())
        engine.session.qr = {"order_id": order.order_id, "payload": order.qr_payload}
        engine.set_timer("qr_expiry", expires_in + 5)
        engine.set_timer("qr_poll", engine.config.timeouts.qr_poll_interval_s)
        engine.fire(Trigger.METHOD_READY_QR)

    def done_poll(self, done: Done[Any]) -> None:
        engine = self.engine
        if engine.stale(done):
            return
        if done.ok:
            engine.checks.server_ok()
            status = done.get()
            self.finished(status.status, status.payment)
        if engine.machine.state is State.QR_WAIT:
            engine.set_timer("qr_poll", engine.config.timeouts.qr_poll_interval_s)

    def done_cancel(self, done: Done[Any]) -> None:
        if self.engine.stale(done):
            return
        self.poll()  # the order's final state decides: paid in the meantime, or cancelled
