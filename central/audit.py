"""The audit log: every operator action (and each kiosk's command result) as one row.

Rows are written in the same transaction as the action they record, so an action that rolled
back leaves no audit row and an action that happened always has one.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from central.schema_fleet import audit_log


def record(
    conn: Connection,
    *,
    at: datetime,
    actor: str,
    action: str,
    kiosk_id: str | None = None,
    **detail: Any,
) -> None:
    conn.execute(
        insert(audit_log).values(
            at=at,
            actor=actor,
            action=action,
            kiosk_id=kiosk_id,
            detail=json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str),
        )
    )


def recent(conn: Connection, *, limit: int = 200, kiosk_id: str | None = None) -> list[Any]:
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if kiosk_id is not None:
        query = query.where(audit_log.c.kiosk_id == kiosk_id)
    return list(conn.execute(query).all())
