"""The maintenance screen's journal pages: searching transactions (by txn id, account or day),
one transaction's events, and reprinting its receipt (marked a copy). Part of
``kiosk.maintenance.Maintenance``.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from sqlalchemy import or_, select

from kiosk import projection
from kiosk.maintenance.screen_state import ScreenState
from kiosk.receipt_facts import printable, receipt_for


class JournalLookup(ScreenState):
    """The ``journal_search``, ``journal_show`` and ``reprint`` actions."""

    def _journal_search(self, query: str = "", day: str | None = None) -> None:
        t = projection.transactions
        stmt = select(t).order_by(t.c.opened_seq.desc()).limit(50)
        query = query.strip()
        if query:
            stmt = stmt.where(or_(t.c.txn_id.contains(query), t.c.account_no == query))
        if day:
            start = date.fromisoformat(day)
            stmt = stmt.where(
                t.c.created_at >= start.isoformat(),
                t.c.created_at < (start + timedelta(days=1)).isoformat(),
            )
        rows = self.engine.journal.read(lambda c: c.execute(stmt).all())
        self.view["journal"] = {
            "query": query,
            "day": day,
            "results": [
                {
                    "txn_id": r.txn_id,
                    "account_no": r.account_no,
                    "method": r.method,
                    "state": r.state,
                    "cash_fen": r.cash_fen,
                    "amount_fen": _amount_fen(r),
                    "outbox": r.outbox,
                    "receipt": r.receipt,
                    "created_at": r.created_at,
                }
                for r in rows
            ],
        }
        self._audit("journal_search", "ok", query=query, day=day)

    def _journal_show(self, txn_id: str) -> None:
        events = self.engine.journal.events(txn_id=txn_id)
        if not events:
            raise ValueError(f"no transaction {txn_id}")
        self.view["transaction"] = {"txn_id": txn_id, "events": [e.as_json() for e in events]}
        self._audit("journal_show", "ok", txn_id=txn_id)

    def _reprint(self, txn_id: str) -> None:
        row = self.engine.txn_row(txn_id)
        receipt = receipt_for(self.engine.config, row, language=self.engine.language, copy=True)
        document = printable(self.engine.config, receipt)
        self.engine.print_document(document.text, document.escpos)
        self._audit("reprint", "sent", txn_id=txn_id)


def _amount_fen(row: Any) -> int:
    """What the payment was worth: cash taken, the posted amount, else the amount chosen."""
    if row.method == "cash":
        return int(row.cash_fen)
    if row.answer:
        answer = json.loads(row.answer)
        if isinstance(answer, dict):
            allocated = sum(
                int(a.get("principal_fen", 0)) + int(a.get("late_fee_fen", 0))
                for a in answer.get("allocations") or []
            )
            return allocated + int(answer.get("credited_to_balance_fen") or 0)
    return int(row.target_fen or 0)
