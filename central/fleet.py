"""What each heartbeat says, kept: a row of history per heartbeat (pruned by age) and one row
of current status per kiosk that the fleet page reads (no JSON parsing per page view).

``on_heartbeat`` runs in the heartbeat's own transaction: history, status, that kiosk's alerts
(central/alerts.py) and the commands to deliver (central/commands.py). Nothing in it scans
other kiosks.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from central import alerts, commands, db
from central.context import Central
from central.heartbeat_reading import observe
from central.schema_fleet import heartbeat_history, kiosk_status
from central.wire import HeartbeatRequest

log = logging.getLogger("central.fleet")

PRUNE_BATCH = 10_000


def on_heartbeat(
    conn: Connection, central: Central, kiosk_id: str, request: HeartbeatRequest, now: datetime
) -> list[dict[str, Any]]:
    """Record the heartbeat, evaluate this kiosk's alerts; the commands to deliver."""
    seen = observe(request, central.config.alerts.cashbox_capacity_notes)
    conn.execute(
        insert(heartbeat_history).values(
            kiosk_id=kiosk_id,
            received_at=now,
            version=seen.version,
            acceptor=seen.acceptor,
            printer=seen.printer,
            cashbox_notes=seen.cashbox_notes,
            outbox_pending=seen.outbox_pending,
            oldest_unposted_at=seen.oldest_unposted_at,
            clock_offset_s=seen.clock_offset_s,
            body=json.dumps(request.body, ensure_ascii=False, separators=(",", ":")),
        )
    )
    previous = conn.execute(
        select(kiosk_status.c.last_seen_at, kiosk_status.c.online_since).where(
            kiosk_status.c.kiosk_id == kiosk_id
        )
    ).first()
    offline_after = timedelta(seconds=central.config.alerts.offline_after_s)
    online_since = now
    if previous is not None and previous.last_seen_at >= now - offline_after:
        online_since = previous.online_since
    values = {
        "last_seen_at": now,
        "online_since": online_since,
        "version": seen.version,
        "acceptor": seen.acceptor,
        "printer": seen.printer,
        "paper": seen.paper,
        "cashbox_notes": seen.cashbox_notes,
        "cashbox_fill_pct": seen.cashbox_fill_pct,
        "outbox_pending": seen.outbox_pending,
        "oldest_unposted_at": seen.oldest_unposted_at,
        "clock_offset_s": seen.clock_offset_s,
        "suspects": seen.suspects,
    }
    if previous is None:
        conn.execute(insert(kiosk_status).values(kiosk_id=kiosk_id, open_alerts=0, **values))
    else:
        conn.execute(
            kiosk_status.update().where(kiosk_status.c.kiosk_id == kiosk_id).values(**values)
        )
    alerts.evaluate_heartbeat(conn, central, kiosk_id, seen, now)
    return commands.deliver(conn, kiosk_id, now)


def prune_history(central: Central) -> int:
    """Delete heartbeat history older than console.heartbeat_retention_days, in batches."""
    horizon = central.now() - timedelta(days=central.config.console.heartbeat_retention_days)
    total = 0
    while True:
        with db.write(central.engine) as conn:
            ids = select(heartbeat_history.c.id).where(heartbeat_history.c.received_at < horizon)
            batch = list(conn.execute(ids.limit(PRUNE_BATCH)).scalars())
            if batch:
                conn.execute(delete(heartbeat_history).where(heartbeat_history.c.id.in_(batch)))
        total += len(batch)
        if len(batch) < PRUNE_BATCH:
            break
    if total:
        log.info("pruned %d heartbeats older than %s", total, horizon.isoformat())
    return total
