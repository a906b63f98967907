"""Derived state of the journal: what each event kind does to the current-state tables.

This is the only place that writes these tables, always inside the database transaction
that appends the event, so ``Journal.rebuild`` reproduces them exactly from the events.
"""

from __future__ import annotations

import enum
import json
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    delete,
    insert,
    select,
    update,
)

from kiosk.events import (
    Entry,
    Escrow,
    Kind,
    NeedsAttention,
    Opened,
    Posted,
    QrOrder,
    Queued,
    ReceiptFailed,
    ReceiptPrinted,
    Resolved,
    Stacked,
    Suspect,
)
from kiosk.journal import Event

__all__ = ["Kind"]  # where the kinds were before kiosk/events.py; callers import them here

metadata = MetaData()


class TxnState(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


class OutboxState(enum.StrEnum):
    NONE = "none"
    PENDING = "pending"
    POSTED = "posted"
    NEEDS_ATTENTION = "needs_attention"


transactions = Table(
    "transactions",
    metadata,
    Column("txn_id", String(64), primary_key=True),
    Column("opened_seq", Integer, nullable=False),
    Column("account_no", String(32), nullable=False),
    Column("holder", String(64), nullable=False, default=""),
    Column("method", String(8), nullable=False),
    Column("amount_due_fen", Integer, nullable=False, default=0),
    Column("target_fen", Integer, nullable=False, default=0),
    Column("created_at", String(40), nullable=False),
    Column("state", String(16), nullable=False),
    Column("cash_fen", Integer, nullable=False, default=0),
    Column("notes", Text, nullable=False, default="{}"),
    Column("pending_escrow_fen", Integer, nullable=False, default=0),
    Column("outbox", String(16), nullable=False, default=OutboxState.NONE.value),
    Column("server_ref", String(64)),
    Column("answer", Text),
    Column("closed_at", String(40)),
    Column("posted_at", String(40)),
    Column("receipt", String(16), nullable=False, default="none"),
    Column("receipt_text", Text),
    Column("qr_order_id", String(64)),
    Column("card_no", String(32)),
    Column("updated_seq", Integer, nullable=False),
)

outbox = Table(
    "outbox",
    metadata,
    Column("item_id", String(80), primary_key=True),
    Column("queued_seq", Integer, nullable=False, index=True),
    Column("endpoint", String(16), nullable=False),  # payments | resolutions | collections
    Column("txn_id", String(64)),
    Column("amount_fen", Integer, nullable=False, default=0),
    Column("body", Text, nullable=False),
    Column("queued_at", String(40), nullable=False),
    Column("state", String(16), nullable=False),
    Column("detail", Text),
)

suspects = Table(
    "suspects",
    metadata,
    Column("suspect_id", String(80), primary_key=True),
    Column("txn_id", String(64), nullable=False),
    Column("account_no", String(32), nullable=False),
    Column("denomination_fen", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("state", String(16), nullable=False),  # open | credited | not_received
    Column("resolved_by", String(64)),
    Column("resolution_reason", Text),
)

cashbox = Table(
    "cashbox",
    metadata,
    Column("denomination_fen", Integer, primary_key=True),
    Column("count", Integer, nullable=False),
)

counters = Table(
    "counters",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("value", Integer, nullable=False),
)


def reset(conn: Connection) -> None:
    for table in (transactions, outbox, suspects, cashbox, counters):
        conn.execute(delete(table))


_SELECT_COUNTER = select(counters.c.value).where(counters.c.name == bindparam("key"))
_UPDATE_COUNTER = update(counters).where(counters.c.name == bindparam("key"))


def counter(conn: Connection, name: str) -> int:
    """The current value of a persisted counter (0 when never set)."""
    value = conn.execute(_SELECT_COUNTER, {"key": name}).scalar()
    return int(value or 0)


def _set_counter_at_least(conn: Connection, name: str, value: int) -> None:
    current = conn.execute(_SELECT_COUNTER, {"key": name}).scalar()
    if current is None:
        conn.execute(insert(counters), {"name": name, "value": value})
    elif current < value:
        conn.execute(_UPDATE_COUNTER, {"key": name, "value": value})


def suspect_event(
    conn: Connection, kiosk_id: str, txn_id: str, denomination_fen: int, reason: str
) -> Entry:
    """A `suspect` event for a note nobody can vouch for, under a txn id of its own.

    Its own id (from the txn counter, inside the caller's commit) lets the technician's
    resolution be posted and credited on its own, apart from the payment's certain cash,
    which is posted at once under the payment's id.
    """
    seq = counter(conn, "txn_seq") + 1
    return Suspect(f"{kiosk_id}-{seq:08d}", seq, denomination_fen, reason).entry(txn_id)


# Built once with bound parameters: every append runs these, and building a statement with
# literal values costs more CPU than the fsynced commit itself (bench/journal.py).
_SELECT_TXN = select(transactions).where(transactions.c.txn_id == bindparam("key"))
_UPDATE_TXN = update(transactions).where(transactions.c.txn_id == bindparam("key"))
_SELECT_NOTES = select(cashbox.c.count).where(cashbox.c.denomination_fen == bindparam("key"))
_UPDATE_NOTES = update(cashbox).where(cashbox.c.denomination_fen == bindparam("key"))
_INSERT_NOTES = insert(cashbox)
_INSERT_TXN = insert(transactions)


def _txn(conn: Connection, txn_id: str | None) -> Any:
    if txn_id is None:
        raise ValueError("this event kind needs a txn_id")
    row = conn.execute(_SELECT_TXN, {"key": txn_id}).first()
    if row is None:
        raise ValueError(f"event for unknown transaction {txn_id}")
    return row


def _update_txn(conn: Connection, ev: Event, **values: Any) -> None:
    # the SET clause is the given columns; SQLAlchemy caches one compiled form per column set
    conn.execute(_UPDATE_TXN, {"key": ev.txn_id, "updated_seq": ev.seq, **values})


def _add_to_cashbox(conn: Connection, denomination: int, delta: int) -> None:
    current = conn.execute(_SELECT_NOTES, {"key": denomination}).scalar()
    if current is None:
        conn.execute(_INSERT_NOTES, {"denomination_fen": denomination, "count": delta})
    else:
        conn.execute(_UPDATE_NOTES, {"key": denomination, "count": current + delta})


def apply(conn: Connection, ev: Event) -> None:  # noqa: PLR0912, PLR0915 - a branch per kind
    p = ev.payload
    kind = Kind(ev.kind)
    if kind is Kind.OPENED:
        opened = Opened.read(p)
        conn.execute(
            _INSERT_TXN,
            {
                "txn_id": ev.txn_id,
                "opened_seq": ev.seq,
                "account_no": opened.account_no,
                "holder": opened.holder or "",
                "method": opened.method,
                "amount_due_fen": opened.amount_due_fen or 0,
                "target_fen": opened.target_fen or 0,
                "created_at": ev.at,
                "state": TxnState.OPEN.value,
                "cash_fen": 0,
                "notes": "{}",
                "pending_escrow_fen": 0,
                "outbox": OutboxState.NONE.value,
                "receipt": "none",
                "card_no": opened.card_no,
                # a payment code's masked form: the provider's reference for this payment
                "qr_order_id": opened.payment_ref,
                "updated_seq": ev.seq,
            },
        )
        _set_counter_at_least(conn, "txn_seq", opened.seq)
    elif kind is Kind.ESCROW:
        escrow = Escrow.read(p)
        _txn(conn, ev.txn_id)
        # A return decision leaves an earlier note's pending stack alone: only that note's own
        # outcome (stacked, returned, suspect) may settle it.
        if escrow.decision == "stack":
            _update_txn(conn, ev, pending_escrow_fen=escrow.denomination_fen)
    elif kind is Kind.STACKED:
        stacked = Stacked.read(p)
        row = _txn(conn, ev.txn_id)
        notes = json.loads(row.notes)
        key = str(stacked.denomination_fen)
        notes[key] = notes.get(key, 0) + 1
        _update_txn(
            conn,
            ev,
            cash_fen=row.cash_fen + stacked.denomination_fen,
            pending_escrow_fen=0,
            notes=json.dumps(notes, sort_keys=True),
        )
        _add_to_cashbox(conn, stacked.denomination_fen, 1)
    elif kind is Kind.RETURNED:
        _txn(conn, ev.txn_id)
        _update_txn(conn, ev, pending_escrow_fen=0)
    elif kind is Kind.CLOSED:
        _txn(conn, ev.txn_id)
        _update_txn(conn, ev, state=TxnState.CLOSED.value, closed_at=ev.at)
    elif kind is Kind.CANCELLED:
        _txn(conn, ev.txn_id)
        _update_txn(conn, ev, state=TxnState.CANCELLED.value, closed_at=ev.at, pending_escrow_fen=0)
    elif kind is Kind.CARD_REJECTED:
        _txn(conn, ev.txn_id)
        _update_txn(conn, ev, state=TxnState.REJECTED.value, closed_at=ev.at)
    elif kind is Kind.SUSPECT:
        suspect = Suspect.read(p)
        row = _txn(conn, ev.txn_id)
        conn.execute(
            insert(suspects).values(
                suspect_id=suspect.suspect_id,
                txn_id=ev.txn_id,
                account_no=row.account_no,
                denomination_fen=suspect.denomination_fen,
                reason=suspect.reason,
                created_at=ev.at,
                state="open",
            )
        )
        _update_txn(conn, ev, pending_escrow_fen=0)
        _set_counter_at_least(conn, "txn_seq", suspect.seq)
    elif kind is Kind.QUEUED:
        queued = Queued.read(p)
        row = {
            "queued_seq": ev.seq,
            "endpoint": queued.endpoint,
            "txn_id": ev.txn_id,
            "amount_fen": queued.amount_fen,
            "body": json.dumps(queued.body, sort_keys=True, ensure_ascii=False),
            "queued_at": ev.at,
            "state": OutboxState.PENDING.value,
            "detail": None,
        }
        if queued.requeue:  # the parked item goes back in line, where it now stands
            conn.execute(update(outbox).where(outbox.c.item_id == queued.item_id).values(**row))
        else:
            conn.execute(insert(outbox).values(item_id=queued.item_id, **row))
        if ev.txn_id is not None and queued.endpoint == "payments":
            _update_txn(conn, ev, outbox=OutboxState.PENDING.value)
    elif kind is Kind.POSTED:
        posted = Posted.read(p)
        if posted.item_id is not None:
            conn.execute(
                update(outbox)
                .where(outbox.c.item_id == posted.item_id)
                .values(state=OutboxState.POSTED.value, detail=None)
            )
        if ev.txn_id is not None and posted.endpoint == "payments":
            _update_txn(
                conn,
                ev,
                outbox=OutboxState.POSTED.value,
                server_ref=posted.server_ref,
                answer=json.dumps(posted.answer, ensure_ascii=False),
                posted_at=ev.at,
            )
    elif kind is Kind.NEEDS_ATTENTION:
        parked = NeedsAttention.read(p)
        if parked.item_id is not None:
            conn.execute(
                update(outbox)
                .where(outbox.c.item_id == parked.item_id)
                .values(
                    state=OutboxState.NEEDS_ATTENTION.value,
                    detail=json.dumps(p, ensure_ascii=False),  # the payload as stored
                )
            )
        if ev.txn_id is not None and parked.endpoint == "payments":
            _update_txn(conn, ev, outbox=OutboxState.NEEDS_ATTENTION.value)
    elif kind is Kind.RECEIPT_PRINTED:
        _txn(conn, ev.txn_id)
        _update_txn(conn, ev, receipt="printed", receipt_text=ReceiptPrinted.read(p).text)
    elif kind is Kind.RECEIPT_FAILED:
        _txn(conn, ev.txn_id)
        _update_txn(conn, ev, receipt="failed", receipt_text=ReceiptFailed.read(p).text)
    elif kind is Kind.QR_ORDER:
        _txn(conn, ev.txn_id)
        _update_txn(conn, ev, qr_order_id=QrOrder.read(p).order_id)
    elif kind is Kind.RESOLVED:
        resolved = Resolved.read(p)
        conn.execute(
            update(suspects)
            .where(suspects.c.suspect_id == resolved.suspect_id)
            .values(state=resolved.outcome, resolved_by=ev.actor, resolution_reason=resolved.reason)
        )
        if resolved.outcome == "credited":
            _add_to_cashbox(conn, resolved.denomination_fen, 1)
    elif kind is Kind.COLLECTION:
        conn.execute(update(cashbox).values(count=0))
    # QR_CLOSED, AUDIT and STARTED change no derived state.
