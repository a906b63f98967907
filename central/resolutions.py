"""POST /v1/resolutions: a technician's verdict on a suspect cash transaction.

"credited" credits the account exactly like a cash payment under the same txn id, so the
payments table's unique key guarantees it is never credited twice: if the kiosk's outbox has
already posted that txn, the resolution is recorded and points at the existing payment; if the
outbox posts it later, the payment replays the resolution's answer. "not_received" only
records the verdict. Idempotency-Key is the txn id; retries replay, other bodies get 422.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import Connection, Row, select

from central import db, settlement, wire
from central.accounts import find_account
from central.context import Central
from central.errors import ApiError, InvalidRequest
from central.schema import Method, Origin, Outcome, payments, resolutions

log = logging.getLogger("central.resolutions")


def record(
    central: Central, kiosk_id: str, raw: object, idempotency_key: str | None
) -> tuple[int, dict[str, Any]]:
    request = wire.resolution(
        raw, kiosk_id=kiosk_id, max_amount_fen=central.config.payments.max_amount_fen
    )
    if idempotency_key != request.txn_id:
        raise InvalidRequest("Idempotency-Key", "send the header Idempotency-Key: <txn_id>")
    with db.write(central.engine) as conn:
        account = find_account(conn, request.account_no, lock=True)
        existing = conn.execute(
            select(resolutions.c.fingerprint, resolutions.c.answer).where(
                resolutions.c.kiosk_id == kiosk_id, resolutions.c.txn_id == request.txn_id
            )
        ).first()
        if existing is not None:
            if existing.fingerprint != request.fingerprint:
                raise ApiError(422, "idempotency_key_reused", txn_id=request.txn_id)
            stored: dict[str, Any] = json.loads(existing.answer)
            return 200, stored
        payment_id, payment_answer, already = _payment(conn, central, kiosk_id, request, account)
        answer: dict[str, Any] = {
            "txn_id": request.txn_id,
            "outcome": request.outcome.value,
            "status": "recorded",
            "already_posted": already,
            "payment": payment_answer,
        }
        inserted = conn.execute(
            db.insert_ignoring_conflict(
                conn,
                resolutions,
                {
                    "kiosk_id": kiosk_id,
                    "txn_id": request.txn_id,
                    "fingerprint": request.fingerprint,
                    "account_no": request.account_no,
                    "amount_fen": request.amount_fen,
                    "outcome": request.outcome.value,
                    "reason": request.reason,
                    "technician": request.technician,
                    "at": request.at,
                    "received_at": central.now(),
                    "payment_id": payment_id,
                    "answer": json.dumps(answer, ensure_ascii=False, separators=(",", ":")),
                },
                ["kiosk_id", "txn_id"],
            ).returning(resolutions.c.id)
        ).scalar_one_or_none()
        if inserted is None:  # a concurrent identical request won: let the client retry and replay
            raise ApiError(409, "in_progress", retry_after_s=1)
    log.info("resolution %s: %s by %s", request.txn_id, request.outcome.value, request.technician)
    return 201, answer


def _payment(
    conn: Connection,
    central: Central,
    kiosk_id: str,
    request: wire.ResolutionRequest,
    account: Row[Any],
) -> tuple[int | None, dict[str, Any] | None, bool]:
    """(payment id, its answer, whether it existed before) for this txn."""
    row = conn.execute(
        select(payments.c.id, payments.c.answer).where(
            payments.c.kiosk_id == kiosk_id, payments.c.txn_id == request.txn_id
        )
    ).first()
    if row is not None:
        return row.id, json.loads(row.answer), True
    if request.outcome is Outcome.NOT_RECEIVED:
        return None, None, False
    now = central.now()
    claim = settlement.claim_payment(
        conn,
        central,
        kiosk_id=kiosk_id,
        txn_id=request.txn_id,
        account=account,
        amount_fen=request.amount_fen,
        pay_date=central.local_date(request.created_at),
        columns={
            "fingerprint": request.fingerprint,
            "origin": Origin.RESOLUTION.value,
            "method": Method.CASH.value,
            "created_at": request.created_at,
            "received_at": now,
            "offline": True,
        },
    )
    if claim.payment_id is None:
        raise ApiError(409, "in_progress", retry_after_s=1)
    settlement.record(conn, claim.credit, payment_id=claim.payment_id, cash=request.cash, now=now)
    return claim.payment_id, claim.credit.answer, False
