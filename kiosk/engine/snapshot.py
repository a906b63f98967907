"""The snapshot: the engine's state as a JSON-able dict, what the screens render.

Built on the engine thread after each message; the pieces that need no engine are pure
functions.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from kiosk.availability import Health
from kiosk.central_answers import Account
from kiosk.config import KioskConfig
from kiosk.engine.paycode import snapshot as paycode_snapshot
from kiosk.session import State

if TYPE_CHECKING:
    from kiosk.engine.core import Engine


def build(engine: Engine) -> dict[str, Any]:
    s = engine.session
    state = engine.machine.state
    health = engine.health
    config = engine.config
    account = s.account
    cash = s.cash
    due = s.amount_fen or 0
    return {
        "state": state.value,
        "mode": s.mode,
        "language": engine.language,
        "large_text": engine.large_text,
        "account": account_json(account) if account is not None else None,
        "pending_account_no": s.looking_up,
        "amount_fen": s.amount_fen,
        "method": s.method,
        "txn_id": s.txn_id,
        "limits": {
            "min_payment_fen": config.limits.min_payment_fen,
            "max_payment_fen": config.limits.max_payment_fen,
        },
        "cash": {
            "inserted_fen": cash.inserted_fen,
            "notes": {str(k): v for k, v in sorted(cash.notes.items())},
            "still_due_fen": max(0, due - cash.inserted_fen),
            "surplus_fen": max(0, cash.inserted_fen - due),
            "in_escrow_fen": cash.in_escrow_fen,
            "unsettled_fen": cash.unsettled_fen,
            "can_cancel": state is State.CASH_INSERT
            and cash.inserted_fen == 0
            and cash.in_escrow_fen == 0
            and cash.unsettled_fen == 0,
            "accepting": state is State.CASH_INSERT
            and not cash.finishing
            and health.journal_fault is None,
            "paused": state is State.CASH_INSERT and health.journal_fault is not None,
            "denominations_fen": sorted(config.cash.denominations_fen),
        },
        "qr": {
            "order_id": s.qr.get("order_id"),
            "payload": s.qr.get("payload"),
            "seconds_left": whole(engine.timer_remaining("qr_expiry")),
        },
        "card": dict(s.card),
        "paycode": paycode_snapshot(s.paycode),
        "result": s.result,
        "error": s.error,
        "notice": s.notice,
        "printer": printer_json(config, health),
        # the done/cancelled screen goes home by itself in this many seconds
        "home_in_s": whole(engine.timer_remaining("done"))
        if state in (State.DONE, State.CANCELLED)
        else None,
        "idle_prompt": (
            {"seconds_left": whole(engine.timer_remaining("idle_finish"))}
            if s.idle_prompt
            else None
        ),
        "methods": {k: v.as_json() for k, v in engine.checks.methods().items()},
        "recovering": engine.recovery.active,
        "journal_fault": health.journal_fault,
        "locked": health.locked,
        "data_disk": {
            **engine.disk.as_json(),
            "floor_mb": config.kiosk.data_min_free_mb,
            "low": health.disk_low,
        },
        "outbox": {
            "pending": health.offline_count,
            "pending_fen": health.offline_total_fen,
            "oldest_age_s": round(health.oldest_unposted_age_s),
            "parked": health.server_auth,  # the server refuses our credentials
        },
        "clock_offset_s": engine.central.clock.clock_offset_s(),  # kiosk minus server
        "maintenance": engine.maintenance.snapshot(),
    }


def printer_json(config: KioskConfig, health: Health) -> dict[str, Any]:
    """Whether a receipt can be printed now, and if not whether the screen shows one."""
    can_print = not config.printer.enabled or health.printer_can_print
    return {
        "can_print": can_print,
        "reason": None if can_print else f"printer_{health.printer_state}",
        "onscreen_receipt": config.printer.onscreen_receipt_fallback,
    }


def account_json(account: Account) -> dict[str, Any]:
    data = dataclasses.asdict(account)
    data["as_of"] = account.as_of.isoformat()
    for bill in data["bills"]:
        bill["due_date"] = bill["due_date"].isoformat()
    return data


def whole(seconds: float | None) -> int | None:
    """Seconds as the screens count them: a part-second left is a second."""
    return None if seconds is None else int(seconds + 0.999)
