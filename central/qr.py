"""QR orders: the kiosk shows a code, the payer pays with a phone, the kiosk polls.

The order settles on the server when the payment provider (here the demo wallet page) reports
it paid: a payment row with the order's txn id is created and credited in the same transaction
that marks the order paid. The kiosk's own later POST /v1/payments with method "qr" for that
txn id then replays the stored answer. Orders expire ``qr_order_ttl_s`` after creation;
expiry is applied when an order is next read or paid.
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, select, update

from central import db, wire
from central.accounts import find_account
from central.context import Central
from central.errors import ApiError, InvalidRequest
from central.masking import mask_name
from central.schema import Method, Origin, QrStatus, accounts, payments, qr_orders
from central.settlement import claim_payment, lock_account, record

log = logging.getLogger("central.qr")

PROVIDER_FINGERPRINT = "qr-provider"


def create(central: Central, kiosk_id: str, raw: object) -> tuple[int, dict[str, Any]]:
    request = wire.qr_order(
        raw, kiosk_id=kiosk_id, max_amount_fen=central.config.payments.max_amount_fen
    )
    now = central.now()
    with db.write(central.engine) as conn:
        account = find_account(conn, request.account_no)
        order_id = secrets.token_urlsafe(18)
        created = conn.execute(
            db.insert_ignoring_conflict(
                conn,
                qr_orders,
                {
                    "order_id": order_id,
                    "kiosk_id": kiosk_id,
                    "txn_id": request.txn_id,
                    "account_id": account.id,
                    "amount_fen": request.amount_fen,
                    "fingerprint": request.fingerprint,
                    "status": QrStatus.PENDING.value,
                    "created_at": now,
                    "expires_at": now + timedelta(seconds=central.config.payments.qr_order_ttl_s),
                },
                ["kiosk_id", "txn_id"],
            ).returning(qr_orders.c.order_id)
        ).scalar_one_or_none()
        row = conn.execute(
            select(qr_orders).where(
                qr_orders.c.kiosk_id == kiosk_id, qr_orders.c.txn_id == request.txn_id
            )
        ).one()
    if created is None and row.fingerprint != request.fingerprint:
        raise ApiError(422, "idempotency_key_reused", txn_id=request.txn_id)
    answer = {
        "order_id": row.order_id,
        "qr_payload": central.wallet_url(row.order_id),
        "expires_at": row.expires_at.isoformat(),
    }
    return (201 if created else 200), answer


def status(central: Central, kiosk_id: str, order_id: str) -> dict[str, Any]:
    _check_order_id(order_id)
    with db.write(central.engine) as conn:
        order = _expired_if_due(conn, central, _own_order(conn, kiosk_id, order_id))
        answer: dict[str, Any] = {
            "order_id": order.order_id,
            "status": order.status,
            "expires_at": order.expires_at.isoformat(),
            "payment": None,
        }
        if order.payment_id is not None:
            stored = conn.execute(
                select(payments.c.answer).where(payments.c.id == order.payment_id)
            ).scalar_one()
            answer["payment"] = json.loads(stored)
    return answer


def cancel(central: Central, kiosk_id: str, order_id: str) -> dict[str, Any]:
    """Cancel a pending order; an order already paid or expired keeps (and reports) its status."""
    _check_order_id(order_id)
    with db.write(central.engine) as conn:
        order = _expired_if_due(conn, central, _own_order(conn, kiosk_id, order_id, lock=True))
        if order.status == QrStatus.PENDING.value:
            conn.execute(
                update(qr_orders)
                .where(qr_orders.c.order_id == order_id)
                .values(status=QrStatus.CANCELLED.value, settled_at=central.now())
            )
            return {"order_id": order_id, "status": QrStatus.CANCELLED.value}
    return {"order_id": order_id, "status": order.status}


def lock_order_for_payment(
    conn: Connection, central: Central, kiosk_id: str, request: wire.PaymentRequest
) -> None:
    """A kiosk posts a QR payment: its order must be this kiosk's, this txn's and this amount's."""
    assert request.qr_order_id is not None
    order = _expired_if_due(
        conn, central, _own_order(conn, kiosk_id, request.qr_order_id, lock=True)
    )
    if order.txn_id != request.txn_id:
        raise InvalidRequest("qr_order_id", "belongs to another transaction")
    if order.amount_fen != request.amount_fen:
        raise InvalidRequest("amount_fen", f"the QR order is for {order.amount_fen} fen")
    account_no = conn.execute(
        select(accounts.c.account_no).where(accounts.c.id == order.account_id)
    ).scalar_one()
    if account_no != request.account_no:
        raise InvalidRequest("account_no", "the QR order is for another account")


