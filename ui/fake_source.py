"""A plain snapshot source for rendering tests, screenshots and benchmarks.

It records every intent and emits whatever snapshots a test builds with ``make_snapshot``.
It holds no business rule: it is the stand-in for the engine's *output*, not its logic.
"""

from __future__ import annotations

import copy
from typing import Any

DEMO_ACCOUNT: dict[str, Any] = {
    "account_no": "1000000001",
    "holder": "王*明",
    "address": "示范市*****路12号",
    "category": "residential",
    "balance_fen": 1234,
    "bills": [
        {
            "period": "2026-09",
            "amount_fen": 12850,
            "paid_fen": 0,
            "due_date": "2026-10-15",
            "late_fee_fen": 100,
        },
        {
            "period": "2026-10",
            "amount_fen": 9630,
            "paid_fen": 0,
            "due_date": "2026-11-15",
            "late_fee_fen": 0,
        },
    ],
    "arrears_fen": 22480,
    "late_fee_fen": 100,
    "due_fen": 22580,
    "as_of": "2026-11-02T10:15:00+08:00",
}

ALL_OK = {
    "cash": {"ok": True, "reason": None},
    "qr": {"ok": True, "reason": None},
    "card": {"ok": True, "reason": None},
}


def make_snapshot(state: str = "home", **overrides: Any) -> dict[str, Any]:
    """A full snapshot with the engine's keys; nested dicts in overrides are merged."""
    snap: dict[str, Any] = {
        "state": state,
        "mode": "pay",
        "language": "zh",
        "large_text": False,
        "account": None,
        "amount_fen": None,
        "method": None,
        "txn_id": None,
        "limits": {"min_payment_fen": 100, "max_payment_fen": 500000},
        "cash": {
            "inserted_fen": 0,
            "notes": {},
            "still_due_fen": 0,
            "surplus_fen": 0,
            "in_escrow_fen": 0,
            "can_cancel": False,
            "accepting": False,
            "denominations_fen": [1000, 2000, 5000, 10000],
        },
        "qr": {"order_id": None, "payload": None, "seconds_left": None},
        "card": {},
        "result": None,
        "error": None,
        "notice": None,
        "idle_prompt": None,
        "methods": copy.deepcopy(ALL_OK),
        "recovering": False,
    }
    if state not in ("home", "account_entry", "looking_up", "out_of_service", "maintenance"):
        snap["account"] = copy.deepcopy(DEMO_ACCOUNT)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(snap.get(key), dict):
            snap[key] = {**snap[key], **value}
        else:
            snap[key] = value
    return snap


class FakeSource:
    """Records intents; ``emit`` delivers a snapshot to subscribers like the engine does."""

    def __init__(self) -> None:
        self.intents: list[tuple[str, dict[str, Any]]] = []
        self._subscribers: list[Any] = []
        self.last: dict[str, Any] | None = None

    def subscribe(self, callback: Any) -> None:
        self._subscribers.append(callback)

    def intent(self, name: str, **args: Any) -> None:
        self.intents.append((name, args))

    def emit(self, snapshot: dict[str, Any]) -> None:
        self.last = snapshot
        for callback in list(self._subscribers):
            callback(snapshot)

    def names(self) -> list[str]:
        return [name for name, _ in self.intents if name != "touch"]
