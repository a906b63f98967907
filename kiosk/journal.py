"""The payment journal: an append-only, hash-chained event log in SQLite, plus derived state.

Every change to money state is an event row written and fsynced (WAL, synchronous=FULL)
before the kiosk acts on it. Each row carries the hash of the row before it, so an edit,
a deletion or a reordering anywhere breaks the chain and ``verify`` names the first bad row.

Derived state (transactions, cash box counts, counters) is updated by ``kiosk.projection``
in the same database transaction as the event, so the two never disagree, and it can be
rebuilt from the events alone (``rebuild``).

Opening the file brings its schema to the version this code knows (``kiosk.schema``) or
refuses a file written by newer code. docs/journal.md describes the file and its order of
writes.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, cast

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    select,
    text,
)

from kiosk import KioskError, projection, schema
from kiosk.journal_event import Event, JournalError
from kiosk.journal_faults import DiskFullFailpoint, Failpoint

__all__ = [
    "GENESIS",
    "Event",
    "EventSpec",
    "Journal",
    "JournalError",
    "VerifyReport",
    "canonical",
    "chain_hash",
    "explain",
    "metadata",
]

GENESIS = "0" * 64

metadata = MetaData()

events_table = Table(
    "events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("txn_id", String(64), index=True),
    Column("actor", String(64)),
    Column("payload", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)
# The event row is written through the driver (sqlite3 keeps it prepared): through
# SQLAlchemy's execute it cost about a third of an fsynced commit (bench/journal.py).
_INSERT_EVENT_SQL = (
    "INSERT INTO events (seq, at, kind, txn_id, actor, payload, prev_hash, hash) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)

# One row, rewritten by Journal.probe: outside the chain, it proves a commit reaches the disk.
write_probe = Table(
    "write_probe",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", Text),
)


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    events: int
    first_bad_seq: int | None = None
    problem: str = ""


# One encoder, built once: json.dumps with options builds a new one per call.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(payload: Mapping[str, Any]) -> str:
    return _CANONICAL.encode(payload)


def chain_hash(
    prev_hash: str,
    seq: int,
    at: str,
    kind: str,
    txn_id: str | None,
    actor: str | None,
    payload_text: str,
) -> str:
    material = "\x1f".join((prev_hash, str(seq), at, kind, txn_id or "", actor or "", payload_text))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


Projector = Callable[[Connection, Event], None]
EventSpec = tuple[str, Mapping[str, Any], str | None]  # kind, payload, txn id


class Journal:
    """Thread-safe: one writer at a time under a lock; each append is one fsynced commit.

    Appends go through one connection held for them (``_writer``), not one checked out of
    the pool per append; it is dropped after a failed write, so the next append opens afresh.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        projector: Projector | None = None,
        clock: Callable[[], str] = utc_now,
    ) -> None:

        self.path = Path(path)
        self._project = projector or projection.apply
        self._clock = clock
        self._lock = threading.RLock()
        self._writer: tuple[Connection, sqlite3.Cursor] | None = None
        self._failpoint = Failpoint.from_environment()
        self._diskfull = DiskFullFailpoint.from_environment(self.path.parent)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._database = _sqlite_database(self.path)
            schema.migrate(self._database, self.path)
        except JournalError:
            raise
        except Exception as exc:
            raise JournalError(explain(self.path, "cannot open the journal", exc)) from exc
        with self._database.connect() as conn:
            last = conn.execute(
                select(events_table.c.seq, events_table.c.hash)
                .order_by(events_table.c.seq.desc())
                .limit(1)
            ).first()
        self._last_seq: int = int(last[0]) if last else 0
        self._last_hash: str = str(last[1]) if last else GENESIS

    @property
    def database(self) -> Engine:
        """The journal's SQLAlchemy engine (named for what it is: "engine" is the kiosk's)."""
        return self._database

    @property
    def last_seq(self) -> int:
        return self._last_seq

    def close(self) -> None:
        with self._lock:
            self._drop_writer()
        self._database.dispose()

    def _writer_connection(self) -> tuple[Connection, sqlite3.Cursor]:
        """The writer, and a cursor on its driver connection kept for the event rows."""
        if self._writer is None:
            conn = self._database.connect()
            self._writer = conn, _driver(conn).cursor()
        return self._writer

    def _drop_writer(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            try:
                writer[0].invalidate()  # never back to the pool: it may be read-only now
                writer[0].close()
            except Exception:  # noqa: BLE001, S110 - it is being thrown away
                pass

    def append(
        self,
        kind: str,
        payload: Mapping[str, Any] | None = None,
        *,
        txn_id: str | None = None,
        actor: str | None = None,
    ) -> Event:
        """Write one event (and its derived state) durably; return it once it is on disk."""
        return self.append_many(lambda _conn: [(kind, payload or {}, txn_id)], actor=actor)[0]

    def append_many(
        self,
        build: Callable[[Connection], Sequence[EventSpec]],
        *,
        actor: str | None = None,
    ) -> list[Event]:
        """Append several events in ONE database transaction (all or none reach the disk).

        ``build`` runs inside that transaction, so what it reads (a counter, a row) cannot
        change before its events are written.
        """
        with self._lock:
            seq, digest = self._last_seq, self._last_hash
            try:
                written = self._commit(build, actor)
            except BaseException as exc:
                # Closing the connection rolls back whatever the failure left uncommitted.
                self._last_seq, self._last_hash = seq, digest
                self._drop_writer()
                if isinstance(exc, KioskError) or not isinstance(exc, Exception):
                    raise
                raise JournalError(explain(self.path, "cannot write the journal", exc)) from exc
            if self._failpoint is not None:
                self._failpoint.after_commit([ev.kind for ev in written])
            return written

    def _commit(
        self, build: Callable[[Connection], Sequence[EventSpec]], actor: str | None
    ) -> list[Event]:
        """One transaction of the writer, begun and committed on the driver: through
        SQLAlchemy's ``begin()`` the bookkeeping cost a tenth of an fsynced commit."""
        conn, db = self._writer_connection()
        db.execute("BEGIN IMMEDIATE")
        specs = list(build(conn))
        if self._diskfull is not None:
            self._diskfull.before_commit([kind for kind, _p, _t in specs])
        written = [self._write(conn, db, *spec, actor) for spec in specs]
        if conn.in_transaction():
            conn.commit()  # build read through SQLAlchemy, which joined this transaction
        else:
            db.execute("COMMIT")
        return written

    def _write(
        self,
        conn: Connection,
        db: sqlite3.Cursor,
        kind: str,
        payload: Mapping[str, Any],
        txn_id: str | None,
        actor: str | None,
    ) -> Event:
        seq = self._last_seq + 1
        at = self._clock()
        text = canonical(payload)
        digest = chain_hash(self._last_hash, seq, at, kind, txn_id, actor, text)
        db.execute(_INSERT_EVENT_SQL, (seq, at, kind, txn_id, actor, text, self._last_hash, digest))
        written = Event(seq, at, kind, txn_id, actor, json.loads(text), self._last_hash, digest)
        self._project(conn, written)
        self._last_seq, self._last_hash = seq, digest
        return written

    def probe(self) -> None:
        """Prove that a commit reaches the disk now, or raise JournalError saying why not.

        The row lives outside the chain; rewriting it still appends to the WAL, which is what
        a money event needs room for.
        """
        with self._lock:
            try:
                with self._database.begin() as conn:
                    conn.execute(
                        text("INSERT OR REPLACE INTO write_probe (id, at) VALUES (1, :at)"),
                        {"at": self._clock()},
                    )
            except Exception as exc:
                # A connection SQLite opened read-only stays read-only: open afresh next time,
                # so a file made writable again (or a remounted disk) is seen.
                self._drop_writer()
                self._database.dispose()
                raise JournalError(explain(self.path, "cannot write the journal", exc)) from exc

    def write_state(self, fn: Callable[[Connection], None]) -> None:
        """Write to a table outside the chain (e.g. a lockout counter), under the same lock."""
        with self._lock, self._database.begin() as conn:
            fn(conn)

    def read(self, query: Callable[[Connection], Any]) -> Any:
        with self._lock, self._database.connect() as conn:
            return query(conn)

    def events(
        self, *, txn_id: str | None = None, since_seq: int = 0, kinds: tuple[str, ...] = ()
    ) -> list[Event]:
        stmt = select(events_table).where(events_table.c.seq > since_seq)
        if txn_id is not None:
            stmt = stmt.where(events_table.c.txn_id == txn_id)
        if kinds:
            stmt = stmt.where(events_table.c.kind.in_(kinds))
        rows = self.read(lambda c: c.execute(stmt.order_by(events_table.c.seq)).all())
        return [_event(row) for row in rows]

    def count(self) -> int:
        return int(
            self.read(
                lambda c: c.execute(select(func.count()).select_from(events_table)).scalar_one()
            )
        )

    def iter_events(self, batch: int = 1000) -> Iterator[Event]:
        after = 0
        while True:
            stmt = (
                select(events_table)
                .where(events_table.c.seq > after)
                .order_by(events_table.c.seq)
                .limit(batch)
            )
            rows = self._rows(stmt)
            if not rows:
                return
            for row in rows:
                yield _event(row)
            after = rows[-1].seq

    def _rows(self, stmt: Any) -> list[Any]:
        return list(self.read(lambda c: c.execute(stmt).all()))

    def verify(self) -> VerifyReport:
        """Walk the whole chain; report the first row whose hash or link is wrong."""
        prev, expected_seq, count = GENESIS, 1, 0
        for ev in self.iter_events():
            count += 1
            if ev.seq != expected_seq:
                return VerifyReport(False, count, ev.seq, f"row {expected_seq} is missing")
            if ev.prev_hash != prev:
                return VerifyReport(False, count, ev.seq, "link to the previous row is broken")
            digest = chain_hash(
                prev, ev.seq, ev.at, ev.kind, ev.txn_id, ev.actor, canonical(ev.payload)
            )
            if digest != ev.hash:
                return VerifyReport(False, count, ev.seq, "contents do not match the row's hash")
            prev, expected_seq = ev.hash, expected_seq + 1
        return VerifyReport(True, count)

    def export(self, out: IO[str]) -> int:
        written = 0
        for ev in self.iter_events():
            out.write(json.dumps(ev.as_json(), ensure_ascii=False) + "\n")
            written += 1
        return written

    def rebuild(self) -> None:
        """Recompute all derived state from the events (repair, or to check the projection)."""

        with self._lock, self._database.begin() as conn:
            projection.reset(conn)
            after = 0
            while True:
                rows = conn.execute(
                    select(events_table)
                    .where(events_table.c.seq > after)
                    .order_by(events_table.c.seq)
                    .limit(1000)
                ).all()
                if not rows:
                    break
                for row in rows:
                    self._project(conn, _event(row))
                after = rows[-1].seq


def explain(path: Path, what: str, exc: BaseException) -> str:
    """One line for a JournalError: the file, what failed, why, and what to do about it.

    SQLite's own words are kept (the engine tells a full disk from a read-only one by them)
    without the SQL statement and parameters SQLAlchemy appends.
    """
    cause = getattr(exc, "orig", None) or exc
    reason = cause.strerror if isinstance(cause, OSError) and cause.strerror else str(cause)
    reason = reason.splitlines()[0] if reason else type(cause).__name__
    words = reason.lower()
    folder = path.parent
    if "readonly" in words or "read-only" in words:
        todo = (
            f"the journal is read-only: make {path} and {folder} writable by the user the "
            "kiosk runs as (or remount the disk read-write)"
        )
    elif "full" in words:
        todo = f"free space on the disk that holds {folder}"
    elif "i/o error" in words:
        todo = (
            f"the disk that holds {folder} reports I/O errors (a failing card, or a file "
            "system the kernel turned read-only): see `dmesg`, repair it (fsck) or replace it, "
            "then restart the kiosk; what was committed before is kept"
        )
    elif "not a database" in words or "malformed" in words:
        todo = (
            f"{path} is not an intact kiosk journal: move it away and restore the last "
            "backup (`kiosk journal verify --journal FILE` checks a copy)"
        )
    elif isinstance(cause, NotADirectoryError | FileExistsError):
        todo = f"a file is in the way of the directory {folder}: point kiosk.data_dir elsewhere"
    else:  # unable to open database file, permission denied, no such directory
        todo = (
            f"make {folder} an existing directory writable by the user the kiosk runs as "
            "(the journal and its -wal and -shm files live there)"
        )
    return f"{what} {path}: {reason}; {todo}"


def _event(row: Any) -> Event:
    return Event(
        row.seq,
        row.at,
        row.kind,
        row.txn_id,
        row.actor,
        json.loads(row.payload),
        row.prev_hash,
        row.hash,
    )


def _sqlite_database(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        # pysqlite's own transaction handling is switched off so that BEGIN is ours.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # Straight to the driver: through exec_driver_sql it cost a tenth of a commit. An
        # append has begun already (Journal._commit): what its build reads joins that one.
        db = _driver(conn)
        if not db.in_transaction:
            db.execute("BEGIN IMMEDIATE")

    return engine


def _driver(conn: Connection) -> sqlite3.Connection:
    """The sqlite3 connection under ``conn``; what runs on it joins ``conn``'s transaction."""
    return cast(sqlite3.Connection, conn.connection.driver_connection)
