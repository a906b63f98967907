"""The typed journal events: the payload each writer stores and the projection reads back,
through a real SQLite journal (append, project, rebuild from the events)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from kiosk.events import Kind, Posted, Queued
from kiosk.journal import Journal
from kiosk.projection import OutboxState, outbox, transactions

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
