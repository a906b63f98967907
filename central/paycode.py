"""POST /v1/paycode-payments: the kiosk scanned the customer's payment code (付款码, micropay).

States (``PaycodeState``): a request claims its txn id as ``pending`` (one row per kiosk and
txn id; the same key with another body is 422), the provider is called outside any database
transaction, and its answer settles the row: ``paid`` (the ledger credit is written in the
same transaction that marks it paid), ``userpaying`` (the customer must confirm on the
phone; every GET queries the provider, whose answer is the truth), or ``failed`` with a
reason. A provider that times out is queried before anyone is answered; a trade the provider
does not know yet stays ``userpaying`` on the wire, so the kiosk polls and then cancels.
A cancel asks the provider to reverse (撤销/冲正) and retries while it asks to; confirmed, the
row becomes ``reversed`` and a paid payment's credit is taken back (bills, balance, and a
``reversal`` ledger entry). Unconfirmed, it stays ``reversing``: the kiosk calls cancel again.

The code is a bearer credential: it reaches the provider and nothing else; rows and logs
hold ``mask_code(code)`` and the idempotency fingerprint is an HMAC under server.secret_key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from central import db, invoices, wire
from central.accounts import find_account
from central.context import Central
from central.errors import ApiError, InvalidRequest
from central.paycode_format import Scheme, mask_code, scheme_of
from central.providers import (
    PaycodeProvider,
    ProviderError,
    ProviderTimeout,
    Trade,
    TradeStatus,
)
from central.providers.sandbox import SandboxProvider
from central.schema import (
    LedgerKind,
    Method,
    Origin,
    accounts,
    bills,
    ledger_entries,
    payment_allocations,
    payments,
)
from central.schema_paycode import PaycodeState, paycode_payments
from central.settlement import claim_payment, lock_account, record

log = logging.getLogger("central.paycode")

CREATED = 201
REPLAYED = 200
SUBJECT = "电费缴费 Electricity bill"
QUERY_ATTEMPTS = 3  # after a timeout, before answering the kiosk
REVERSE_ATTEMPTS = 5  # per cancel call; the kiosk calls cancel again while "reversing"
# Well past the kiosk's own deadline (60 s) and its cancel retries: nobody will finish it now.
ABANDONED_AFTER = timedelta(minutes=5)
SWEEP_BATCH = 100
_OPEN = (PaycodeState.PENDING.value, PaycodeState.USERPAYING.value)


@dataclass(frozen=True)
class PaycodeRequest:
    txn_id: str
    account_no: str
    amount_fen: int
    code: str
    scheme: Scheme
    created_at: datetime
    fingerprint: str


def provider_for(central: Central) -> PaycodeProvider:
    """The configured provider; the sandbox with ``demo_wallet = true``, else 503."""
    if not central.config.server.demo_wallet:
        raise ApiError(503, "paycode_unavailable", message="no payment-code provider is set up")
    return SandboxProvider(central.engine, central.now, central.config.server.zone)


def parse(central: Central, kiosk_id: str, raw: object, key: str | None) -> PaycodeRequest:
    fields = wire.Fields(raw)
    txn_id = fields.text("txn_id", max_len=48)
    own, _, seq = txn_id.rpartition("-")
    if own != kiosk_id or not wire.TXN_SEQ.match(seq):
        raise InvalidRequest(
            "txn_id", f"must be {kiosk_id}-NNNNNNNN (this kiosk's id and a sequence)"
        )
    fields.used.add("account_no")
    account_no = wire.account_no(fields.raw.get("account_no"))
    amount = fields.fen("amount_fen", positive=True, maximum=central.config.payments.max_amount_fen)
    fields.used.add("code")
    code = fields.raw.get("code")
    scheme = scheme_of(code)
    assert isinstance(code, str)
    created_at = fields.instant("created_at")
    assert created_at is not None
    if created_at > central.now() + timedelta(seconds=central.config.payments.clock_skew_s):
        raise InvalidRequest("created_at", "is in the future; check the kiosk's clock")
    fields.done()
    if key is None:
        raise InvalidRequest("Idempotency-Key", "send the header Idempotency-Key: <txn_id>")
    if key != txn_id:
        raise InvalidRequest("Idempotency-Key", "must equal the body's txn_id")
    canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    secret = central.config.server.secret_key.encode()
    return PaycodeRequest(
        txn_id=txn_id,
        account_no=account_no,
        amount_fen=amount,
        code=code,
        scheme=scheme,
        created_at=created_at,
        fingerprint=hmac.new(secret, canonical.encode(), hashlib.sha256).hexdigest(),
    )


def post(
    central: Central, kiosk_id: str, raw: object, key: str | None
) -> tuple[int, dict[str, Any]]:
    request = parse(central, kiosk_id, raw, key)
    provider = provider_for(central)
    now = central.now()
    with db.write(central.engine) as conn:
        account = find_account(conn, request.account_no)
        claimed = conn.execute(
            db.insert_ignoring_conflict(
                conn,
                paycode_payments,
                {
                    "kiosk_id": kiosk_id,
                    "txn_id": request.txn_id,
                    "fingerprint": request.fingerprint,
                    "account_id": account.id,
                    "amount_fen": request.amount_fen,
                    "code_masked": mask_code(request.code),
                    "scheme": request.scheme.value,
                    "provider": provider.name,
                    "state": PaycodeState.PENDING.value,
                    "created_at": request.created_at,
                    "received_at": now,
                    "updated_at": now,
                },
                ["kiosk_id", "txn_id"],
            ).returning(paycode_payments.c.id)
        ).scalar_one_or_none()
        row = _own(conn, kiosk_id, request.txn_id)
    if claimed is None and not hmac.compare_digest(row.fingerprint, request.fingerprint):
        log.warning("paycode %s: the same key with another body", request.txn_id)
        raise ApiError(422, "idempotency_key_reused", txn_id=request.txn_id)
    status = CREATED if claimed is not None else REPLAYED
    if row.state == PaycodeState.PENDING.value:
        # First call, or a retry of one whose answer was lost: the provider keys its trade
        # by our txn id, so paying again never charges twice.
        row = _settle(central, row, _pay(provider, request))
    elif row.state == PaycodeState.USERPAYING.value:
        row = _settle(central, row, _query(provider, request.txn_id))
    return status, _answer(central, row)


def status(central: Central, kiosk_id: str, txn_id: str) -> dict[str, Any]:
    _check_txn_id(txn_id)
    with db.read(central.engine) as conn:
        row = _own(conn, kiosk_id, txn_id)
    if row.state in _OPEN:
        row = _settle(central, row, _query(provider_for(central), txn_id))
    return _answer(central, row)


def cancel(central: Central, kiosk_id: str, txn_id: str) -> dict[str, Any]:
    """Reverse with the provider (retrying while it asks to); a failed payment is left as is."""
    _check_txn_id(txn_id)
    provider = provider_for(central)
    with db.write(central.engine) as conn:
        row = _own(conn, kiosk_id, txn_id, lock=True)
        if row.state in (PaycodeState.FAILED.value, PaycodeState.REVERSED.value):
            return _answer(central, row)
        if row.payment_id is not None:
            _check_can_take_back(conn, row)
        conn.execute(
            update(paycode_payments)
            .where(paycode_payments.c.id == row.id)
            .values(state=PaycodeState.REVERSING.value, updated_at=central.now())
        )
    confirmed = False
    for attempt in range(1, REVERSE_ATTEMPTS + 1):
        try:
            reversal = provider.reverse(txn_id)
        except ProviderError as exc:
            log.warning("paycode %s: reversal attempt %d: %s", txn_id, attempt, exc)
            continue
        if reversal.confirmed:
            confirmed = True
            break
    with db.write(central.engine) as conn:
        row = _own(conn, kiosk_id, txn_id, lock=True)
        if confirmed and row.state == PaycodeState.REVERSING.value:
            now = central.now()
            if row.payment_id is not None:
                _take_back(conn, row, now)
            conn.execute(
                update(paycode_payments)
                .where(paycode_payments.c.id == row.id)
                .values(state=PaycodeState.REVERSED.value, reversed_at=now, updated_at=now)
            )
            log.info("paycode %s reversed (%s)", txn_id, row.code_masked)
            row = _own(conn, kiosk_id, txn_id)
        elif not confirmed:
            log.error("paycode %s: the provider has not confirmed the reversal yet", txn_id)
    return _answer(central, row)


def sweep_abandoned(central: Central) -> int:
    """Finish the payments no kiosk finished; return how many reached an end state.

    A kiosk that died, was unplugged for good or lost its journal never cancels its
    ``userpaying`` payment, and a ``reversing`` one waits for a cancel that may not come: the
    customer's money would hang at the provider. Each is first asked about (a customer may
    have confirmed at the last moment: then it is paid and credited), and reversed if still
    open. A kiosk that comes back later finds the end state through GET or cancel.
    """
    cutoff = central.now() - ABANDONED_AFTER
    waiting = (*_OPEN, PaycodeState.REVERSING.value)
    with db.read(central.engine) as conn:
        rows = conn.execute(
            select(paycode_payments.c.kiosk_id, paycode_payments.c.txn_id)
            .where(paycode_payments.c.state.in_(waiting), paycode_payments.c.updated_at < cutoff)
            .order_by(paycode_payments.c.id)
            .limit(SWEEP_BATCH)
        ).all()
    ended = 0
    for row in rows:
        try:
            answer = status(central, row.kiosk_id, row.txn_id)
            if answer["status"] in (PaycodeState.USERPAYING.value, PaycodeState.REVERSING.value):
                log.warning(
                    "paycode %s: abandoned by kiosk %s; reversing", row.txn_id, row.kiosk_id
                )
                answer = cancel(central, row.kiosk_id, row.txn_id)
        except ApiError as exc:  # e.g. the credit is spent: an operator decides, the rest go on
            log.error("paycode %s: abandoned, cannot be finished: %s", row.txn_id, exc)
            continue
        if answer["status"] not in waiting:
            ended += 1
    return ended


def _pay(provider: PaycodeProvider, request: PaycodeRequest) -> Trade | None:
    """The provider's answer; after a timeout or failure, what a query says (None: unknown)."""
    try:
        return provider.pay(request.txn_id, request.code, request.amount_fen, SUBJECT)
    except ProviderTimeout as exc:
        log.warning("paycode %s: %s; querying", request.txn_id, exc)
    except ProviderError as exc:
        log.warning("paycode %s: pay failed: %s; querying", request.txn_id, exc)
    return _query(provider, request.txn_id)


