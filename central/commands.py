"""Remote commands: an operator (console or CLI) queues one for a kiosk, the heartbeat answer
delivers it, the kiosk reports its result once with ``POST /v1/commands/{id}/result``.

A command is delivered in every heartbeat answer until its result arrives (a lost answer
costs nothing); its id never changes, so the kiosk executes each id at most once (it keeps
the ids it has executed and only repeats the result for one it has seen). The first result is
kept; the same result again is answered 200 as before, another one is 409. Creating a command
and each result are written to the audit log.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from central import audit, db
from central.context import Central
from central.errors import AdminError, ApiError, InvalidRequest
from central.schema import kiosks
from central.schema_fleet import RESULT_STATUSES, CommandKind, CommandStatus, commands
from central.wire import Fields

METHODS = ("cash", "card", "qr")
MAX_MESSAGE = 200
MAX_LOG_HOURS = 168
OPEN = (CommandStatus.PENDING.value, CommandStatus.DELIVERED.value)


def arguments(
    kind: CommandKind,
    *,
    message: str | None = None,
    method: str | None = None,
    hours: int | None = None,
) -> dict[str, Any]:
    """The ``args`` object of a command of this kind; AdminError naming what is missing."""
    if kind is CommandKind.LOCK:
        text = (message or "").strip()
        if not text or len(text) > MAX_MESSAGE:
            raise AdminError(f"lock needs --message: 1-{MAX_MESSAGE} characters for the screen")
        return {"message": text}
    if kind in (CommandKind.ENABLE_METHOD, CommandKind.DISABLE_METHOD):
        if method not in METHODS:
            raise AdminError(f"{kind.value} needs --method, one of {', '.join(METHODS)}")
        return {"method": method}
    if kind is CommandKind.UPLOAD_LOGS:
        value = 24 if hours is None else hours
        if not 1 <= value <= MAX_LOG_HOURS:
            raise AdminError(f"upload_logs takes --hours from 1 to {MAX_LOG_HOURS}")
        return {"hours": value}
    return {}


def create(
    engine: Engine,
    kiosk_id: str,
    kind: CommandKind,
    args: dict[str, Any],
    *,
    actor: str,
    now: datetime,
) -> dict[str, Any]:
    command_id = "cmd_" + secrets.token_hex(12)
    with db.write(engine) as conn:
        if (
            conn.execute(select(kiosks.c.kiosk_id).where(kiosks.c.kiosk_id == kiosk_id)).first()
            is None
        ):
            raise AdminError(f"no kiosk {kiosk_id!r} is registered")
        conn.execute(
            insert(commands).values(
                id=command_id,
                kiosk_id=kiosk_id,
                kind=kind.value,
                args=json.dumps(args, ensure_ascii=False, sort_keys=True),
                status=CommandStatus.PENDING.value,
                created_at=now,
                created_by=actor[:80],
                deliveries=0,
            )
        )
        audit.record(
            conn,
            at=now,
            actor=actor,
            action="command_sent",
            kiosk_id=kiosk_id,
            command_id=command_id,
            kind=kind.value,
            args=args,
        )
    return {"id": command_id, "kiosk_id": kiosk_id, "kind": kind.value, "args": args}


def deliver(conn: Connection, kiosk_id: str, now: datetime) -> list[dict[str, Any]]:
    """In the heartbeat's transaction: every command of this kiosk still without a result."""
    rows = conn.execute(
        select(commands.c.id, commands.c.kind, commands.c.args, commands.c.first_delivered_at)
        .where(commands.c.kiosk_id == kiosk_id, commands.c.status.in_(OPEN))
        .order_by(commands.c.created_at, commands.c.id)
    ).all()
    if not rows:
        return []
    conn.execute(
        update(commands)
        .where(commands.c.id.in_([r.id for r in rows]))
        .values(status=CommandStatus.DELIVERED.value, deliveries=commands.c.deliveries + 1)
    )
    conn.execute(
        update(commands)
        .where(commands.c.id.in_([r.id for r in rows]), commands.c.first_delivered_at.is_(None))
        .values(first_delivered_at=now)
    )
    return [{"id": r.id, "kind": r.kind, "args": json.loads(r.args)} for r in rows]


def record_result(central: Central, kiosk_id: str, command_id: str, raw: object) -> dict[str, Any]:
    fields = Fields(raw)
    status_text = fields.text("status", max_len=10)
    try:
        status = CommandStatus(status_text)
    except ValueError:
        status = CommandStatus.PENDING
    if status not in RESULT_STATUSES:
        raise InvalidRequest("status", "must be done, refused or failed")
    detail = fields.text("detail", max_len=2000) if fields.present("detail") else ""
    fields.used.add("detail")
    attachment: str | None = None
    if fields.present("attachment"):
        value = fields.raw["attachment"]
        if not isinstance(value, str):
            raise InvalidRequest("attachment", "must be text (the log lines)")
        attachment = value
    fields.used.add("attachment")
    fields.done()
    now = central.now()
    with db.write(central.engine) as conn:
        row = conn.execute(
            select(commands.c.status, commands.c.kind, commands.c.result_detail)
            .where(commands.c.id == command_id, commands.c.kiosk_id == kiosk_id)
            .with_for_update()
        ).first()
        if row is None:
            raise ApiError(404, "command_not_found", id=command_id)
        if row.status not in OPEN:
            if row.status == status.value and (row.result_detail or "") == detail:
                return {"id": command_id, "status": row.status, "recorded": False}
            raise ApiError(409, "command_result_conflict", {"id": command_id, "status": row.status})
        if attachment is not None and row.kind != CommandKind.UPLOAD_LOGS.value:
            raise InvalidRequest("attachment", "is only for upload_logs")
        conn.execute(
            update(commands)
            .where(commands.c.id == command_id)
            .values(
                status=status.value,
                result_at=now,
                result_detail=detail,
                attachment=attachment,
            )
        )
        audit.record(
            conn,
            at=now,
            actor=f"kiosk:{kiosk_id}",
            action="command_result",
            kiosk_id=kiosk_id,
            command_id=command_id,
            kind=row.kind,
            status=status.value,
            detail=detail[:200],
        )
    return {"id": command_id, "status": status.value, "recorded": True}


def listing(conn: Connection, kiosk_id: str, *, limit: int = 100) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(commands)
        .where(commands.c.kiosk_id == kiosk_id)
        .order_by(commands.c.created_at.desc(), commands.c.id.desc())
        .limit(limit)
    ).all()
    return [
        {
            "id": r.id,
            "kiosk_id": r.kiosk_id,
            "kind": r.kind,
            "args": json.loads(r.args),
            "status": r.status,
            "created_at": r.created_at.isoformat(),
            "created_by": r.created_by,
            "first_delivered_at": r.first_delivered_at.isoformat()
            if r.first_delivered_at
            else None,
            "deliveries": r.deliveries,
            "result_at": r.result_at.isoformat() if r.result_at else None,
            "result_detail": r.result_detail,
            "has_attachment": r.attachment is not None,
        }
        for r in rows
    ]


def attachment(conn: Connection, command_id: str) -> tuple[str, str] | None:
    row = conn.execute(
        select(commands.c.kiosk_id, commands.c.attachment).where(commands.c.id == command_id)
    ).first()
    if row is None or row.attachment is None:
        return None
    return row.kiosk_id, row.attachment
