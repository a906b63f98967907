"""The journal's side of the money invariant, as the stateful tests read it (in-process:
tests/kiosk/test_engine_core_stateful.py; end to end: tests/kiosk/test_engine_stateful.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk import projection
from kiosk.journal import Journal

STRAY_NOTE = "note stacked with no open payment"  # kiosk/engine/notes.py record_stray_stack


@dataclass(frozen=True)
class JournalMoney:
    stacked: int  # every note journaled as stacked
    stray: int  # notes a suspect says are in the box with no payment
    pending: int  # queued in the outbox, not posted yet
    open: int  # stacked in a payment still open
    posted: tuple[str, ...]  # txn ids the outbox has posted


def journal_money(journal: Journal) -> JournalMoney:
    stacked = sum(e.payload["denomination_fen"] for e in journal.events(kinds=("stacked",)))

    def read(conn: Any) -> dict[str, Any]:
        outbox, txns, suspects = projection.outbox, projection.transactions, projection.suspects
        return {
            "pending": conn.execute(outbox.select().where(outbox.c.state == "pending")).all(),
            "posted": conn.execute(outbox.select().where(outbox.c.state == "posted")).all(),
            "open": conn.execute(txns.select().where(txns.c.state == "open")).all(),
            "suspects": conn.execute(suspects.select()).all(),
        }

    rows = journal.read(read)
    return JournalMoney(
        stacked=stacked,
        stray=sum(r.denomination_fen for r in rows["suspects"] if r.reason == STRAY_NOTE),
        pending=sum(r.amount_fen for r in rows["pending"]),
        open=sum(r.cash_fen for r in rows["open"]),
        posted=tuple(r.txn_id for r in rows["posted"]),
    )
