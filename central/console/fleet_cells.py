"""Cells the fleet table and a kiosk's page share: device states as pills, online since when,
cash box fill, outbox backlog, clock offset (each toned by the alert rules' thresholds)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from central import alerts, fleet_view
from central.console.web import View, esc

ACCEPTOR_WARN = frozenset({"not_started", "disabled", "busy"})
ACCEPTOR_GOOD = frozenset(alerts.ACCEPTOR_OK - ACCEPTOR_WARN)
PRINTER_GOOD = frozenset({"ready"})
PRINTER_WARN = frozenset({"paper_near_end"})


def pill(text: str, tone: str, ident: str = "") -> str:
    attr = f' data-state="{esc(ident)}"' if ident else ""
    return f'<span class="pill {tone}"{attr}>{esc(text)}</span>'


def device(value: str | None, good: frozenset[str], warn: frozenset[str] = frozenset()) -> str:
    if value is None:
        return '<span class="muted">—</span>'
    tone = "ok" if value in good else "warn" if value in warn else "bad"
    return pill(value, tone)


def acceptor(value: str | None) -> str:
    return device(value, ACCEPTOR_GOOD, ACCEPTOR_WARN)


def printer(value: str | None) -> str:
    return device(value, PRINTER_GOOD, PRINTER_WARN)


def ago(now: datetime, then: datetime) -> str:
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 172800:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


def online_cell(view: View, row: Any, now: datetime, offline_after_s: int) -> str:
    """Online or offline, since when (local time) and for how long."""
    state = fleet_view.is_online(row, now, offline_after_s)
    if state is None:
        return pill(view.t("never_seen"), "muted", "never_seen")
    since = row.online_since if state else row.last_seen_at
    if state:
        shown = pill(view.t("online"), "ok", "online")
    else:
        shown = pill(view.t("offline"), "bad", "offline")
    when = f"{esc(view.t('since'))} {view.when(since)} ({ago(now, since)})"
    return f'{shown} <span class="muted">{when}</span>'


def fill(row: Any, full_pct: int) -> str:
    if row.cashbox_fill_pct is None:
        return "—"
    tone = (
        "bad" if row.cashbox_fill_pct >= full_pct else "warn" if row.cashbox_fill_pct >= 75 else ""
    )
    notes = f'<span class="muted">{row.cashbox_notes}</span>'
    return f'<span class="{tone}">{row.cashbox_fill_pct}%</span> {notes}'


def outbox(view: View, row: Any, now: datetime, backlog: int, oldest_s: int) -> str:
    if row.outbox_pending is None:
        return "—"
    tone = "bad" if row.outbox_pending > backlog else ""
    text = f'<span class="{tone}">{row.outbox_pending}</span>'
    if row.oldest_unposted_at is not None:
        old = (now - row.oldest_unposted_at).total_seconds() > oldest_s
        text += (
            f' <span class="{"bad" if old else "muted"}">{view.when(row.oldest_unposted_at)}</span>'
        )
    return text


def offset(row: Any, limit: int) -> str:
    if row.clock_offset_s is None:
        return "—"
    tone = "bad" if abs(row.clock_offset_s) > limit else ""
    return f'<span class="{tone}">{row.clock_offset_s:+d} s</span>'