def _query(provider: PaycodeProvider, txn_id: str) -> Trade | None:
    for attempt in range(1, QUERY_ATTEMPTS + 1):
        try:
            return provider.query(txn_id)
        except ProviderError as exc:
            log.warning("paycode %s: query attempt %d: %s", txn_id, attempt, exc)
    return None


def _settle(central: Central, row: Row[Any], trade: Trade | None) -> Row[Any]:
    """Apply the provider's answer to an open row, once (the row is locked)."""
    with db.write(central.engine) as conn:
        row = _own(conn, row.kiosk_id, row.txn_id, lock=True)
        if row.state not in _OPEN or trade is None:
            return row
        now = central.now()
        values: dict[str, Any] = {"updated_at": now, "provider_ref": trade.provider_ref}
        if trade.status is TradeStatus.PAID:
            if trade.amount_fen != row.amount_fen:
                log.error("paycode %s: the provider charged %d fen", row.txn_id, trade.amount_fen)
            paid_at = trade.paid_at or now
            values.update(state=PaycodeState.PAID.value, paid_at=paid_at)
            values.update(_credit(conn, central, row, paid_at))
            log.info("paycode %s paid: %d fen (%s)", row.txn_id, row.amount_fen, row.code_masked)
        elif trade.status is TradeStatus.USERPAYING:
            values.update(state=PaycodeState.USERPAYING.value)
        elif trade.status is TradeStatus.FAILED:
            reason = trade.reason.value if trade.reason else "declined"
            values.update(state=PaycodeState.FAILED.value, reason=reason)
            log.info("paycode %s failed: %s (%s)", row.txn_id, reason, row.code_masked)
        elif trade.status is TradeStatus.REVERSED:
            values.update(state=PaycodeState.REVERSED.value, reversed_at=now)
        else:  # NOT_FOUND: the pay call never reached the provider; the kiosk polls, cancels
            values.update(state=PaycodeState.USERPAYING.value)
        conn.execute(
            update(paycode_payments).where(paycode_payments.c.id == row.id).values(**values)
        )
        return _own(conn, row.kiosk_id, row.txn_id)


