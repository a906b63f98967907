"""A kiosk's heartbeat read into columns (``Observed``), as the fleet status and the alert
rules both use it: the fleet keeps it (central/fleet.py), the alerts judge it
(central/alerts.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from central.wire import HeartbeatRequest

PAPER_STATES = {"paper_out": "out", "paper_near_end": "near_end"}


@dataclass(frozen=True)
class Observed:
    """One heartbeat in columns."""

    version: str
    acceptor: str | None
    printer: str | None
    paper: str | None  # "ok", "near_end", "out" or None when unknown
    cashbox_notes: int
    cashbox_fill_pct: int | None
    outbox_pending: int
    oldest_unposted_at: datetime | None
    clock_offset_s: int | None
    suspects: int


def _state(value: object) -> str | None:
    return value[:40] if isinstance(value, str) and value else None


def observe(request: HeartbeatRequest, default_capacity: int) -> Observed:
    body = request.body
    devices = body.get("devices") or {}
    acceptor = _state(devices.get("acceptor"))
    printer = _state(devices.get("printer"))
    paper = _state(devices.get("paper"))
    if paper is None and printer is not None:
        paper = PAPER_STATES.get(printer, "ok" if printer == "ready" else None)
    cashbox = body.get("cashbox") or {}
    notes = sum(
        n for n in cashbox.values() if isinstance(n, int) and not isinstance(n, bool) and n > 0
    )
    capacity = body.get("cashbox_capacity") or default_capacity
    offset = body.get("clock_offset_s")
    return Observed(
        version=request.version,
        acceptor=acceptor,
        printer=printer,
        paper=paper,
        cashbox_notes=notes,
        cashbox_fill_pct=min(999, notes * 100 // capacity) if capacity else None,
        outbox_pending=request.outbox_pending,
        oldest_unposted_at=request.oldest_unposted_at,
        clock_offset_s=round(offset) if isinstance(offset, int | float) else None,
        suspects=int(body.get("suspects") or 0),
    )
