"""The projection's derived state for every event kind, pinned row by row.

The rows below were written by the projection as it was before its statements went to the
sqlite3 driver (commit 331780a); the scenario touches every branch of ``projection.apply``:
a stack and a return decision, a raised and a lower txn counter, a requeued item, a
credited and a refused suspect, a collection, and kinds that change nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any

import pytest

from kiosk import projection
from kiosk.journal import Journal, JournalError
from kiosk.projection import Kind


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    ticks = count()
    j = Journal(
        tmp_path / "journal.db", clock=lambda: f"2026-12-01T09:00:{next(ticks):02d}.000+00:00"
    )
    yield j
    j.close()


def cash_payment(j: Journal) -> None:
    t = "K1-00000001"
    j.append(
        Kind.OPENED,
        {
            "seq": 1,
            "method": "cash",
            "account_no": "3100000001",
            "holder": "王*明",
            "amount_due_fen": 12345,
            "target_fen": 15000,
        },
        txn_id=t,
    )
    j.append(
        Kind.ESCROW, {"denomination_fen": 10000, "decision": "stack", "reason": "ok"}, txn_id=t
    )
    j.append(Kind.STACKED, {"denomination_fen": 10000}, txn_id=t)
    j.append(Kind.ESCROW, {"denomination_fen": 5000, "decision": "stack", "reason": "ok"}, txn_id=t)
    j.append(Kind.ESCROW, {"denomination_fen": 2000, "decision": "return", "reason": "x"}, txn_id=t)
    j.append(Kind.STACKED, {"denomination_fen": 5000, "evidence": "count"}, txn_id=t)
    j.append(Kind.STACKED, {"denomination_fen": 10000}, txn_id=t)
    j.append(Kind.ESCROW, {"denomination_fen": 100, "decision": "stack", "reason": "ok"}, txn_id=t)
    j.append(Kind.RETURNED, {"denomination_fen": 100}, txn_id=t)
    j.append(
        Kind.CLOSED,
        {"total_fen": 25000, "reason": "customer_finished", "notes": {"10000": 2, "5000": 1}},
        txn_id=t,
    )
    body = {"txn_id": t, "amount_fen": 25000, "cash": {"10000": 2, "5000": 1}, "holder": "王*明"}
    j.append(
        Kind.QUEUED,
        {"item_id": t, "endpoint": "payments", "amount_fen": 25000, "body": body},
        txn_id=t,
    )
    j.append(Kind.RECEIPT_PRINTED, {"text": "收据\nK1-00000001"}, txn_id=t)
    j.append(
        Kind.POSTED,
        {
            "endpoint": "payments",
            "item_id": t,
            "server_ref": "R-1",
            "answer": {"balance_fen": 0, "名": "x"},
        },
        txn_id=t,
    )


def other_payments(j: Journal) -> None:
    q, c, r, p = "K1-00000003", "K1-00000002", "K1-00000004", "K1-00000005"
    j.append(Kind.OPENED, {"seq": 3, "method": "qr", "account_no": "3100000002"}, txn_id=q)
    j.append(
        Kind.OPENED,
        {
            "seq": 2,
            "method": "card",
            "account_no": "3100000003",
            "card_no": "6222********1234",
            "amount_due_fen": 500,
        },
        txn_id=c,
    )
    j.append(Kind.QR_ORDER, {"order_id": "Q-9", "payload": "qr://9"}, txn_id=q)
    j.append(Kind.QR_CLOSED, {"status": "expired"}, txn_id=q)
    j.append(Kind.CANCELLED, {"reason": "qr_expired"}, txn_id=q)
    j.append(Kind.CARD_REJECTED, {"code": "51", "attempts_left": None}, txn_id=c)
    j.append(Kind.RECEIPT_FAILED, {"text": "t", "reason": "paper"}, txn_id=c)
    j.append(
        Kind.OPENED,
        {
            "seq": 4,
            "method": "paycode",
            "account_no": "3100000004",
            "payment_ref": "28**********11",
            "provider": "w",
        },
        txn_id=r,
    )
    j.append(
        Kind.POSTED,
        {"endpoint": "payments", "via": "paycode", "server_ref": "R-4", "answer": None},
        txn_id=r,
    )
    j.append(
        Kind.NEEDS_ATTENTION,
        {"endpoint": "payments", "reason": "unknown", "error": "timeout"},
        txn_id=r,
    )
    j.append(Kind.OPENED, {"seq": 5, "method": "cash", "account_no": "", "stray": True}, txn_id=p)
    j.append(Kind.ESCROW, {"denomination_fen": 2000, "decision": "stack", "reason": "ok"}, txn_id=p)


def suspects_and_outbox(j: Journal) -> None:
    p = "K1-00000005"
    j.append_many(lambda conn: [projection.suspect_event(conn, "K1", p, 2000, "jam")])
    j.append_many(lambda conn: [projection.suspect_event(conn, "K1", p, 1000, "power")])
    j.append(
        Kind.QUEUED,
        {
            "item_id": "RES-1",
            "endpoint": "resolutions",
            "amount_fen": 2000,
            "body": {"suspect_id": "K1-00000006"},
        },
        txn_id="K1-00000006",
    )
    j.append(
        Kind.NEEDS_ATTENTION,
        {
            "item_id": "RES-1",
            "endpoint": "resolutions",
            "status": 409,
            "code": "dup",
            "detail": {"a": 1},
        },
        txn_id="K1-00000006",
    )
    j.append(
        Kind.QUEUED,
        {
            "item_id": "RES-1",
            "endpoint": "resolutions",
            "amount_fen": 2000,
            "body": {"suspect_id": "K1-00000006"},
            "requeue": True,
        },
        txn_id="K1-00000006",
    )
    j.append(
        Kind.RESOLVED,
        {
            "suspect_id": "K1-00000006",
            "outcome": "credited",
            "reason": "found",
            "denomination_fen": 2000,
        },
        actor="T01",
    )
    j.append(
        Kind.RESOLVED,
        {
            "suspect_id": "K1-00000007",
            "outcome": "not_received",
            "reason": "none",
            "denomination_fen": 1000,
        },
        actor="T02",
    )
    j.append(
        Kind.QUEUED,
        {"item_id": "PAY-X", "endpoint": "payments", "amount_fen": 1, "body": {}},
        txn_id="K9-UNKNOWN",
    )
    j.append(
        Kind.POSTED,
        {"endpoint": "payments", "item_id": "PAY-X", "server_ref": "R-X", "answer": []},
        txn_id="K9-UNKNOWN",
    )


def collection(j: Journal) -> None:
    j.append(Kind.COLLECTION, {"collection_id": "C1", "counts": {"10000": 2}})
    j.append(Kind.AUDIT, {"action": "door_opened"}, actor="T01")
    j.append(Kind.STARTED, {"recovered": []})
    j.append(
        Kind.OPENED, {"seq": 8, "method": "cash", "account_no": "3100000008"}, txn_id="K1-00000008"
    )
    j.append(Kind.STACKED, {"denomination_fen": 5000}, txn_id="K1-00000008")


def tables(j: Journal) -> dict[str, list[tuple[Any, ...]]]:
    return j.read(
        lambda c: {
            t.name: sorted(tuple(r) for r in c.execute(t.select()).all())
            for t in projection.metadata.sorted_tables
        }
    )


def test_every_kind_projects_the_pinned_rows(journal: Journal) -> None:
    for part in (cash_payment, other_payments, suspects_and_outbox, collection):
        part(journal)
    assert tables(journal) == EXPECTED
    journal.rebuild()
    assert tables(journal) == EXPECTED


def test_an_event_for_an_unknown_transaction_is_refused_and_changes_nothing(
    journal: Journal,
) -> None:
    cash_payment(journal)
    before, seq = tables(journal), journal.last_seq
    for kind, payload in (
        (Kind.ESCROW, {"denomination_fen": 100, "decision": "stack", "reason": "ok"}),
        (Kind.ESCROW, {"denomination_fen": 100, "decision": "return", "reason": "ok"}),
        (Kind.STACKED, {"denomination_fen": 100}),
        (Kind.CLOSED, {"total_fen": 0, "reason": "x"}),
        (Kind.QR_ORDER, {"order_id": "Q"}),
    ):
        with pytest.raises(JournalError, match="unknown transaction K9-NONE"):
            journal.append(kind, payload, txn_id="K9-NONE")
        with pytest.raises(JournalError, match="needs a txn_id"):
            journal.append(kind, payload)
    assert (tables(journal), journal.last_seq, journal.count()) == (before, seq, seq)
    assert journal.verify().ok


EXPECTED = {
    "cashbox": [
        (2000, 0),
        (5000, 1),
        (10000, 0),
    ],
    "counters": [
        ("txn_seq", 8),
    ],
    "outbox": [
        (
            "K1-00000001",
            11,
            "payments",
            "K1-00000001",
            25000,
            '{"amount_fen": 25000, "cash": {"10000": 2, "5000": 1}, "holder": "王*明", '
            '"txn_id": "K1-00000001"}',
            "2026-12-01T09:00:10.000+00:00",
            "posted",
            None,
        ),
        (
            "PAY-X",
            33,
            "payments",
            "K9-UNKNOWN",
            1,
            "{}",
            "2026-12-01T09:00:32.000+00:00",
            "posted",
            None,
        ),
        (
            "RES-1",
            30,
            "resolutions",
            "K1-00000006",
            2000,
            '{"suspect_id": "K1-00000006"}',
            "2026-12-01T09:00:29.000+00:00",
            "pending",
            None,
        ),
    ],
    "suspects": [
        (
            "K1-00000006",
            "K1-00000005",
            "",
            2000,
            "jam",
            "2026-12-01T09:00:25.000+00:00",
            "credited",
            "T01",
            "found",
        ),
        (
            "K1-00000007",
            "K1-00000005",
            "",
            1000,
            "power",
            "2026-12-01T09:00:26.000+00:00",
            "not_received",
            "T02",
            "none",
        ),
    ],
    "transactions": [
        (
            "K1-00000001",
            1,
            "3100000001",
            "王*明",
            "cash",
            12345,
            15000,
            "2026-12-01T09:00:00.000+00:00",
            "closed",
            25000,
            '{"10000": 2, "5000": 1}',
            0,
            "posted",
            "R-1",
            '{"balance_fen": 0, "名": "x"}',
            "2026-12-01T09:00:09.000+00:00",
            "2026-12-01T09:00:12.000+00:00",
            "printed",
            "收据\nK1-00000001",
            None,
            None,
            13,
        ),
        (
            "K1-00000002",
            15,
            "3100000003",
            "",
            "card",
            500,
            0,
            "2026-12-01T09:00:14.000+00:00",
            "rejected",
            0,
            "{}",
            0,
            "none",
            None,
            None,
            "2026-12-01T09:00:18.000+00:00",
            None,
            "failed",
            "t",
            None,
            "6222********1234",
            20,
        ),
        (
            "K1-00000003",
            14,
            "3100000002",
            "",
            "qr",
            0,
            0,
            "2026-12-01T09:00:13.000+00:00",
            "cancelled",
            0,
            "{}",
            0,
            "none",
            None,
            None,
            "2026-12-01T09:00:17.000+00:00",
            None,
            "none",
            None,
            "Q-9",
            None,
            18,
        ),
        (
            "K1-00000004",
            21,
            "3100000004",
            "",
            "paycode",
            0,
            0,
            "2026-12-01T09:00:20.000+00:00",
            "open",
            0,
            "{}",
            0,
            "needs_attention",
            "R-4",
            "null",
            None,
            "2026-12-01T09:00:21.000+00:00",
            "none",
            None,
            "28**********11",
            None,
            23,
        ),
        (
            "K1-00000005",
            24,
            "",
            "",
            "cash",
            0,
            0,
            "2026-12-01T09:00:23.000+00:00",
            "open",
            0,
            "{}",
            0,
            "none",
            None,
            None,
            None,
            None,
            "none",
            None,
            None,
            None,
            27,
        ),
        (
            "K1-00000008",
            38,
            "3100000008",
            "",
            "cash",
            0,
            0,
            "2026-12-01T09:00:37.000+00:00",
            "open",
            5000,
            '{"5000": 1}',
            0,
            "none",
            None,
            None,
            None,
            None,
            "none",
            None,
            None,
            None,
            39,
        ),
    ],
}


def test_the_opened_row_names_every_column_with_a_default_or_not_null() -> None:
    # The projection writes plain SQL, not the Table: a column added to ``transactions``
    # with a default (which SQLAlchemy used to fill in) must be added to that INSERT too.
    named = projection._INSERT_TXN_SQL.split("(")[1].split(")")[0]
    needed = [
        c.name for c in projection.transactions.columns if c.default is not None or not c.nullable
    ]
    assert needed and all(f" {name}," in f" {named}," for name in needed)
