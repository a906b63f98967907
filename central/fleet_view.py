"""Reads behind the fleet and kiosk pages: one page of kiosks with their status, the counts
by state, one kiosk's history, payments, alerts and commands.

The fleet page reads ``kiosk_status`` (one row per kiosk, kept by each heartbeat) joined to
``kiosks``, one page at a time; the last payment of the kiosks on that page comes from the
``payments (kiosk_id, created_at)`` index. Nothing here scans payments or history at large.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, case, func, select

from central.schema import accounts, kiosks, payments
from central.schema_fleet import heartbeat_history, kiosk_status

PAGE_SIZE = 100
STATES = ("online", "offline", "alerting", "never_seen")


@dataclass(frozen=True)
class FleetPage:
    rows: list[Any]
    last_payment: dict[str, datetime]
    counts: dict[str, int]
    districts: list[str]
    total_matching: int


def _state_filter(state: str | None, cutoff: datetime) -> Any:
    if state == "online":
        return kiosk_status.c.last_seen_at >= cutoff
    if state == "offline":
        return kiosk_status.c.last_seen_at < cutoff
    if state == "never_seen":
        return kiosk_status.c.kiosk_id.is_(None)
    if state == "alerting":
        return kiosk_status.c.open_alerts > 0
    return None


def fleet_page(
    conn: Connection,
    *,
    now: datetime,
    offline_after_s: int,
    state: str | None,
    district: str | None,
    page: int,
) -> FleetPage:
    cutoff = now - timedelta(seconds=offline_after_s)
    joined = kiosks.outerjoin(kiosk_status, kiosk_status.c.kiosk_id == kiosks.c.kiosk_id)
    where = []
    if district:
        where.append(kiosks.c.district == district)
    counts_row = conn.execute(
        select(
            func.count(),
            func.count(case((kiosk_status.c.last_seen_at >= cutoff, 1))),
            func.count(case((kiosk_status.c.last_seen_at < cutoff, 1))),
            func.count(case((kiosk_status.c.open_alerts > 0, 1))),
            func.count(case((kiosk_status.c.kiosk_id.is_(None), 1))),
        )
        .select_from(joined)
        .where(*where)
    ).one()
    counts = dict(zip(("all", *STATES[:2], "alerting", "never_seen"), counts_row, strict=True))
    chosen = _state_filter(state, cutoff)
    if chosen is not None:
        where.append(chosen)
    rows = list(
        conn.execute(
            select(
                kiosks.c.kiosk_id,
                kiosks.c.name,
                kiosks.c.district,
                kiosks.c.enabled,
                kiosk_status,
            )
            .select_from(joined)
            .where(*where)
            .order_by(kiosks.c.kiosk_id)
            .limit(PAGE_SIZE)
            .offset(max(0, page - 1) * PAGE_SIZE)
        ).all()
    )
    ids = [r.kiosk_id for r in rows]
    last: dict[str, datetime] = {}
    if ids:
        last = dict(
            conn.execute(
                select(payments.c.kiosk_id, func.max(payments.c.created_at))
                .where(payments.c.kiosk_id.in_(ids))
                .group_by(payments.c.kiosk_id)
            ).all()
        )
    districts = list(
        conn.execute(
            select(kiosks.c.district).where(kiosks.c.district.is_not(None)).distinct()
        ).scalars()
    )
    matching = counts.get(state or "all", counts["all"])
    return FleetPage(rows, last, counts, sorted(districts), int(matching))


def kiosk(conn: Connection, kiosk_id: str) -> Any:
    joined = kiosks.outerjoin(kiosk_status, kiosk_status.c.kiosk_id == kiosks.c.kiosk_id)
    return conn.execute(
        select(
            kiosks.c.kiosk_id,
            kiosks.c.name,
            kiosks.c.district,
            kiosks.c.enabled,
            kiosks.c.secret_previous_until,
            kiosk_status,
        )
        .select_from(joined)
        .where(kiosks.c.kiosk_id == kiosk_id)
    ).first()


def history(conn: Connection, kiosk_id: str, since: datetime) -> list[Any]:
    return list(
        conn.execute(
            select(
                heartbeat_history.c.received_at,
                heartbeat_history.c.acceptor,
                heartbeat_history.c.printer,
                heartbeat_history.c.outbox_pending,
                heartbeat_history.c.cashbox_notes,
                heartbeat_history.c.clock_offset_s,
            )
            .where(
                heartbeat_history.c.kiosk_id == kiosk_id, heartbeat_history.c.received_at >= since
            )
            .order_by(heartbeat_history.c.received_at)
        ).all()
    )


def recent_payments(conn: Connection, kiosk_id: str, limit: int = 20) -> list[Any]:
    return list(
        conn.execute(
            select(
                payments.c.txn_id,
                payments.c.created_at,
                payments.c.received_at,
                payments.c.method,
                payments.c.amount_fen,
                payments.c.offline,
                accounts.c.account_no,
            )
            .join(accounts, accounts.c.id == payments.c.account_id)
            .where(payments.c.kiosk_id == kiosk_id)
            .order_by(payments.c.created_at.desc())
            .limit(limit)
        ).all()
    )


def is_online(row: Any, now: datetime, offline_after_s: int) -> bool | None:
    """True online, False offline, None never seen."""
    if row.last_seen_at is None:
        return None
    return bool(row.last_seen_at >= now - timedelta(seconds=offline_after_s))
