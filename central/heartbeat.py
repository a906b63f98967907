"""POST /v1/heartbeat: the newest report of each kiosk (one row per kiosk, replaced), its
history, status and alerts (central/fleet.py), and the commands waiting for it."""

from __future__ import annotations

import json
from typing import Any

from central import db, fleet, wire
from central.context import Central
from central.schema import heartbeats


def record(central: Central, kiosk_id: str, raw: object) -> dict[str, Any]:
    request = wire.heartbeat(raw)
    now = central.now()
    values = {
        "received_at": now,
        "version": request.version,
        "outbox_pending": request.outbox_pending,
        "oldest_unposted_at": request.oldest_unposted_at,
        "body": json.dumps(request.body, ensure_ascii=False, separators=(",", ":")),
    }
    with db.write(central.engine) as conn:
        conn.execute(
            db.dialect_insert(conn, heartbeats)
            .values(kiosk_id=kiosk_id, **values)
            .on_conflict_do_update(index_elements=["kiosk_id"], set_=values)
        )
        commands = fleet.on_heartbeat(conn, central, kiosk_id, request, now)
    return {"server_time": now.isoformat(), "commands": commands}
