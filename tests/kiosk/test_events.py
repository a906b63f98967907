"""The typed journal events: the payload each writer stores and the projection reads back,
through a real SQLite journal (append, project, rebuild from the events)."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kiosk.events import (
    EVENT_TYPES,
    Audit,
    Cancelled,
    CardRejected,
    Closed,
    Collection,
    Escrow,
    EventType,
    Kind,
    NeedsAttention,
    Opened,
    Posted,
    QrClosed,
    QrOrder,
    Queued,
    ReceiptFailed,
    ReceiptPrinted,
    Resolved,
    Returned,
    Stacked,
    Started,
    Suspect,
)
from kiosk.journal import Journal
from kiosk.projection import OutboxState, outbox, transactions

RELEASE_JOURNAL = Path(__file__).parent / "fixtures" / "journal_release_28998ad.db"
BODY = {"txn_id": "T1", "account_no": "3100000001", "amount_fen": 5000, "method": "cash"}


def outbox_row(journal: Journal, item_id: str) -> Any:
    return journal.read(
        lambda c: c.execute(select(outbox).where(outbox.c.item_id == item_id)).one()
    )


def test_queued_and_posted_payloads_are_the_ones_the_wire_format_documents() -> None:
    kind, payload, txn = Queued("T1", "payments", BODY, amount_fen=5000).entry("T1")
    assert (kind, txn) == (Kind.QUEUED.value, "T1")
    assert payload == {"item_id": "T1", "endpoint": "payments", "amount_fen": 5000, "body": BODY}
    assert Queued.read(payload) == Queued("T1", "payments", BODY, 5000)
    kind, payload, _ = Posted("payments", "R9", {"ok": 1}, via="qr").entry("T1")
    assert payload == {"endpoint": "payments", "via": "qr", "server_ref": "R9", "answer": {"ok": 1}}
    # an event written by an earlier release, without the endpoint, still reads as a payment
    assert Posted.read({"server_ref": "R1", "answer": None}).endpoint == "payments"


def test_a_parked_item_requeued_by_a_technician_is_pending_again(tmp_path: Path) -> None:
    """Found writing this module: a requeue inserted the item a second time, the journal
    refused it (UNIQUE outbox.item_id) and the technician read a disk error."""
    journal = Journal(tmp_path / "journal.db")
    journal.append(
        Kind.OPENED, {"seq": 1, "account_no": "3100000001", "method": "cash"}, txn_id="T1"
    )
    journal.append_many(lambda _c: [Queued("T1", "payments", BODY, 5000).entry("T1")])
    journal.append(
        Kind.NEEDS_ATTENTION,
        {"item_id": "T1", "endpoint": "payments", "status": 422, "code": "bad", "detail": {}},
        txn_id="T1",
    )
    assert outbox_row(journal, "T1").state == OutboxState.NEEDS_ATTENTION.value
    requeued = journal.append_many(
        lambda _c: [Queued("T1", "payments", BODY, 5000, requeue=True).entry("T1")]
    )[0]
    row = outbox_row(journal, "T1")
    assert (row.state, row.detail, row.queued_seq) == ("pending", None, requeued.seq)
    journal.append_many(lambda _c: [Posted("payments", "R1", {}, item_id="T1").entry("T1")])
    journal.rebuild()  # the tables again from the events alone: the same end state
    assert outbox_row(journal, "T1").state == OutboxState.POSTED.value
    txn = journal.read(
        lambda c: c.execute(select(transactions).where(transactions.c.txn_id == "T1")).one()
    )
    assert (txn.outbox, txn.server_ref) == ("posted", "R1")
    assert journal.verify().ok
    journal.close()


# One event of each kind as its writer builds it, optional fields given where the kind has them.
EXAMPLES: list[EventType] = [
    Opened(7, "cash", "3100000001", "Li Lei", 12_000, 10_000),
    Opened(8, "cash", "", stray=True),
    Opened(9, "card", "3100000001", "Li Lei", 0, 500, card_no="6222****1234"),
    Opened(10, "paycode", "3100000001", payment_ref="1301****8888", provider="wechat"),
    Escrow(5_000, "stack", "ok"),
    Stacked(5_000),
    Stacked(5_000, evidence="power_up"),
    Returned(1_000),
    Returned(1_000, evidence="timeout"),
    Closed(15_000, "customer", notes={"5000": 3}),
    Closed(None, "qr_paid"),
    Cancelled("qr_expired"),
    Cancelled("paycode_failed", detail="card frozen"),
    Suspect("K1-00000011", 11, 5_000, "stack sent, the device never answered"),
    Queued("T1", "payments", BODY, amount_fen=5000),
    Posted("payments", "R9", {"ok": 1}, item_id="T1"),
    NeedsAttention("payments", item_id="T1", status=422, code="bad", detail={"why": "x"}),
    NeedsAttention("payments", reason="card_unconfirmed", error="timed out"),
    ReceiptPrinted("RECEIPT"),
    ReceiptFailed("RECEIPT", "paper_out"),
    QrOrder("Q1", "weixin://pay/Q1", "2026-01-01T10:00:00+08:00"),
    QrClosed("expired"),
    CardRejected("wrong_pin", 2),
    CardRejected("card_blocked", None),
    Resolved("K1-00000011", "credited", "found in the box", 5_000),
    Collection("K1-C00001", {"5000": 2}, 10_000, None, 10_000, "tech1", "2026-01-01", 0, {}),
    Audit("login", "ok"),
    Audit("requeue", "ok", {"item_id": "T1", "reason": "fixed", "detail": None}),
    Started({"closed": ["T1"], "cancelled": []}),
]


def test_every_kind_has_one_class_and_an_example() -> None:
    assert set(EVENT_TYPES) == set(Kind)
    assert {type(e) for e in EXAMPLES} == set(EVENT_TYPES.values())


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: type(e).__name__)
def test_an_event_reads_back_from_its_payload(event: EventType) -> None:
    kind, payload, txn = event.entry("T1")
    assert txn == "T1"
    assert EVENT_TYPES[Kind(kind)] is type(event)
    assert type(event).read(payload) == event
    # what is stored is JSON: the event reads back from the stored text too
    assert type(event).read(json.loads(json.dumps(payload))) == event


def test_an_optional_field_left_as_none_is_not_in_the_payload() -> None:
    assert Stacked(5_000).entry("T1")[1] == {"denomination_fen": 5_000}
    assert Opened(8, "cash", "", stray=True).entry("T1")[1] == {
        "seq": 8,
        "method": "cash",
        "account_no": "",
        "stray": True,
    }
    assert NeedsAttention("payments", reason="card_interrupted").entry("T1")[1] == {
        "endpoint": "payments",
        "reason": "card_interrupted",
    }
    # these the writers always put, null or not
    assert CardRejected("x", None).entry("T1")[1] == {"code": "x", "attempts_left": None}
    assert Closed(None, "qr_paid").entry("T1")[1] == {"total_fen": None, "reason": "qr_paid"}


def test_events_of_earlier_releases_without_the_later_fields_still_read() -> None:
    assert Opened.read({"seq": 1, "method": "cash", "account_no": "1"}).holder is None
    assert Escrow.read({"denomination_fen": 100, "decision": "stack"}).reason == ""
    assert NeedsAttention.read({"item_id": "T1"}).endpoint == "payments"
    assert Closed.read({"total_fen": 5}).reason == ""
    assert Started.read({"recovery": []}) == Started({})


def test_every_event_of_a_release_journal_reads_and_is_written_again_as_it_was() -> None:
    """The committed release fixture (tests/kiosk/test_schema.py upgrades it): each payload
    reads through its kind's class, and the class writes it again byte for byte."""
    with closing(sqlite3.connect(RELEASE_JOURNAL)) as db:
        rows = db.execute("SELECT kind, txn_id, payload FROM events ORDER BY seq").fetchall()
    kinds = set()
    for kind, txn_id, stored in rows:
        kinds.add(Kind(kind))
        event = EVENT_TYPES[Kind(kind)].read(json.loads(stored))
        if kind == Kind.STARTED:  # the fixture script wrote this one by hand, not recovery
            continue
        _kind, payload, _txn = event.entry(txn_id)
        assert json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False) == (
            stored
        ), kind
    assert len(kinds) >= 10  # the fixture has most kinds, each read at least once
