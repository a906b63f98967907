"""Derived state of the journal: what each event kind does to the current-state tables.

This is the only place that writes these tables, always inside the database transaction
that appends the event, so ``Journal.rebuild`` reproduces them exactly from the events.
"""

from __future__ import annotations

import enum
import functools
import json
import sqlite3
from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
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
from kiosk.journal_event import Event

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


# Every append runs the statements below, so they are plain SQL on the sqlite3 connection
# under the SQLAlchemy one (same transaction), which keeps them prepared: executing them
# through SQLAlchemy cost about 0.1 ms per append, most of the journal's gap to a bare
# commit (bench/journal.py). The tables above stay the schema's description and the
# readers' API; a column added to one must be written here too (tests/kiosk/test_projection.py).
_SELECT_COUNTER_SQL = "SELECT value FROM counters WHERE name = ?"
# Raises a counter, never lowers it: a txn id allocated earlier may be journalled later.
_RAISE_COUNTER_SQL = (
    "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) "
    "DO UPDATE SET value = excluded.value WHERE excluded.value > counters.value"
)
_ADD_NOTES_SQL = (
    "INSERT INTO cashbox (denomination_fen, count) VALUES (?, ?) "
    "ON CONFLICT (denomination_fen) DO UPDATE SET count = count + excluded.count"
)
_INSERT_TXN_SQL = (
    "INSERT INTO transactions (txn_id, opened_seq, account_no, holder, method, amount_due_fen,"
    " target_fen, created_at, state, cash_fen, notes, pending_escrow_fen, outbox, receipt,"
    " card_no, qr_order_id, updated_seq)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', 0, '{}', 0, 'none', 'none', ?, ?, ?)"
)
_TXN_EXISTS_SQL = "SELECT 1 FROM transactions WHERE txn_id = ?"
_TXN_CASH_SQL = "SELECT cash_fen, notes FROM transactions WHERE txn_id = ?"
_TXN_ACCOUNT_SQL = "SELECT account_no FROM transactions WHERE txn_id = ?"
_INSERT_SUSPECT_SQL = (
    "INSERT INTO suspects (suspect_id, txn_id, account_no, denomination_fen, reason,"
    " created_at, state) VALUES (?, ?, ?, ?, ?, ?, 'open')"
)
_RESOLVE_SUSPECT_SQL = (
    "UPDATE suspects SET state = ?, resolved_by = ?, resolution_reason = ? WHERE suspect_id = ?"
)
_QUEUE_SQL = (
    "INSERT INTO outbox (queued_seq, endpoint, txn_id, amount_fen, body, queued_at, state,"
    " detail, item_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_REQUEUE_SQL = (
    "UPDATE outbox SET queued_seq = ?, endpoint = ?, txn_id = ?, amount_fen = ?, body = ?,"
    " queued_at = ?, state = ?, detail = ? WHERE item_id = ?"
)
_OUTBOX_STATE_SQL = "UPDATE outbox SET state = ?, detail = ? WHERE item_id = ?"
_EMPTY_CASHBOX_SQL = "UPDATE cashbox SET count = 0"
# json.dumps with options builds an encoder per call; these are built once, same output.
_NOTES_JSON = json.JSONEncoder(sort_keys=True)
_BODY_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False)
_TEXT_JSON = json.JSONEncoder(ensure_ascii=False)


def _db(conn: Connection) -> sqlite3.Connection:
    """The sqlite3 connection under ``conn``: its statements join ``conn``'s transaction."""
    return cast(sqlite3.Connection, conn.connection.driver_connection)


def counter(conn: Connection, name: str) -> int:
    """The current value of a persisted counter (0 when never set)."""
    row = _db(conn).execute(_SELECT_COUNTER_SQL, (name,)).fetchone()
    return int(row[0] or 0) if row else 0


def _set_counter_at_least(db: sqlite3.Connection, name: str, value: int) -> None:
    db.execute(_RAISE_COUNTER_SQL, (name, value))


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


Handler = Callable[[sqlite3.Connection, Event], None]


def _txn_id(ev: Event) -> str:
    if ev.txn_id is None:
        raise ValueError("this event kind needs a txn_id")
    return ev.txn_id


def _unknown(ev: Event) -> ValueError:
    return ValueError(f"event for unknown transaction {ev.txn_id}")