@dataclass(frozen=True)
class WalletView:
    order_id: str
    status: str
    amount_fen: int
    holder: str
    account_no: str
    expires_at: datetime
    server_ref: str | None


def wallet_view(central: Central, order_id: str) -> WalletView:
    with db.write(central.engine) as conn:
        order = _expired_if_due(conn, central, _any_order(conn, order_id))
        return _view(conn, order)


def wallet_pay(central: Central, order_id: str) -> WalletView:
    """The payer pressed Pay: settle the order (once), as a payment provider would."""
    with db.write(central.engine) as conn:
        order = _expired_if_due(conn, central, _any_order(conn, order_id, lock=True))
        if order.status == QrStatus.PENDING.value:
            order = _settle(conn, central, order)
        return _view(conn, order)


def _settle(conn: Connection, central: Central, order: Row[Any]) -> Row[Any]:
    now = central.now()
    account = lock_account(conn, order.account_id)  # lock order: QR order, account, key
    claim = claim_payment(
        conn,
        central,
        kiosk_id=order.kiosk_id,
        txn_id=order.txn_id,
        account=account,
        amount_fen=order.amount_fen,
        pay_date=central.local_date(now),
        columns={
            "fingerprint": PROVIDER_FINGERPRINT,
            "origin": Origin.QR_PROVIDER.value,
            "method": Method.QR.value,
            "created_at": now,
            "received_at": now,
            "offline": False,
            "qr_order_id": order.order_id,
        },
    )
    credit, payment_id = claim.credit, claim.payment_id
    if payment_id is None:
        # The kiosk already posted another payment under this txn id: never credit twice.
        log.error("QR order %s: txn %s already has a payment", order.order_id, order.txn_id)
        raise ApiError(409, "txn_already_paid", txn_id=order.txn_id)
    record(conn, credit, payment_id=payment_id, cash={}, now=now)
    conn.execute(
        update(qr_orders)
        .where(qr_orders.c.order_id == order.order_id)
        .values(status=QrStatus.PAID.value, settled_at=now, payment_id=payment_id)
    )
    log.info("QR order %s paid: txn %s, %d fen", order.order_id, order.txn_id, order.amount_fen)
    return conn.execute(select(qr_orders).where(qr_orders.c.order_id == order.order_id)).one()


def _view(conn: Connection, order: Row[Any]) -> WalletView:
    account = conn.execute(select(accounts).where(accounts.c.id == order.account_id)).one()
    ref = None
    if order.payment_id is not None:
        ref = conn.execute(
            select(payments.c.answer).where(payments.c.id == order.payment_id)
        ).scalar_one()
        ref = json.loads(ref)["server_ref"]
    return WalletView(
        order_id=order.order_id,
        status=order.status,
        amount_fen=order.amount_fen,
        holder=mask_name(account.holder),
        account_no=account.account_no,
        expires_at=order.expires_at,
        server_ref=ref,
    )


def _check_order_id(order_id: str) -> None:
    if not wire.ORDER_ID.match(order_id):
        raise InvalidRequest("order_id", "is not an order id")


def _own_order(conn: Connection, kiosk_id: str, order_id: str, *, lock: bool = False) -> Row[Any]:
    order = _any_order(conn, order_id, lock=lock)
    if order.kiosk_id != kiosk_id:
        raise ApiError(404, "qr_order_not_found", order_id=order_id)
    return order


def _any_order(conn: Connection, order_id: str, *, lock: bool = False) -> Row[Any]:
    query = select(qr_orders).where(qr_orders.c.order_id == order_id)
    if lock:
        query = query.with_for_update()
    order = conn.execute(query).first()
    if order is None:
        raise ApiError(404, "qr_order_not_found", order_id=order_id)
    return order


def _expired_if_due(conn: Connection, central: Central, order: Row[Any]) -> Row[Any]:
    if order.status != QrStatus.PENDING.value or central.now() < order.expires_at:
        return order
    conn.execute(
        update(qr_orders)
        .where(qr_orders.c.order_id == order.order_id, qr_orders.c.status == QrStatus.PENDING.value)
        .values(status=QrStatus.EXPIRED.value, settled_at=central.now())
    )
    return conn.execute(select(qr_orders).where(qr_orders.c.order_id == order.order_id)).one()
