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
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, select

from central import db
from central.context import Central
from central.crypto import SealBroken, unseal
from central.errors import ApiError, Unauthorized
from central.schema import kiosks, nonces, rate_limits
from central.signing import SignedHeaders, parse_headers, signature_ok

log = logging.getLogger("central.auth")

HOUSEKEEPING_EVERY_S = 60.0
WINDOW_S = 60
SECRET_CACHE_MAX = 100_000


@dataclass(frozen=True)
class Call:
    """A request whose signing headers are well formed and fresh, not yet verified."""

    method: str
    path: str
    body: bytes
    headers: SignedHeaders
    received_s: float

    @property
    def kiosk_id(self) -> str:
        return self.headers.kiosk_id


def check(
    central: Central, method: str, path: str, headers: Mapping[str, str], body: bytes
) -> Call:
    """The checks that need no database: headers present and well formed, clock skew."""
    parsed = parse_headers(
        headers.get("x-kiosk-id"),
        headers.get("x-timestamp"),
        headers.get("x-nonce"),
        headers.get("x-signature"),
    )
    if isinstance(parsed, str):
        raise _refuse(None, parsed)
    now = time.time()
    allowed_s = central.config.payments.clock_skew_s
    if abs(now - parsed.timestamp) > allowed_s:
        # The server's time is no secret (every answer's Date header has it): say it, so
        # the kiosk corrects its offset and signs again at once (kiosk/server_clock.py).
        raise _refuse(
            parsed.kiosk_id,
            f"clock skew {now - parsed.timestamp:+.0f} s",
            "clock_skew",
            server_time=datetime.fromtimestamp(now, UTC).isoformat(),
            max_skew_s=allowed_s,
        )
    return Call(method, path, body, parsed, now)


def verify(conn: Connection, central: Central, call: Call) -> str:
    """Inside the caller's transaction: a known kiosk, its signature, enabled, a new nonce.

    Only a caller whose signature verifies learns that the kiosk is disabled or the nonce
    reused; an unknown kiosk and a wrong secret are the same ``bad_signature``.

    The nonce is inserted in this transaction; if the caller's work then fails and rolls
    back, it must ``remember`` the nonce in a transaction of its own.
    """
    row = conn.execute(
        select(
            kiosks.c.secret_sealed,
            kiosks.c.enabled,
            kiosks.c.secret_previous_sealed,
            kiosks.c.secret_previous_until,
        ).where(kiosks.c.kiosk_id == call.kiosk_id)
    ).first()
    if row is None:
        raise _refuse(call.kiosk_id, "unknown kiosk")
    secret = _secret(central, call.kiosk_id, row.secret_sealed)
    if not signature_ok(secret, call.headers, call.method, call.path, call.body) and not (
        _previous_secret_ok(central, call, row)
    ):
        raise _refuse(call.kiosk_id, "bad signature")
    if not row.enabled:
        raise _refuse(call.kiosk_id, "kiosk disabled", "kiosk_disabled")
    if not record_nonce(conn, call):
        raise _refuse(call.kiosk_id, "reused nonce", "reused_nonce")
    return call.kiosk_id


def _previous_secret_ok(central: Central, call: Call, row: Any) -> bool:
    """After a rotation the old secret still signs until its grace period ends (pairing.py)."""
    until = row.secret_previous_until
    if row.secret_previous_sealed is None or until is None or until <= central.now():
        return False
    old = _secret(central, call.kiosk_id, row.secret_previous_sealed)
    return signature_ok(old, call.headers, call.method, call.path, call.body)


def remember(central: Central, call: Call) -> None:
    """Record a verified call's nonce after its own transaction rolled back (a refusal)."""
    with db.write(central.engine) as conn:
        record_nonce(conn, call)


def record_nonce(conn: Connection, call: Call) -> bool:
    inserted = conn.execute(
        db.insert_ignoring_conflict(
            conn,
            nonces,
            {
                "kiosk_id": call.kiosk_id,
                "nonce": call.headers.nonce,
                "seen_at": int(call.received_s),
            },
            ["kiosk_id", "nonce"],
        ).returning(nonces.c.nonce)
    ).scalar_one_or_none()
    return inserted is not None


def authenticate(
    central: Central,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    rate_limit: tuple[str, int] | None = None,
) -> str:
    """The calling kiosk's id, checked in a transaction of its own; 401 or 429 if not."""
    return confirm(central, check(central, method, path, headers, body), rate_limit=rate_limit)


def confirm(central: Central, call: Call, *, rate_limit: tuple[str, int] | None = None) -> str:
    limited_for_s: int | None = None
    with db.write(central.engine) as conn:
        kiosk_id = verify(conn, central, call)
        if rate_limit is not None:
            limited_for_s = _count(
                conn, kiosk_id, rate_limit[0], rate_limit[1], int(call.received_s)
            )
    housekeeping(central)
    if limited_for_s is not None:
        raise ApiError(429, "rate_limited", retry_after_s=limited_for_s)
    return kiosk_id


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


def _refuse(
    kiosk_id: str | None, log_reason: str, reason: str = "bad_signature", **detail: object
) -> Unauthorized:
    log.warning("refused a request from %s: %s", kiosk_id or "an unnamed caller", log_reason)
    return Unauthorized(log_reason, reason, **detail)


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


def housekeeping(central: Central) -> None:
    """Now and then (per process), delete nonces and rate windows that can no longer matter.

    Call it outside any transaction: it opens its own.
    """
    now = time.time()
    if now < central.next_housekeeping_s or not central.housekeeping_lock.acquire(blocking=False):
        return
    try:
        central.next_housekeeping_s = now + HOUSEKEEPING_EVERY_S
        horizon = int(now) - 2 * central.config.payments.clock_skew_s
        with db.write(central.engine) as conn:
            gone = conn.execute(delete(nonces).where(nonces.c.seen_at < horizon)).rowcount
            conn.execute(
                delete(rate_limits).where(rate_limits.c.window_start < int(now) - 2 * WINDOW_S)
            )
        if gone:
            log.debug("expired %d nonces", gone)
    except ApiError:
        log.info("housekeeping skipped: the database is busy")
    finally:
        central.housekeeping_lock.release()
