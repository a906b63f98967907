"""POST /v1/payments and /v1/payments/batch: validation, idempotency, cards, settlement.

Idempotency: the unique constraint on payments (kiosk_id, txn_id) decides. The row is claimed
with INSERT ... ON CONFLICT DO NOTHING in the same transaction that credits the account, so
exactly one request ever credits a txn id. A request that finds the key taken gets the stored
answer (200) when its body's fingerprint matches, 422 idempotency_key_reused when it does not.
A request that waits on a concurrent one holding the key past ``in_progress_wait_ms`` gets 409
in_progress (PostgreSQL's lock_timeout). Rows created by the QR provider or by a technician's
resolution have no kiosk body to compare: a kiosk's later post of the same txn id is replayed
when its account, amount and method (and QR order) agree.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import Any

from sqlalchemy import Connection, case, select, update

from central import auth, db, wire
from central.accounts import find_account
from central.context import Central
from central.crypto import verify_pin
from central.errors import ApiError, InvalidRequest
from central.qr import lock_order_for_payment
from central.schema import Method, Origin, cards, payments
from central.settlement import claim_payment, record

log = logging.getLogger("central.payments")

CREATED = 201
REPLAYED = 200


class _WrongPin(Exception):
    def __init__(self, card_no: str) -> None:
        self.card_no = card_no


def post_payment(
    central: Central, call: auth.Call, idempotency_key: str | None
) -> tuple[int, dict[str, Any]]:
    """The hot path: the call is verified (nonce included) in the payment's own transaction."""
    try:
        request = _validated(central, call.kiosk_id, wire.parse_json(call.body))
        if idempotency_key is None:
            raise InvalidRequest("Idempotency-Key", "send the header Idempotency-Key: <txn_id>")
        if idempotency_key != request.txn_id:
            raise InvalidRequest("Idempotency-Key", "must equal the body's txn_id")
    except InvalidRequest:
        auth.confirm(central, call)  # an unsigned caller learns nothing from a 400: 401 first
        raise
    try:
        return apply(central, call.kiosk_id, request, call=call)
    finally:
        auth.housekeeping(central)


def post_batch(central: Central, kiosk_id: str, raw: object) -> dict[str, Any]:
    """Each payment in its own transaction; one result per payment, in order."""
    results = []
    for index, item in enumerate(
        wire.batch_items(raw, max_batch=central.config.payments.max_batch)
    ):
        txn_id = item.get("txn_id") if isinstance(item, dict) else None
        try:
            status, body = apply(central, kiosk_id, _validated(central, kiosk_id, item, index))
        except ApiError as exc:
            status, body = exc.status, exc.body()
        results.append(
            {
                "txn_id": txn_id if isinstance(txn_id, str) else None,
                "http_status": status,
                "body": body,
            }
        )
    return {"results": results}


def _validated(
    central: Central, kiosk_id: str, raw: object, index: int | None = None
) -> wire.PaymentRequest:
    try:
        return wire.payment(
            raw,
            kiosk_id=kiosk_id,
            max_amount_fen=central.config.payments.max_amount_fen,
            now=central.now(),
            skew_s=central.config.payments.clock_skew_s,
        )
    except InvalidRequest as exc:
        if index is not None:
            field = exc.detail["field"]
            exc.detail["field"] = f"payments[{index}]" + ("" if field == "body" else f".{field}")
        raise


def apply(
    central: Central, kiosk_id: str, request: wire.PaymentRequest, *, call: auth.Call | None = None
) -> tuple[int, dict[str, Any]]:
    """Apply one payment in one transaction; with ``call``, verify the signed call in it too."""
    verified = False
    try:
        with db.write(central.engine) as conn:
            if call is not None:
                auth.verify(conn, central, call)
                verified = True
            return _apply(conn, central, kiosk_id, request)
    except _WrongPin as wrong:
        raise _count_wrong_pin(central, wrong.card_no, call) from None
    except ApiError:
        if verified and call is not None:
            auth.remember(central, call)  # the refusal rolled the nonce back: keep it
        raise


