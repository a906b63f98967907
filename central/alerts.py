"""Alerts: a kiosk's condition raises one, an operator may acknowledge it, and it clears itself
when the condition ends. Each step is a row of ``alert_events``; each raise and clear is queued
for the webhooks (central/webhooks.py delivers them in the background).

Evaluation is incremental: a heartbeat evaluates the conditions of that one kiosk
(``evaluate_heartbeat``, in the heartbeat's transaction), and the periodic ``sweep_offline``
looks only at kiosks whose last heartbeat is older than ``alerts.offline_after_s`` and that
have no open offline alert (an indexed range on ``kiosk_status.last_seen_at``).

One open alert per kiosk and kind: ``alerts.open_key`` ("K0001/paper") is unique while open
and NULL once cleared, so two processes cannot raise the same alert twice.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from central import audit, db
from central.alert_words import AlertDetail
from central.context import Central
from central.errors import AdminError
from central.heartbeat_reading import Observed
from central.schema import kiosks
from central.schema_fleet import AlertKind, AlertStep, alert_events, alerts, kiosk_status

log = logging.getLogger("central.alerts")

ACCEPTOR_OK = frozenset({"ready", "idle", "accepting", "disabled", "not_started", "busy"})
HEARTBEAT_KINDS = tuple(k for k in AlertKind if k is not AlertKind.OFFLINE)
SWEEP_BATCH = 500


def conditions(central: Central, seen: Observed, now: datetime) -> dict[AlertKind, AlertDetail]:
    """The alert kinds this heartbeat shows, each with what it says."""
    rules = central.config.alerts
    found: dict[AlertKind, AlertDetail] = {}
    if seen.cashbox_fill_pct is not None and seen.cashbox_fill_pct >= rules.cashbox_full_pct:
        found[AlertKind.CASHBOX_FULL] = AlertDetail.of(
            AlertKind.CASHBOX_FULL, pct=seen.cashbox_fill_pct, notes=seen.cashbox_notes
        )
    if seen.paper in ("out", "near_end"):
        found[AlertKind.PAPER] = AlertDetail.of(AlertKind.PAPER, paper=seen.paper.replace("_", " "))
    acceptor = seen.acceptor
    if acceptor is not None and (acceptor not in ACCEPTOR_OK or "jam" in acceptor):
        found[AlertKind.ACCEPTOR] = AlertDetail.of(AlertKind.ACCEPTOR, state=acceptor)
    oldest_s = (now - seen.oldest_unposted_at).total_seconds() if seen.oldest_unposted_at else 0
    if seen.outbox_pending > rules.outbox_backlog or oldest_s > rules.outbox_oldest_s:
        found[AlertKind.OUTBOX] = AlertDetail.of(
            AlertKind.OUTBOX, pending=seen.outbox_pending, minutes=int(oldest_s) // 60
        )
    if seen.suspects > 0:
        found[AlertKind.SUSPECT] = AlertDetail.of(AlertKind.SUSPECT, count=seen.suspects)
    if seen.clock_offset_s is not None and abs(seen.clock_offset_s) > rules.clock_offset_s:
        found[AlertKind.CLOCK] = AlertDetail.of(AlertKind.CLOCK, offset=f"{seen.clock_offset_s:+d}")
    return found


def _open(conn: Connection, kiosk_id: str) -> dict[str, Row[Any]]:
    rows = conn.execute(
        select(alerts).where(alerts.c.kiosk_id == kiosk_id, alerts.c.open_key.is_not(None))
    ).all()
    return {row.kind: row for row in rows}


def evaluate_heartbeat(
    conn: Connection, central: Central, kiosk_id: str, seen: Observed, now: datetime
) -> None:
    active = conditions(central, seen, now)
    is_open = _open(conn, kiosk_id)
    for kind in AlertKind:
        row = is_open.get(kind.value)
        if kind in active and row is None:
            raise_alert(conn, central, kiosk_id, active[kind], now)
        elif kind not in active and row is not None:
            clear_alert(conn, central, row, now, "heartbeat: condition ended")


def raise_alert(
    conn: Connection, central: Central, kiosk_id: str, said: AlertDetail, now: datetime
) -> int | None:
    kind, detail = said.kind, said.english
    alert_id = conn.execute(
        db.insert_ignoring_conflict(
            conn,
            alerts,
            {
                "kiosk_id": kiosk_id,
                "kind": kind.value,
                "open_key": f"{kiosk_id}/{kind.value}",
                "detail": detail[:500],
                "detail_fields": said.fields_json,
                "raised_at": now,
            },
            ["open_key"],
        ).returning(alerts.c.id)
    ).scalar_one_or_none()
    if alert_id is None:
        return None  # another process raised it first
    _step(conn, alert_id, AlertStep.RAISED, now, "server", detail)
    conn.execute(
        update(kiosk_status)
        .where(kiosk_status.c.kiosk_id == kiosk_id)
        .values(open_alerts=kiosk_status.c.open_alerts + 1)
    )
    _notify(conn, central, kiosk_id, kind.value, "raised", now, detail)
    log.info("alert raised: %s %s: %s", kiosk_id, kind.value, detail)
    return int(alert_id)


def clear_alert(
    conn: Connection, central: Central, row: Row[Any], now: datetime, detail: str
) -> None:
    changed = conn.execute(
        update(alerts)
        .where(alerts.c.id == row.id, alerts.c.open_key.is_not(None))
        .values(open_key=None, cleared_at=now)
    ).rowcount
    if changed != 1:
        return
    _step(conn, row.id, AlertStep.CLEARED, now, "server", detail)
    conn.execute(
        update(kiosk_status)
        .where(kiosk_status.c.kiosk_id == row.kiosk_id, kiosk_status.c.open_alerts > 0)
        .values(open_alerts=kiosk_status.c.open_alerts - 1)
    )
    _notify(conn, central, row.kiosk_id, row.kind, "cleared", now, row.detail)
    log.info("alert cleared: %s %s", row.kiosk_id, row.kind)


def acknowledge(central: Central, alert_id: int, operator: str) -> None:
    now = central.now()
    with db.write(central.engine) as conn:
        row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).first()
        if row is None:
            raise AdminError(f"no alert {alert_id}")
        if row.acknowledged_at is not None:
            return
        conn.execute(
            update(alerts)
            .where(alerts.c.id == alert_id)
            .values(acknowledged_at=now, acknowledged_by=operator)
        )
        _step(conn, alert_id, AlertStep.ACKNOWLEDGED, now, operator, "")
        audit.record(
            conn,
            at=now,
            actor=operator,
            action="alert_acknowledged",
            kiosk_id=row.kiosk_id,
            alert_id=alert_id,
            kind=row.kind,
        )


def sweep_offline(central: Central) -> int:
    """Raise the offline alert of each enabled kiosk silent for longer than offline_after_s."""
    now = central.now()
    cutoff = now - timedelta(seconds=central.config.alerts.offline_after_s)
    already = select(alerts.c.kiosk_id).where(
        alerts.c.kind == AlertKind.OFFLINE.value, alerts.c.open_key.is_not(None)
    )
    with db.read(central.engine) as conn:
        silent = list(
            conn.execute(
                select(kiosk_status.c.kiosk_id)
                .join(kiosks, kiosks.c.kiosk_id == kiosk_status.c.kiosk_id)
                .where(
                    kiosk_status.c.last_seen_at < cutoff,
                    kiosks.c.enabled.is_(True),
                    kiosk_status.c.kiosk_id.not_in(already),
                )
                .limit(SWEEP_BATCH)
            ).scalars()
        )
    raised = 0
    for kiosk_id in silent:
        with db.write(central.engine) as conn:
            # Recheck under the row lock a heartbeat takes too: it may have just arrived.
            last = conn.execute(
                select(kiosk_status.c.last_seen_at)
                .where(kiosk_status.c.kiosk_id == kiosk_id)
                .with_for_update()
            ).scalar_one()
            if last >= cutoff:
                continue
            silent_min = int((now - last).total_seconds()) // 60
            local = last.astimezone(central.config.server.zone)
            said = AlertDetail.of(
                AlertKind.OFFLINE, since=f"{local:%Y-%m-%d %H:%M:%S}", minutes=silent_min
            )
            if raise_alert(conn, central, kiosk_id, said, now) is not None:
                raised += 1
    return raised


def _step(
    conn: Connection, alert_id: int, step: AlertStep, at: datetime, actor: str, detail: str
) -> None:
    conn.execute(
        insert(alert_events).values(
            alert_id=alert_id, step=step.value, at=at, actor=actor[:80], detail=detail[:500]
        )
    )


def _notify(
    conn: Connection,
    central: Central,
    kiosk_id: str,
    kind: str,
    state: str,
    at: datetime,
    detail: str,
) -> None:
    from central import webhooks

    payload = {
        "kiosk_id": kiosk_id,
        "kind": kind,
        "state": state,
        "at": at.isoformat(),
        "detail": detail,
    }
    webhooks.enqueue(conn, central, json.dumps(payload, ensure_ascii=False), at)


def listing(
    conn: Connection, *, open_only: bool, kiosk_id: str | None = None, limit: int = 300
) -> list[Row[Any]]:
    query = select(alerts).order_by(alerts.c.raised_at.desc(), alerts.c.id.desc()).limit(limit)
    if open_only:
        query = query.where(alerts.c.open_key.is_not(None))
    if kiosk_id is not None:
        query = query.where(alerts.c.kiosk_id == kiosk_id)
    return list(conn.execute(query).all())


def events(conn: Connection, alert_ids: list[int]) -> dict[int, list[Row[Any]]]:
    found: dict[int, list[Row[Any]]] = {}
    if not alert_ids:
        return found
    rows = conn.execute(
        select(alert_events)
        .where(alert_events.c.alert_id.in_(alert_ids))
        .order_by(alert_events.c.id)
    ).all()
    for row in rows:
        found.setdefault(row.alert_id, []).append(row)
    return found