def _txn(db: sqlite3.Connection, ev: Event, sql: str = _TXN_EXISTS_SQL) -> tuple[Any, ...]:
    """The columns ``sql`` selects of the event's transaction, which must exist."""
    row = db.execute(sql, (_txn_id(ev),)).fetchone()
    if row is None:
        raise _unknown(ev)
    return cast(tuple[Any, ...], row)


@functools.cache
def _update_txn_sql(columns: tuple[str, ...]) -> str:
    sets = "".join(f"{transactions.c[name].name} = ?, " for name in columns)  # known columns
    return f"UPDATE transactions SET {sets}updated_seq = ? WHERE txn_id = ?"  # noqa: S608


def _update_txn(db: sqlite3.Connection, ev: Event, **values: Any) -> int:
    """Set ``values`` on the event's transaction; how many rows that changed (0 or 1)."""
    sql = _update_txn_sql(tuple(values))
    return db.execute(sql, (*values.values(), ev.seq, ev.txn_id)).rowcount


def _update_known_txn(db: sqlite3.Connection, ev: Event, **values: Any) -> None:
    """``_update_txn`` for a kind whose transaction must exist: one statement, not a read
    first (an UPDATE that finds no row changes nothing, and the event is refused)."""
    _txn_id(ev)
    if _update_txn(db, ev, **values) == 0:
        raise _unknown(ev)


def _add_to_cashbox(db: sqlite3.Connection, denomination: int, delta: int) -> None:
    db.execute(_ADD_NOTES_SQL, (denomination, delta))


def _opened(db: sqlite3.Connection, ev: Event) -> None:
    opened = Opened.read(ev.payload)
    db.execute(
        _INSERT_TXN_SQL,
        (
            ev.txn_id,
            ev.seq,
            opened.account_no,
            opened.holder or "",
            opened.method,
            opened.amount_due_fen or 0,
            opened.target_fen or 0,
            ev.at,
            opened.card_no,
            opened.payment_ref,  # a payment code's masked form: the provider's reference
            ev.seq,
        ),
    )
    _set_counter_at_least(db, "txn_seq", opened.seq)


def _escrow(db: sqlite3.Connection, ev: Event) -> None:
    escrow = Escrow.read(ev.payload)
    # A return decision leaves an earlier note's pending stack alone: only that note's own
    # outcome (stacked, returned, suspect) may settle it.
    if escrow.decision == "stack":
        _update_known_txn(db, ev, pending_escrow_fen=escrow.denomination_fen)
    else:
        _txn(db, ev)


def _stacked(db: sqlite3.Connection, ev: Event) -> None:
    stacked = Stacked.read(ev.payload)
    cash_fen, notes_text = _txn(db, ev, _TXN_CASH_SQL)
    notes = json.loads(notes_text)
    key = str(stacked.denomination_fen)
    notes[key] = notes.get(key, 0) + 1
    _update_txn(
        db,
        ev,
        cash_fen=cash_fen + stacked.denomination_fen,
        pending_escrow_fen=0,
        notes=_NOTES_JSON.encode(notes),
    )
    _add_to_cashbox(db, stacked.denomination_fen, 1)


def _suspect(db: sqlite3.Connection, ev: Event) -> None:
    suspect = Suspect.read(ev.payload)
    (account_no,) = _txn(db, ev, _TXN_ACCOUNT_SQL)
    db.execute(
        _INSERT_SUSPECT_SQL,
        (
            suspect.suspect_id,
            ev.txn_id,
            account_no,
            suspect.denomination_fen,
            suspect.reason,
            ev.at,
        ),
    )
    _update_txn(db, ev, pending_escrow_fen=0)
    _set_counter_at_least(db, "txn_seq", suspect.seq)


def _queued(db: sqlite3.Connection, ev: Event) -> None:
    queued = Queued.read(ev.payload)
    row = (
        ev.seq,
        queued.endpoint,
        ev.txn_id,
        queued.amount_fen,
        _BODY_JSON.encode(queued.body),
        ev.at,
        OutboxState.PENDING.value,
        None,
    )
    # A requeued item (parked, sent again) goes back in line, where it now stands.
    db.execute(_REQUEUE_SQL if queued.requeue else _QUEUE_SQL, (*row, queued.item_id))
    if ev.txn_id is not None and queued.endpoint == "payments":
        _update_txn(db, ev, outbox=OutboxState.PENDING.value)