def _apply(
    conn: Connection, central: Central, kiosk_id: str, request: wire.PaymentRequest
) -> tuple[int, dict[str, Any]]:
    if request.method is Method.QR:  # lock order: QR order, account, key (settlement.py)
        lock_order_for_payment(conn, central, kiosk_id, request)
    account = find_account(conn, request.account_no, lock=True)
    if request.method is Method.CARD and request.amount_fen == wire.CARD_FACE_VALUE:
        request = dataclasses.replace(request, amount_fen=_card_face_fen(conn, request))
    now = central.now()
    claim = claim_payment(
        conn,
        central,
        kiosk_id=kiosk_id,
        txn_id=request.txn_id,
        account=account,
        amount_fen=request.amount_fen,
        pay_date=central.local_date(request.created_at),
        columns={
            "fingerprint": request.fingerprint,
            "origin": Origin.KIOSK.value,
            "method": request.method.value,
            "created_at": request.created_at,
            "received_at": now,
            "offline": request.offline,
            "qr_order_id": request.qr_order_id,
            "card_no": request.card_no,
        },
    )
    credit, claimed = claim.credit, claim.payment_id
    if claimed is None:
        return REPLAYED, _replay(conn, kiosk_id, request, account.id)
    if request.method is Method.QR:
        raise ApiError(409, "qr_order_not_paid", qr_order_id=request.qr_order_id)
    if request.method is Method.CARD:
        _use_card(conn, central, request, claimed)
    record(conn, credit, payment_id=claimed, cash=request.cash, now=now)
    answer = credit.answer
    log.info(
        "payment %s: %s %d fen to %s, %s",
        request.txn_id,
        request.method.value,
        request.amount_fen,
        request.account_no,
        answer["server_ref"],
    )
    return CREATED, answer


def _replay(
    conn: Connection, kiosk_id: str, request: wire.PaymentRequest, account_id: int
) -> dict[str, Any]:
    row = conn.execute(
        select(payments).where(payments.c.kiosk_id == kiosk_id, payments.c.txn_id == request.txn_id)
    ).one()
    if Origin(row.origin) is Origin.KIOSK:
        same = row.fingerprint == request.fingerprint
    else:
        same = (
            row.account_id == account_id
            and row.amount_fen == request.amount_fen
            and row.method == request.method.value
            and (request.method is not Method.QR or row.qr_order_id == request.qr_order_id)
        )
    if not same:
        log.warning("txn %s: the same key with another body", request.txn_id)
        raise ApiError(422, "idempotency_key_reused", txn_id=request.txn_id)
    assert row.answer is not None, "a payment row is claimed and answered in one transaction"
    answer: dict[str, Any] = json.loads(row.answer)
    return answer


def _card_face_fen(conn: Connection, request: wire.PaymentRequest) -> int:
    face = conn.execute(select(cards.c.face_fen).where(cards.c.card_no == request.card_no)).scalar()
    if face is None:
        raise ApiError(404, "card_not_found", field="card.card_no")
    return int(face)


def _use_card(
    conn: Connection, central: Central, request: wire.PaymentRequest, payment_id: int
) -> None:
    assert request.card_no is not None
    assert request.pin is not None
    card = conn.execute(
        select(cards).where(cards.c.card_no == request.card_no).with_for_update()
    ).first()
    if card is None:
        raise ApiError(404, "card_not_found", field="card.card_no")
    if card.locked:
        raise ApiError(423, "card_locked")
    if card.used_at is not None:
        raise ApiError(409, "card_used")
    if not verify_pin(central.config.server.secret_key, request.pin, card.pin_hash):
        raise _WrongPin(request.card_no)
    if request.amount_fen != card.face_fen:
        raise InvalidRequest(
            "amount_fen", f"the card is worth {card.face_fen} fen; amount_fen must equal it"
        )
    conn.execute(
        update(cards)
        .where(cards.c.card_no == request.card_no)
        .values(used_at=central.now(), used_by_payment_id=payment_id, failed_attempts=0)
    )


def _count_wrong_pin(central: Central, card_no: str, call: auth.Call | None) -> ApiError:
    """Record a wrong PIN (and the call's nonce) in their own transaction; 403 or 423."""
    limit = central.config.payments.card_max_pin_attempts
    with db.write(central.engine) as conn:
        if call is not None:
            auth.record_nonce(conn, call)  # so that a replayed wrong PIN cannot count twice
        row = conn.execute(
            update(cards)
            .where(cards.c.card_no == card_no, cards.c.locked.is_(False), cards.c.used_at.is_(None))
            .values(
                failed_attempts=cards.c.failed_attempts + 1,
                locked=case((cards.c.failed_attempts + 1 >= limit, True), else_=False),
            )
            .returning(cards.c.failed_attempts, cards.c.locked)
        ).first()
        if row is None:  # locked or used by a concurrent request meanwhile
            state = conn.execute(
                select(cards.c.locked).where(cards.c.card_no == card_no)
            ).scalar_one()
            return ApiError(423, "card_locked") if state else ApiError(409, "card_used")
    if row.locked:
        log.warning("card %s locked after %d wrong PINs", card_no[-4:], row.failed_attempts)
        return ApiError(423, "card_locked")
    return ApiError(403, "card_pin_invalid", attempts_left=limit - row.failed_attempts)
