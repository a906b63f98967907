"""Operator accounts of the console: passwords (scrypt), lockout, sessions.

A password is stored as ``scrypt$N$r$p$salt$hash`` (hashlib.scrypt, 16-byte salt). After
``console.lockout_after_failures`` wrong passwords in a row the account is locked for
``console.lockout_s``; a locked account refuses even the right password until then. A session
is a random token in an HttpOnly SameSite=Strict cookie; the database keeps only its sha256,
with the session's CSRF token (sent back in every form) and its expiry, which slides while the
operator is active. Logins, failures, lockouts and logouts go to the audit log.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, delete, insert, select, update

from central import ServerError, audit, db
from central.context import Central
from central.errors import AdminError
from central.schema_fleet import Role, operator_sessions, operators

log = logging.getLogger("central.operators")

NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
MIN_PASSWORD = 10
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
_DUMMY_HASH = "scrypt$16384$8$1$00000000000000000000000000000000$" + "0" * 64


class LoginRefused(ServerError):
    """Wrong name or password, or a locked account; ``locked_until`` when locked."""

    def __init__(self, locked_until: datetime | None = None) -> None:
        super().__init__("login refused")
        self.locked_until = locked_until


@dataclass(frozen=True)
class Operator:
    id: int
    name: str
    role: Role

    def may(self, role: Role) -> bool:
        order = [Role.VIEWER, Role.OPERATOR, Role.ADMIN]
        return order.index(self.role) >= order.index(role)


@dataclass(frozen=True)
class Session:
    token: str  # goes in the cookie; never stored
    csrf_token: str
    operator: Operator
    expires_at: datetime


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def password_ok(stored: str, password: str) -> bool:
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(
            password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except ValueError:
        return False
    return hmac.compare_digest(digest.hex(), expected)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add(
    engine: Engine, name: str, role: Role, password: str, *, now: datetime, actor: str = "cli"
) -> Operator:
    if not NAME.match(name):
        raise AdminError(f"operator name {name!r}: use 1-64 letters, digits, '.', '_', '-' or '@'")
    if len(password) < MIN_PASSWORD:
        raise AdminError(f"a password needs at least {MIN_PASSWORD} characters")
    with db.write(engine) as conn:
        if conn.execute(select(operators.c.id).where(operators.c.name == name)).first():
            raise AdminError(f"operator {name} exists; use `operators passwd` to change it")
        new_id = conn.execute(
            insert(operators)
            .values(
                name=name,
                role=role.value,
                password_hash=hash_password(password),
                failed_logins=0,
                locked_until=None,
                enabled=True,
                created_at=now,
            )
            .returning(operators.c.id)
        ).scalar_one()
        audit.record(conn, at=now, actor=actor, action="operator_added", name=name, role=role)
    return Operator(int(new_id), name, role)


def set_password(engine: Engine, name: str, password: str, *, now: datetime) -> None:
    if len(password) < MIN_PASSWORD:
        raise AdminError(f"a password needs at least {MIN_PASSWORD} characters")
    with db.write(engine) as conn:
        changed = conn.execute(
            update(operators)
            .where(operators.c.name == name)
            .values(password_hash=hash_password(password), failed_logins=0, locked_until=None)
        ).rowcount
        if changed != 1:
            raise AdminError(f"no operator {name!r}")
        audit.record(conn, at=now, actor="cli", action="operator_password_set", name=name)


def listing(engine: Engine) -> list[dict[str, object]]:
    with db.read(engine) as conn:
        rows = conn.execute(select(operators).order_by(operators.c.name)).all()
    return [
        {
            "name": r.name,
            "role": r.role,
            "enabled": r.enabled,
            "locked_until": r.locked_until.isoformat() if r.locked_until else None,
        }
        for r in rows
    ]


def login(central: Central, name: str, password: str) -> Session:
    """A new session for the right password; LoginRefused otherwise (counted, audited)."""
    now = central.now()
    # A refusal is decided and recorded in the transaction, raised after it commits.
    with db.write(central.engine) as conn:
        refused, made = _login(conn, central, name, password, now)
    if refused is not None:
        raise refused
    assert made is not None
    return made


def _login(
    conn: Connection, central: Central, name: str, password: str, now: datetime
) -> tuple[LoginRefused | None, Session | None]:
    settings = central.config.console
    row = conn.execute(select(operators).where(operators.c.name == name)).first()
    if row is None or not row.enabled:
        password_ok(_DUMMY_HASH, password)  # the same work as for a real account
        audit.record(conn, at=now, actor=name[:80], action="login_failed", reason="unknown")
        return LoginRefused(), None
    if row.locked_until is not None and row.locked_until > now:
        audit.record(conn, at=now, actor=row.name, action="login_failed", reason="locked")
        return LoginRefused(row.locked_until), None
    if not password_ok(row.password_hash, password):
        failures = row.failed_logins + 1
        locked_until = None
        if failures >= settings.lockout_after_failures:
            locked_until = now + timedelta(seconds=settings.lockout_s)
            failures = 0
        conn.execute(
            update(operators)
            .where(operators.c.id == row.id)
            .values(failed_logins=failures, locked_until=locked_until)
        )
        audit.record(
            conn,
            at=now,
            actor=row.name,
            action="operator_locked" if locked_until else "login_failed",
            reason="password",
        )
        return LoginRefused(locked_until), None
    conn.execute(
        update(operators).where(operators.c.id == row.id).values(failed_logins=0, locked_until=None)
    )
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    expires = now + timedelta(seconds=settings.session_idle_s)
    conn.execute(
        insert(operator_sessions).values(
            token_hash=_token_hash(token),
            operator_id=row.id,
            csrf_token=csrf,
            created_at=now,
            expires_at=expires,
        )
    )
    conn.execute(delete(operator_sessions).where(operator_sessions.c.expires_at < now))
    audit.record(conn, at=now, actor=row.name, action="login")
    return None, Session(token, csrf, Operator(row.id, row.name, Role(row.role)), expires)


def session(central: Central, token: str | None) -> Session | None:
    """The live session of this cookie token, its expiry moved on while in use."""
    if not token or len(token) > 100:
        return None
    now = central.now()
    hashed = _token_hash(token)
    with db.read(central.engine) as conn:
        row = conn.execute(
            select(
                operator_sessions.c.csrf_token,
                operator_sessions.c.expires_at,
                operators.c.id,
                operators.c.name,
                operators.c.role,
                operators.c.enabled,
            )
            .join(operators, operators.c.id == operator_sessions.c.operator_id)
            .where(operator_sessions.c.token_hash == hashed)
        ).first()
    if row is None or row.expires_at <= now or not row.enabled:
        return None
    idle = timedelta(seconds=central.config.console.session_idle_s)
    expires = row.expires_at
    if expires - now < idle / 2:  # slide, at most one write per half period
        expires = now + idle
        with db.write(central.engine) as conn:
            conn.execute(
                update(operator_sessions)
                .where(operator_sessions.c.token_hash == hashed)
                .values(expires_at=expires)
            )
    return Session(token, row.csrf_token, Operator(row.id, row.name, Role(row.role)), expires)


def logout(central: Central, current: Session) -> None:
    with db.write(central.engine) as conn:
        conn.execute(
            delete(operator_sessions).where(
                operator_sessions.c.token_hash == _token_hash(current.token)
            )
        )
        audit.record(conn, at=central.now(), actor=current.operator.name, action="logout")
