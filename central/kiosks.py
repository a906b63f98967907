"""Kiosk registrations: ids, names, sealed secrets, enabled or not."""

from __future__ import annotations

import logging
import secrets

from sqlalchemy import Engine, select, update

from central import db
from central.crypto import seal
from central.errors import AdminError
from central.schema import KIOSK_ID_MAX, kiosks, utcnow
from central.signing import KIOSK_ID

log = logging.getLogger("central.kiosks")

MIN_SECRET = 16


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def add(
    engine: Engine,
    secret_key: str,
    kiosk_id: str,
    *,
    name: str = "",
    secret: str | None = None,
    replace: bool = False,
) -> str:
    """Register ``kiosk_id`` (or give it a new secret when ``replace``); returns the secret."""
    if not KIOSK_ID.match(kiosk_id):
        raise AdminError(f"kiosk id {kiosk_id!r}: use 1-{KIOSK_ID_MAX} letters, digits, '-' or '_'")
    secret = new_secret() if secret is None else secret
    if len(secret) < MIN_SECRET:
        raise AdminError(f"a kiosk secret needs at least {MIN_SECRET} characters")
    sealed = seal(secret_key, secret)
    with db.write(engine) as conn:
        exists = conn.execute(
            select(kiosks.c.kiosk_id).where(kiosks.c.kiosk_id == kiosk_id)
        ).first()
        if exists and not replace:
            raise AdminError(
                f"kiosk {kiosk_id} is already registered; use --rotate to give it a new secret"
            )
        if exists:
            values = {"secret_sealed": sealed, "enabled": True}
            if name:
                values["name"] = name
            conn.execute(update(kiosks).where(kiosks.c.kiosk_id == kiosk_id).values(**values))
        else:
            conn.execute(
                kiosks.insert().values(
                    kiosk_id=kiosk_id,
                    name=name or kiosk_id,
                    secret_sealed=sealed,
                    enabled=True,
                    created_at=utcnow(),
                )
            )
    log.info("kiosk %s %s", kiosk_id, "has a new secret" if exists else "registered")
    return secret


def set_enabled(engine: Engine, kiosk_id: str, enabled: bool) -> None:
    with db.write(engine) as conn:
        changed = conn.execute(
            update(kiosks).where(kiosks.c.kiosk_id == kiosk_id).values(enabled=enabled)
        ).rowcount
    if changed != 1:
        raise AdminError(f"no kiosk {kiosk_id!r} is registered (see `kiosk-central add-kiosk`)")
