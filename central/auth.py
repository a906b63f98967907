"""Signed requests: who is calling, and is it a fresh, untampered request from them?

Nonces live in the database (several server processes behave as one): a (kiosk, nonce) pair is
inserted once; a second insert finds the unique key and the request is a replay. Nonces older
than twice the allowed clock skew can never be accepted again (their timestamp is refused), so
they are deleted now and then. Rate-limit windows live in the database for the same reason.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

from sqlalchemy import Connection, delete, select

from central import db
from central.context import Central
from central.crypto import SealBroken, unseal
from central.errors import ApiError, Unauthorized
from central.schema import kiosks, nonces, rate_limits
from central.signing import parse_headers, signature_ok

log = logging.getLogger("central.auth")

HOUSEKEEPING_EVERY_S = 60.0
WINDOW_S = 60
SECRET_CACHE_MAX = 100_000


def authenticate(
    central: Central,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    rate_limit: tuple[str, int] | None = None,
) -> str:
    """The calling kiosk's id, or Unauthorized (401, no detail) / ApiError 429."""
    parsed = parse_headers(
        headers.get("x-kiosk-id"),
        headers.get("x-timestamp"),
        headers.get("x-nonce"),
        headers.get("x-signature"),
    )
    if isinstance(parsed, str):
        raise _refuse(None, parsed)
    now = time.time()
    skew = central.config.payments.clock_skew_s
    if abs(now - parsed.timestamp) > skew:
        raise _refuse(parsed.kiosk_id, f"clock skew {now - parsed.timestamp:+.0f} s")
    limited_for_s: int | None = None
    with db.write(central.engine) as conn:
        row = conn.execute(
            select(kiosks.c.secret_sealed, kiosks.c.enabled).where(
                kiosks.c.kiosk_id == parsed.kiosk_id
            )
        ).first()
        if row is None:
            raise _refuse(parsed.kiosk_id, "unknown kiosk")
        if not row.enabled:
            raise _refuse(parsed.kiosk_id, "kiosk disabled")
        secret = _secret(central, parsed.kiosk_id, row.secret_sealed)
        if not signature_ok(secret, parsed, method, path, body):
            raise _refuse(parsed.kiosk_id, "bad signature")
        inserted = conn.execute(
            db.insert_ignoring_conflict(
                conn,
                nonces,
                {"kiosk_id": parsed.kiosk_id, "nonce": parsed.nonce, "seen_at": int(now)},
                ["kiosk_id", "nonce"],
            ).returning(nonces.c.nonce)
        ).scalar_one_or_none()
        if inserted is None:
            raise _refuse(parsed.kiosk_id, "reused nonce")
        if rate_limit is not None:
            limited_for_s = _count(conn, parsed.kiosk_id, rate_limit[0], rate_limit[1], int(now))
    if limited_for_s is not None:
        raise ApiError(429, "rate_limited", retry_after_s=limited_for_s)
    _housekeeping(central, now)
    return parsed.kiosk_id


def _secret(central: Central, kiosk_id: str, sealed: str) -> str:
    key = (kiosk_id, sealed)
    secret = central.secrets.get(key)
    if secret is None:
        try:
            secret = unseal(central.config.server.secret_key, sealed)
        except SealBroken as exc:
            log.error("kiosk %s: %s", kiosk_id, exc)  # the message holds no secret
            raise Unauthorized("sealed secret unusable") from exc
        if len(central.secrets) >= SECRET_CACHE_MAX:
            central.secrets.clear()
        central.secrets[key] = secret
    return secret


def _refuse(kiosk_id: str | None, reason: str) -> Unauthorized:
    log.warning("refused a request from %s: %s", kiosk_id or "an unnamed caller", reason)
    return Unauthorized(reason)


def _count(conn: Connection, kiosk_id: str, action: str, limit: int, now_s: int) -> int | None:
    """Count one call in this minute's window; seconds to wait if over the limit."""
    window = now_s - now_s % WINDOW_S
    statement = (
        db.dialect_insert(conn, rate_limits)
        .values(kiosk_id=kiosk_id, action=action, window_start=window, count=1)
        .on_conflict_do_update(
            index_elements=["kiosk_id", "action", "window_start"],
            set_={"count": rate_limits.c.count + 1},
        )
        .returning(rate_limits.c.count)
    )
    count = conn.execute(statement).scalar_one()
    if count > limit:
        return max(1, window + WINDOW_S - now_s)
    return None


def _housekeeping(central: Central, now: float) -> None:
    if now < central.next_housekeeping_s or not central.housekeeping_lock.acquire(blocking=False):
        return
    try:
        central.next_housekeeping_s = now + HOUSEKEEPING_EVERY_S
        horizon = int(now) - 2 * central.config.payments.clock_skew_s
        with db.write(central.engine) as conn:
            gone = conn.execute(delete(nonces).where(nonces.c.seen_at < horizon)).rowcount
            conn.execute(delete(rate_limits).where(rate_limits.c.window_start < int(now) - 2 * WINDOW_S))
        if gone:
            log.debug("expired %d nonces", gone)
    except ApiError:
        log.info("housekeeping skipped: the database is busy")
    finally:
        central.housekeeping_lock.release()