def _credit(conn: Connection, central: Central, row: Row[Any], paid_at: datetime) -> dict[str, Any]:
    """The payment row and its ledger credit; returns the paycode row's new columns."""
    now = central.now()
    account = lock_account(conn, row.account_id)  # lock order: paycode row, account, bills, key
    claim = claim_payment(
        conn,
        central,
        kiosk_id=row.kiosk_id,
        txn_id=row.txn_id,
        account=account,
        amount_fen=row.amount_fen,
        pay_date=central.local_date(paid_at),
        columns={
            "fingerprint": row.fingerprint,
            "origin": Origin.KIOSK.value,
            "method": Method.PAYCODE.value,
            "created_at": row.created_at,
            "received_at": now,
            "offline": False,
        },
    )
    credit, payment_id = claim.credit, claim.payment_id
    if payment_id is None:
        # Another payment already holds this txn id: never credit twice. The provider's
        # money is then seen by reconcile-provider (paid at the provider, not in the ledger).
        log.error("paycode %s: the txn id already has a payment", row.txn_id)
        raise ApiError(409, "txn_already_paid", txn_id=row.txn_id)
    before = {
        str(share.bill_id): [
            _iso(credit.bills[share.bill_id].fee_from),
            credit.bills[share.bill_id].fee_carried_fen,
        ]
        for share in credit.allocation.shares
    }
    record(conn, credit, payment_id=payment_id, cash={}, now=now)
    return {"payment_id": payment_id, "bills_before": json.dumps(before)}