def _posted(db: sqlite3.Connection, ev: Event) -> None:
    posted = Posted.read(ev.payload)
    if posted.item_id is not None:
        db.execute(_OUTBOX_STATE_SQL, (OutboxState.POSTED.value, None, posted.item_id))
    if ev.txn_id is not None and posted.endpoint == "payments":
        _update_txn(
            db,
            ev,
            outbox=OutboxState.POSTED.value,
            server_ref=posted.server_ref,
            answer=_TEXT_JSON.encode(posted.answer),
            posted_at=ev.at,
        )


def _needs_attention(db: sqlite3.Connection, ev: Event) -> None:
    parked = NeedsAttention.read(ev.payload)
    if parked.item_id is not None:
        detail = _TEXT_JSON.encode(ev.payload)  # the payload as stored
        db.execute(_OUTBOX_STATE_SQL, (OutboxState.NEEDS_ATTENTION.value, detail, parked.item_id))
    if ev.txn_id is not None and parked.endpoint == "payments":
        _update_txn(db, ev, outbox=OutboxState.NEEDS_ATTENTION.value)


def _resolved(db: sqlite3.Connection, ev: Event) -> None:
    resolved = Resolved.read(ev.payload)
    db.execute(
        _RESOLVE_SUSPECT_SQL,
        (resolved.outcome, ev.actor, resolved.reason, resolved.suspect_id),
    )
    if resolved.outcome == "credited":
        _add_to_cashbox(db, resolved.denomination_fen, 1)


def _settles(**values: Any) -> Handler:
    """A kind that sets fixed ``values`` on its transaction, which must exist."""
    return lambda db, ev: _update_known_txn(db, ev, **values)


def _ends(state: TxnState, **values: Any) -> Handler:
    """A kind that ends its transaction in ``state`` at the event's time."""
    return lambda db, ev: _update_known_txn(db, ev, state=state.value, closed_at=ev.at, **values)


def _receipt(outcome: str, read: Callable[[Any], Any]) -> Handler:
    return lambda db, ev: _update_known_txn(
        db, ev, receipt=outcome, receipt_text=read(ev.payload).text
    )


def _qr_order(db: sqlite3.Connection, ev: Event) -> None:
    _update_known_txn(db, ev, qr_order_id=QrOrder.read(ev.payload).order_id)


def _collection(db: sqlite3.Connection, _ev: Event) -> None:
    db.execute(_EMPTY_CASHBOX_SQL)  # the counts restart; the denominations stay


def _nothing(_db: sqlite3.Connection, _ev: Event) -> None:
    """QR_CLOSED, AUDIT and STARTED change no derived state."""


_APPLY: dict[str, Handler] = {
    Kind.OPENED: _opened,
    Kind.ESCROW: _escrow,
    Kind.STACKED: _stacked,
    Kind.RETURNED: _settles(pending_escrow_fen=0),
    Kind.CLOSED: _ends(TxnState.CLOSED),
    Kind.CANCELLED: _ends(TxnState.CANCELLED, pending_escrow_fen=0),
    Kind.CARD_REJECTED: _ends(TxnState.REJECTED),
    Kind.SUSPECT: _suspect,
    Kind.QUEUED: _queued,
    Kind.POSTED: _posted,
    Kind.NEEDS_ATTENTION: _needs_attention,
    Kind.RECEIPT_PRINTED: _receipt("printed", ReceiptPrinted.read),
    Kind.RECEIPT_FAILED: _receipt("failed", ReceiptFailed.read),
    Kind.QR_ORDER: _qr_order,
    Kind.RESOLVED: _resolved,
    Kind.COLLECTION: _collection,
    Kind.QR_CLOSED: _nothing,
    Kind.AUDIT: _nothing,
    Kind.STARTED: _nothing,
}


def apply(conn: Connection, ev: Event) -> None:
    """What ``ev`` does to the derived tables, in ``conn``'s transaction (a kind each)."""
    # A kind is a str enum: its text finds it in _APPLY; an unknown one is refused by Kind().
    handler = _APPLY.get(ev.kind) or _APPLY[Kind(ev.kind)]
    handler(_db(conn), ev)
