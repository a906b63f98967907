"""A plain snapshot source for rendering tests, screenshots and benchmarks.

It records every intent and emits whatever snapshots a test builds with ``make_snapshot``.
It holds no business rule: it is the stand-in for the engine's *output*, not its logic.
"""

from __future__ import annotations

import copy
import itertools
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
    "usage": None,
}
_SEQ = itertools.count(1)  # the engine numbers each snapshot it publishes

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
        "pending_account_no": None,
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
            "unsettled_fen": 0,
            "can_cancel": False,
            "accepting": False,
            "paused": False,
            "denominations_fen": [1000, 2000, 5000, 10000],
        },
        "qr": {"order_id": None, "payload": None, "seconds_left": None},
        "card": {},
        "paycode": {
            "status": None,
            "provider": None,
            "code": None,
            "error": None,
            "cancelling": None,
        },
        "result": None,
        "error": None,
        "notice": None,
        "idle_prompt": None,
        "methods": copy.deepcopy(ALL_OK),
        "recovering": False,
        "journal_fault": None,
        "locked": None,
        "home_in_s": None,
        "printer": {"can_print": True, "reason": None, "onscreen_receipt": True},
        "outbox": {"pending": 0, "pending_fen": 0, "oldest_age_s": 0, "parked": None},
        "clock_offset_s": 0,
        "maintenance": None,
        "seq": next(_SEQ),
        "data_disk": {
            "path": "/var/lib/kiosk",
            "free_mb": 2048.0,
            "read_only": False,
            "floor_mb": 50,
            "low": False,
        },
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


DEMO_STATUS: dict[str, Any] = {
    "version": "0.1.0",
    "uptime_s": 93784,
    "kiosk_id": "K0001",
    "acceptor": {
        "state": "fault",
        "last_error": "validator_jam",
        "identity": {
            "protocol": "ccnet",
            "model": "C100-CN",
            "serial": "41K0123456",
            "firmware": "1.42",
        },
    },
    "printer": {"state": "paper_out", "detail": "paper out: load a new roll"},
    "server": {
        "reachable": True,
        "latency_ms": 38.2,
        "clock_offset_s": 3602,  # the kiosk's clock an hour fast: the warning line shows
        "clock_warning": True,
        "clock_warn_after_s": 60,
        "auth_refused": None,
    },
    "outbox": {
        "pending": 3,
        "pending_fen": 45000,
        "oldest_at": "2026-11-02T09:41:00+08:00",
        "last_error": None,
        "needs_attention": 1,
        "parked": None,
    },
    "offline_limits": {"count": [3, 50], "total_fen": [45000, 2000000], "age_s": [2400, 86400]},
    "cashbox": {
        "notes": {"10000": 31, "5000": 12, "2000": 7, "1000": 25},
        "total_fen": 389000,
        "fill": [75, 1000],
        "near_full": False,
    },
    "methods": {
        "cash": {"ok": False, "reason": "acceptor_validator_jam"},
        "qr": {"ok": True, "reason": None},
        "card": {"ok": True, "reason": None},
    },
    "disabled_methods": ["card"],
}

DEMO_COLLECTION: dict[str, Any] = {
    "since": "2026-10-28T17:30:00+08:00",
    "rows": [
        {"denomination_fen": d, "journal_count": n, "device_count": None}
        for d, n in ((1000, 25), (2000, 7), (5000, 12), (10000, 31))
    ],
    "journal_total_fen": 389000,
}

DEMO_SUSPECTS: dict[str, Any] = {
    "suspects": [
        {
            "suspect_id": "K0001-00000042-S1",
            "txn_id": "K0001-00000042",
            "account_no": "1000000001",
            "denomination_fen": 10000,
            "reason": "no stacked or returned report after STACK",
            "created_at": "2026-11-02T10:15:00+08:00",
            "state": "open",
            "resolved_by": None,
        }
    ],
    "needs_attention": [
        {
            "item_id": "K0001-00000039",
            "endpoint": "payments",
            "amount_fen": 5000,
            "detail": {"error": "invalid_request"},
        }
    ],
}

DEMO_JOURNAL: dict[str, Any] = {
    "query": "",
    "day": None,
    "results": [
        {
            "txn_id": f"K0001-000000{n}",
            "account_no": "1000000001",
            "method": "cash",
            "state": "closed",
            "cash_fen": 20000,
            "outbox": "posted",
            "receipt": "printed",
            "created_at": f"2026-11-02T10:{n}:00+08:00",
        }
        for n in (42, 41, 40)
    ],
}


def make_maintenance(
    stage: str = "menu", *, role: str = "technician", page: str | None = None, **overrides: Any
) -> dict[str, Any]:
    """A ``maintenance`` snapshot section like kiosk.maintenance's, with demo views filled.

    ``page`` (not an engine key) tells the screen which page to show: screenshots and tests.
    """
    m: dict[str, Any] = {
        "stage": stage,
        "user": None
        if stage == "login"
        else {
            "id": "T001" if role == "technician" else "C001",
            "name": "张工" if role == "technician" else "李会计",
            "role": role,
        },
        "locked_until": None,
        "message": None,
        "view": {
            "status": copy.deepcopy(DEMO_STATUS),
            "collection": copy.deepcopy(DEMO_COLLECTION),
            "suspects": copy.deepcopy(DEMO_SUSPECTS),
            "journal": copy.deepcopy(DEMO_JOURNAL),
        },
        "test_mode": False,
        "test_notes": [],
        "power_actions_allowed": False,
    }
    if page is not None:
        m["page"] = page
    m.update(overrides)
    return m
