"""The maintenance screen's suspects and needs-attention items: listing them, resolving a
suspect note (credited or not received, with a reason; queued for the server), and
re-queueing an item the outbox parked. Part of ``kiosk.maintenance.Maintenance``.
"""

from __future__ import annotations

import json

from sqlalchemy import select

from kiosk import projection
from kiosk.events import Audit, Queued, Resolved
from kiosk.maintenance.screen_state import ScreenState
from kiosk.maintenance_actions import RESOLUTIONS
from kiosk.projection import OutboxState


class SuspectResolution(ScreenState):
    """The ``suspects``, ``resolve_suspect`` and ``retry_item`` actions."""

    def _suspects(self) -> None:
        s, o = projection.suspects, projection.outbox
        rows = self.engine.journal.read(
            lambda c: c.execute(select(s).order_by(s.c.created_at)).all()
        )
        parked = self.engine.journal.read(
            lambda c: c.execute(
                select(o).where(o.c.state == OutboxState.NEEDS_ATTENTION.value)
            ).all()
        )
        self.view["suspects"] = {
            "suspects": [
                {
                    "suspect_id": r.suspect_id,
                    "txn_id": r.txn_id,
                    "account_no": r.account_no,
                    "denomination_fen": r.denomination_fen,
                    "reason": r.reason,
                    "created_at": r.created_at,
                    "state": r.state,
                    "resolved_by": r.resolved_by,
                }
                for r in rows
            ],
            "needs_attention": [
                {
                    "item_id": r.item_id,
                    "endpoint": r.endpoint,
                    "amount_fen": r.amount_fen,
                    "detail": json.loads(r.detail or "{}"),
                }
                for r in parked
            ],
        }
        self._audit("suspects", "listed")

    def _resolve_suspect(self, suspect_id: str, outcome: str, reason: str) -> None:
        assert self.user is not None
        if outcome not in RESOLUTIONS:
            raise ValueError(f"outcome must be one of {sorted(RESOLUTIONS)}")
        if len(reason.strip()) < 5:
            raise ValueError("a reason is required (at least a few words)")
        s = projection.suspects
        row = self.engine.journal.read(
            lambda c: c.execute(select(s).where(s.c.suspect_id == suspect_id)).first()
        )
        if row is None or row.state != "open":
            raise ValueError(f"{suspect_id} is not an open suspect")
        now = self.engine.central.clock.now_utc().astimezone().isoformat(timespec="seconds")
        if outcome == "credited" and not row.account_no:
            raise ValueError(
                "this note belongs to no account: record it as not received and hand it in"
            )
        # The suspect has a txn id of its own, so crediting it never touches (or is swallowed
        # by) the payment's certain cash, posted under the payment's id.
        body = {
            "txn_id": suspect_id,
            "account_no": row.account_no,
            "amount_fen": row.denomination_fen,
            "cash": {str(row.denomination_fen): 1},
            "outcome": outcome,
            "reason": reason.strip(),
            "technician": self.user.technician_id,
            "at": now,
        }
        resolved = Resolved(suspect_id, outcome, reason.strip(), row.denomination_fen).entry(
            row.txn_id
        )
        queued = Queued(suspect_id, "resolutions", body, amount_fen=body["amount_fen"]).entry(
            row.txn_id
        )
        # A note that belongs to no account has nothing to tell the server: audited only.
        events = [resolved, queued] if row.account_no else [resolved]
        self.engine.journal.append_many(lambda _c: events, actor=self.user.technician_id)
        self.engine.outbox.wake()
        self._suspects()

    def _retry_item(self, item_id: str, reason: str) -> None:
        """Re-queue a parked item (after the server side was fixed), audited."""
        assert self.user is not None
        o = projection.outbox
        row = self.engine.journal.read(
            lambda c: c.execute(select(o).where(o.c.item_id == item_id)).first()
        )
        if row is None or row.state != OutboxState.NEEDS_ATTENTION.value:
            raise ValueError(f"{item_id} is not waiting for attention")
        self.engine.journal.append_many(
            lambda _c: [
                Audit("requeue", "ok", {"item_id": item_id, "reason": reason}).entry(row.txn_id),
                Queued(
                    item_id, row.endpoint, json.loads(row.body), row.amount_fen, requeue=True
                ).entry(row.txn_id),
            ],
            actor=self.user.technician_id,
        )
        self.engine.outbox.wake()
        self._suspects()
