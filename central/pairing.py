"""Pairing a kiosk without typing its secret, and rotating a secret without losing payments.

``issue_code`` (``kiosk-central pair-code KIOSK_ID`` or the console) makes a one-time code,
valid ``console.pair_code_ttl_s`` (15 min); the server keeps only its HMAC. The kiosk sends it
unsigned to ``POST /v1/pair`` ``{kiosk_id, code}`` and gets ``{kiosk_id, secret}`` once: the
code is then gone. A wrong code counts against the code; the fifth wrong one deletes it. Every
refusal is the same ``403 pairing_refused``.

``rotate`` gives a kiosk a new secret and keeps the old one valid for ``console.secret_grace_s``
(central/auth.py tries it after the current one), so a kiosk still signing its queued
payments with the old secret is not refused while the new one is installed. Pairing an
already paired kiosk is a rotation too. Both are audited.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update

from central import audit, db, kiosks
from central.context import Central
from central.crypto import seal
from central.errors import AdminError, ApiError
from central.schema import kiosks as kiosks_table
from central.schema_fleet import pair_codes
from central.signing import KIOSK_ID
from central.wire import Fields

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
CODE_LENGTH = 12
MAX_WRONG = 5


def _digest(secret_key: str, kiosk_id: str, code: str) -> str:
    normal = code.replace("-", "").replace(" ", "").upper()
    return hmac.new(
        secret_key.encode(), f"pair\n{kiosk_id}\n{normal}".encode(), hashlib.sha256
    ).hexdigest()


def issue_code(
    engine: Engine, secret_key: str, kiosk_id: str, *, ttl_s: int, now: datetime, actor: str
) -> tuple[str, datetime]:
    """A new one-time code for the kiosk (registered now if it is new); replaces an old one."""
    if not KIOSK_ID.match(kiosk_id):
        raise AdminError(f"kiosk id {kiosk_id!r}: use 1-32 letters, digits, '-' or '_'")
    with db.read(engine) as conn:
        known = conn.execute(
            select(kiosks_table.c.kiosk_id).where(kiosks_table.c.kiosk_id == kiosk_id)
        ).first()
    if known is None:
        kiosks.add(engine, secret_key, kiosk_id)  # a secret nobody knows until pairing
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    code = "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))
    expires = now + timedelta(seconds=ttl_s)
    with db.write(engine) as conn:
        conn.execute(delete(pair_codes).where(pair_codes.c.kiosk_id == kiosk_id))
        conn.execute(
            insert(pair_codes).values(
                kiosk_id=kiosk_id,
                code_hash=_digest(secret_key, kiosk_id, code),
                expires_at=expires,
                failed_attempts=0,
                created_at=now,
            )
        )
        audit.record(
            conn,
            at=now,
            actor=actor,
            action="pair_code_issued",
            kiosk_id=kiosk_id,
            expires_at=expires.isoformat(),
        )
    return code, expires


def _replace_secret(
    conn: Connection, central: Central, kiosk_id: str, now: datetime
) -> tuple[str, datetime]:
    row = conn.execute(
        select(kiosks_table.c.secret_sealed).where(kiosks_table.c.kiosk_id == kiosk_id)
    ).one()
    secret = kiosks.new_secret()
    until = now + timedelta(seconds=central.config.console.secret_grace_s)
    conn.execute(
        update(kiosks_table)
        .where(kiosks_table.c.kiosk_id == kiosk_id)
        .values(
            secret_sealed=seal(central.config.server.secret_key, secret),
            secret_previous_sealed=row.secret_sealed,
            secret_previous_until=until,
        )
    )
    return secret, until


def rotate(central: Central, kiosk_id: str, *, actor: str) -> tuple[str, datetime]:
    """A new secret (shown once); the old one stays valid until the returned time."""
    now = central.now()
    with db.write(central.engine) as conn:
        if (
            conn.execute(
                select(kiosks_table.c.kiosk_id).where(kiosks_table.c.kiosk_id == kiosk_id)
            ).first()
            is None
        ):
            raise AdminError(f"no kiosk {kiosk_id!r} is registered")
        secret, until = _replace_secret(conn, central, kiosk_id, now)
        audit.record(
            conn,
            at=now,
            actor=actor,
            action="secret_rotated",
            kiosk_id=kiosk_id,
            old_secret_valid_until=until.isoformat(),
        )
    return secret, until


def pair(central: Central, raw: object) -> dict[str, Any]:
    fields = Fields(raw)
    kiosk_id = fields.text("kiosk_id", max_len=32, pattern=KIOSK_ID)
    code = fields.text("code", max_len=32)
    fields.done()
    now = central.now()
    secret_key = central.config.server.secret_key
    answer: dict[str, Any] | None = None
    with db.write(central.engine) as conn:
        row = conn.execute(
            select(pair_codes).where(pair_codes.c.kiosk_id == kiosk_id).with_for_update()
        ).first()
        if row is not None and row.expires_at <= now:
            conn.execute(delete(pair_codes).where(pair_codes.c.kiosk_id == kiosk_id))
        elif row is not None and hmac.compare_digest(
            row.code_hash, _digest(secret_key, kiosk_id, code)
        ):
            conn.execute(delete(pair_codes).where(pair_codes.c.kiosk_id == kiosk_id))
            secret, until = _replace_secret(conn, central, kiosk_id, now)
            conn.execute(
                update(kiosks_table).where(kiosks_table.c.kiosk_id == kiosk_id).values(enabled=True)
            )
            audit.record(
                conn,
                at=now,
                actor=f"kiosk:{kiosk_id}",
                action="kiosk_paired",
                kiosk_id=kiosk_id,
                old_secret_valid_until=until.isoformat(),
            )
            answer = {"kiosk_id": kiosk_id, "secret": secret}
        elif row is not None:
            if row.failed_attempts + 1 >= MAX_WRONG:
                conn.execute(delete(pair_codes).where(pair_codes.c.kiosk_id == kiosk_id))
            else:
                conn.execute(
                    update(pair_codes)
                    .where(pair_codes.c.kiosk_id == kiosk_id)
                    .values(failed_attempts=row.failed_attempts + 1)
                )
            audit.record(
                conn,
                at=now,
                actor=f"kiosk:{kiosk_id}",
                action="pairing_refused",
                kiosk_id=kiosk_id,
                reason="wrong code",
            )
    if answer is None:
        raise ApiError(403, "pairing_refused")
    return answer