def _check_can_take_back(conn: Connection, row: Row[Any]) -> None:
    answer = _payment_answer(conn, row.payment_id)
    balance = conn.execute(
        select(accounts.c.balance_fen).where(accounts.c.id == row.account_id)
    ).scalar_one()
    if balance < answer["credited_to_balance_fen"]:
        raise ApiError(
            409,
            "reversal_not_possible",
            message="the account has spent the balance this payment added; see an operator",
        )


def _take_back(conn: Connection, row: Row[Any], now: datetime) -> None:
    """Undo a paid payment's credit: bills as they were, the balance, a reversal entry."""
    account = lock_account(conn, row.account_id)
    answer = _payment_answer(conn, row.payment_id)
    before: dict[str, list[Any]] = json.loads(row.bills_before or "{}")
    for share in conn.execute(
        select(payment_allocations).where(payment_allocations.c.payment_id == row.payment_id)
    ):
        fee_from, carried = before.get(str(share.bill_id), [None, 0])
        conn.execute(
            update(bills)
            .where(bills.c.id == share.bill_id)
            .values(
                paid_fen=bills.c.paid_fen - share.principal_fen,
                late_fee_paid_fen=bills.c.late_fee_paid_fen - share.late_fee_fen,
                fee_from=date.fromisoformat(fee_from) if fee_from else None,
                fee_carried_fen=carried,
            )
        )
    to_balance = int(answer["credited_to_balance_fen"])
    if to_balance:
        conn.execute(
            update(accounts)
            .where(accounts.c.id == account.id)
            .values(balance_fen=accounts.c.balance_fen - to_balance)
        )
    conn.execute(
        insert(ledger_entries).values(
            account_id=account.id,
            payment_id=row.payment_id,
            bill_id=None,
            kind=LedgerKind.REVERSAL.value,
            amount_fen=row.amount_fen,
            created_at=now,
        )
    )


def _answer(central: Central, row: Row[Any]) -> dict[str, Any]:
    state = PaycodeState(row.state)
    wire_status = "userpaying" if state is PaycodeState.PENDING else state.value
    answer: dict[str, Any] = {
        "txn_id": row.txn_id,
        "status": wire_status,
        "amount_fen": row.amount_fen,
        "code": row.code_masked,
        "scheme": row.scheme,
    }
    if row.payment_id is not None:
        with db.read(central.engine) as conn:
            posted = _payment_answer(conn, row.payment_id)
        posted.pop("status", None)
        answer.update(posted)
        answer["invoice_url"] = invoices.invoice_url(central, row.txn_id)
        answer["paid_at"] = row.paid_at.isoformat() if row.paid_at else None
    if state is PaycodeState.FAILED:
        answer["reason"] = row.reason
    if state is PaycodeState.REVERSED:
        answer["reversed_at"] = row.reversed_at.isoformat() if row.reversed_at else None
        answer["credit_taken_back"] = row.payment_id is not None
    return answer


def _payment_answer(conn: Connection, payment_id: int) -> dict[str, Any]:
    stored = conn.execute(select(payments.c.answer).where(payments.c.id == payment_id)).scalar_one()
    answer: dict[str, Any] = json.loads(stored)
    return answer


def _own(conn: Connection, kiosk_id: str, txn_id: str, *, lock: bool = False) -> Row[Any]:
    query = select(paycode_payments).where(
        paycode_payments.c.kiosk_id == kiosk_id, paycode_payments.c.txn_id == txn_id
    )
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise ApiError(404, "paycode_payment_not_found", txn_id=txn_id)
    return row


def _check_txn_id(txn_id: str) -> None:
    own, _, seq = txn_id.rpartition("-")
    if not own or len(txn_id) > 48 or not wire.TXN_SEQ.match(seq):
        raise InvalidRequest("txn_id", "is not a txn id (KIOSK-NNNNNNNN)")


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None
