"""Technicians and cash collectors: who may open the maintenance screen, and with which PIN.

PINs are stored as scrypt hashes with a per-person salt, never in clear. Entry is locked for
a while after too many wrong PINs in a row (whichever id they were typed against), so a
PIN cannot be guessed at the kiosk. The registry lives in the journal's database; adding,
disabling and every login attempt are audit events in the journal's hash chain.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Boolean, Column, Integer, MetaData, String, Table, insert, select, update

from kiosk import KioskError
from kiosk.events import Audit
from kiosk.journal import Journal

metadata = MetaData()

technicians = Table(
    "technicians",
    metadata,
    Column("technician_id", String(32), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("salt", String(64), nullable=False),
    Column("pin_hash", String(128), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("created_at", String(40), nullable=False),
)

login_guard = Table(
    "login_guard",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("locked_until", String(40)),
)

# scrypt cost: ~50 ms on a kiosk-class CPU; slow enough to make offline guessing expensive.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_PIN, MAX_PIN = 6, 12


class Role(enum.StrEnum):
    TECHNICIAN = "technician"
    COLLECTOR = "collector"  # sees only cash collection


class TechnicianError(KioskError):
    """A technician cannot be added, found or logged in; the message says why."""


class WrongPin(TechnicianError):
    def __init__(self, attempts_left: int) -> None:
        super().__init__(f"wrong id or PIN; {attempts_left} attempts left before a lockout")
        self.attempts_left = attempts_left


class LoginLocked(TechnicianError):
    def __init__(self, until: datetime) -> None:
        super().__init__(f"too many wrong PINs: entry is locked until {until:%H:%M}")
        self.until = until


@dataclass(frozen=True)
class Technician:
    technician_id: str
    name: str
    role: Role
    enabled: bool


def hash_pin(pin: str, salt: bytes) -> str:
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return digest.hex()


def check_pin_format(pin: str) -> None:
    if not pin.isdigit() or not MIN_PIN <= len(pin) <= MAX_PIN:
        raise TechnicianError(f"a PIN is {MIN_PIN} to {MAX_PIN} digits")


class Registry:
    def __init__(
        self, journal: Journal, *, max_failures: int = 5, lockout: timedelta = timedelta(minutes=15)
    ) -> None:
        self._journal = journal
        self._max_failures = max_failures
        self._lockout = lockout  # the tables are made by kiosk.schema when the journal opens

    def add(self, technician_id: str, name: str, role: Role, pin: str) -> Technician:
        if not technician_id.isalnum() or len(technician_id) > 32:
            raise TechnicianError("a technician id is letters and digits, at most 32")
        check_pin_format(pin)
        if self.find(technician_id) is not None:
            raise TechnicianError(f"technician {technician_id} exists; disable it first")
        salt = secrets.token_bytes(16)
        row = {
            "technician_id": technician_id,
            "name": name,
            "role": role.value,
            "salt": salt.hex(),
            "pin_hash": hash_pin(pin, salt),
            "enabled": True,
            "created_at": datetime.now(UTC).isoformat(),
        }

        def build(conn):  # type: ignore[no-untyped-def]
            conn.execute(insert(technicians).values(**row))
            details = {"technician_id": technician_id, "role": role.value}
            return [Audit("technician_added", "ok", details).entry(None)]

        self._journal.append_many(build, actor="cli")
        return Technician(technician_id, name, role, True)

    def disable(self, technician_id: str) -> None:
        if self.find(technician_id) is None:
            raise TechnicianError(f"no technician {technician_id}")

        def build(conn):  # type: ignore[no-untyped-def]
            conn.execute(
                update(technicians)
                .where(technicians.c.technician_id == technician_id)
                .values(enabled=False)
            )
            details = {"technician_id": technician_id}
            return [Audit("technician_disabled", "ok", details).entry(None)]

        self._journal.append_many(build, actor="cli")

    def find(self, technician_id: str) -> Technician | None:
        row = self._journal.read(
            lambda c: c.execute(
                select(technicians).where(technicians.c.technician_id == technician_id)
            ).first()
        )
        if row is None:
            return None
        return Technician(row.technician_id, row.name, Role(row.role), row.enabled)

    def list(self) -> list[Technician]:
        rows = self._journal.read(
            lambda c: c.execute(select(technicians).order_by(technicians.c.technician_id)).all()
        )
        return [Technician(r.technician_id, r.name, Role(r.role), r.enabled) for r in rows]

    def locked_until(self, now: datetime | None = None) -> datetime | None:
        now = now or datetime.now(UTC)
        row = self._journal.read(lambda c: c.execute(select(login_guard)).first())
        if row is None or row.locked_until is None:
            return None
        until = datetime.fromisoformat(row.locked_until)
        return until if until > now else None

    def login(self, technician_id: str, pin: str, now: datetime | None = None) -> Technician:
        """Check id and PIN; count failures; lock entry after too many. Audited."""
        now = now or datetime.now(UTC)
        until = self.locked_until(now)
        if until is not None:
            self._audit(technician_id, "login", "locked")
            raise LoginLocked(until)
        row = self._journal.read(
            lambda c: c.execute(
                select(technicians).where(technicians.c.technician_id == technician_id)
            ).first()
        )
        # Hash even for unknown ids so that timing does not reveal which ids exist.
        salt = bytes.fromhex(row.salt) if row is not None else b"\0" * 16
        good = (
            row is not None
            and row.enabled
            and hmac.compare_digest(hash_pin(pin, salt), row.pin_hash)
        )
        if good:
            self._set_guard(0, None)
            self._audit(technician_id, "login", "ok")
            return Technician(row.technician_id, row.name, Role(row.role), True)
        failures = self._failures() + 1
        locked = now + self._lockout if failures >= self._max_failures else None
        self._set_guard(0 if locked else failures, locked)
        self._audit(technician_id, "login", "locked_out" if locked else "wrong_pin")
        if locked is not None:
            raise LoginLocked(locked)
        left = self._max_failures - failures
        raise WrongPin(left)

    def _failures(self) -> int:
        row = self._journal.read(lambda c: c.execute(select(login_guard)).first())
        return 0 if row is None else int(row.failures)

    def _set_guard(self, failures: int, locked: datetime | None) -> None:
        values = {"failures": failures, "locked_until": locked.isoformat() if locked else None}

        def write(conn):  # type: ignore[no-untyped-def]
            if conn.execute(select(login_guard)).first() is None:
                conn.execute(insert(login_guard).values(id=1, **values))
            else:
                conn.execute(update(login_guard).values(**values))

        self._journal.write_state(write)

    def _audit(self, technician_id: str, action: str, result: str) -> None:
        audit = Audit(action, result)
        self._journal.append_many(lambda _c: [audit.entry(None)], actor=technician_id[:64] or "?")
