"""Which spoken prompt a new snapshot calls for (kiosk/voice.py speaks it).

A prompt per screen change and per customer event: a note accepted (with its value), the
amount still owed after a partial payment, "take your receipt" once it is printed, the
idle question. Nothing is said on the home screen or to technicians (maintenance).
"""

from __future__ import annotations

from typing import Any

from ui.messages import owed_after

SCREEN_PROMPTS = {
    "account_entry": "account_entry",
    "account_shown": "account_shown",
    "amount_chosen": "method",
    "cash_insert": "cash_insert",
    "qr_wait": "qr_wait",
    "card_entry": "card_entry",
    "paycode_scan": "paycode_scan",
    "processing": "processing",
    "cancelled": "cancelled",
    "out_of_service": "out_of_service",
}


def cue(before: dict[str, Any], after: dict[str, Any]) -> tuple[str, int | None] | None:
    """(prompt id, amount in fen or None) for the change from ``before`` to ``after``."""
    state = after.get("state")
    if state in ("maintenance", "home", None):
        return None
    if after.get("idle_prompt") and not before.get("idle_prompt"):
        return "idle", None
    changed = state != before.get("state")
    if state == "cash_insert" and not changed:
        taken = _inserted(after) - _inserted(before)
        return ("note_accepted", taken) if taken > 0 else None
    if state == "done":
        return _done_cue(before, after, changed)
    if changed and state in SCREEN_PROMPTS:
        return SCREEN_PROMPTS[str(state)], None
    return None


def _inserted(snap: dict[str, Any]) -> int:
    return int((snap.get("cash") or {}).get("inserted_fen") or 0)


def _done_cue(
    before: dict[str, Any], after: dict[str, Any], changed: bool
) -> tuple[str, int | None] | None:
    result = after.get("result") or {}
    printing = result.get("printing")
    printed_now = printing == "printed" and (before.get("result") or {}).get("printing") != (
        "printed"
    )
    if changed:
        amount = result.get("amount_fen")
        if isinstance(amount, int) and result.get("status") in ("posted", "queued"):
            owed, _ = owed_after(after.get("account"), amount)
            if owed:
                return "still_owed", owed
        if printing in ("failed", "skipped") and result.get("receipt_url"):
            return "receipt_qr", None
        return ("take_receipt", None) if printing == "printed" else ("done", None)
    return ("take_receipt", None) if printed_now else None
