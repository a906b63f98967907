"""Engines and transactions for SQLite (WAL, synchronous=FULL) and PostgreSQL (psycopg 3).

Write transactions go through ``write()``: on SQLite it begins with ``BEGIN IMMEDIATE`` so two
writers queue on the database lock instead of failing when one upgrades a read lock. On
PostgreSQL every connection has a ``lock_timeout`` (``payments.in_progress_wait_ms``), so a
request waiting on another one that holds the same idempotency key gives up with 409
in_progress instead of hanging; a deadlock (which the lock order should prevent) is a 409 too.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.sql.dml import Insert

from central.errors import ApiError, DatabaseError

log = logging.getLogger("central.db")

SQLITE_BUSY_TIMEOUT_MS = 10_000
_BEGIN_IMMEDIATE = "central_begin_immediate"
# SQLite takes one writer at a time. Within a process, writers queue on this lock and wake as
# soon as it is free; SQLite's own busy handler (for other processes) sleeps and retries, which
# under load leaves some requests waiting far longer than others.
_SQLITE_WRITERS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()


def make_engine(url: str, *, pool_size: int = 10, lock_wait_ms: int = 3000) -> Engine:
    """An engine for ``url``; SQLite files get WAL, synchronous=FULL and a busy timeout."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(
            f"{url!r} is not a database URL (use sqlite:///path.db or "
            "postgresql+psycopg://user@host/db)"
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            parsed,
            pool_size=pool_size,
            max_overflow=pool_size,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        _configure_sqlite(engine)
        _SQLITE_WRITERS[engine] = threading.Lock()
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            raise DatabaseError(f"use the psycopg 3 driver: postgresql+psycopg://... not {url!r}")
        # No pool_pre_ping (a round trip per transaction): a dropped connection fails one
        # request with 503, and SQLAlchemy then replaces the pool's connections.
        return create_engine(
            parsed,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_timeout=30,
            connect_args={
                "connect_timeout": 10,
                "options": f"{_url_options(parsed.query)} -c lock_timeout={lock_wait_ms:d}".strip(),
            },
        )
    raise DatabaseError(f"unsupported database {parsed.get_backend_name()!r}: SQLite or PostgreSQL")


def _url_options(query: Mapping[str, Any]) -> str:
    """libpq options given in the URL (say a search_path), kept next to our lock_timeout."""
    given = query.get("options") or ""
    return given if isinstance(given, str) else " ".join(given)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own BEGIN is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(_BEGIN_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def write(engine: Engine) -> Iterator[Connection]:
    """One write transaction: committed on leaving, rolled back on an exception.

    A lock wait that runs out (another request holds the same row) becomes 409 in_progress;
    SQLite's database lock held past the busy timeout becomes 503 database_busy.
    """
    writers = _SQLITE_WRITERS.get(engine)
    if writers is not None and not writers.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
        raise ApiError(503, "database_busy", retry_after_s=1)
    try:
        immediate = engine.connect().execution_options(**{_BEGIN_IMMEDIATE: True})
        with immediate as conn, conn.begin():
            yield conn
    except OperationalError as exc:
        raise _translate_operational(exc) from exc
    finally:
        if writers is not None:
            writers.release()


@contextmanager
def read(engine: Engine) -> Iterator[Connection]:
    """One read transaction (a consistent snapshot on SQLite WAL)."""
    try:
        with engine.connect() as conn, conn.begin():
            yield conn
    except OperationalError as exc:
        raise _translate_operational(exc) from exc


def _translate_operational(exc: OperationalError) -> Exception:
    text = str(exc.orig) if exc.orig is not None else str(exc)
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in ("55P03", "40P01"):  # lock_timeout ran out; deadlock
        return ApiError(409, "in_progress", retry_after_s=1)
    if exc.connection_invalidated:
        log.warning("lost a database connection: %s", text)
        return DatabaseError(f"lost the database connection: {text}")
    if "database is locked" in text or "database is busy" in text:
        log.warning("SQLite stayed locked past the busy timeout")
        return ApiError(503, "database_busy", retry_after_s=1)
    if "no such table" in text or sqlstate == "42P01":
        return DatabaseError("the database has no schema: run `kiosk-central init-db`")
    return exc


def insert_ignoring_conflict(
    conn: Connection, table: Table, values: Mapping[str, Any], index_elements: Sequence[str]
) -> Insert:
    """INSERT ... ON CONFLICT (index_elements) DO NOTHING for this connection's dialect."""
    insert: Any = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement: Insert = (
        insert(table).values(**values).on_conflict_do_nothing(index_elements=list(index_elements))
    )
    return statement


def dialect_insert(conn: Connection, table: Table) -> Any:
    """The dialect's own insert() (with on_conflict_do_update) for upserts."""
    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)


def require_schema(engine: Engine) -> None:
    """Refuse to serve a database that init-db has not prepared (clear message, no 500s)."""
    from central.migrate import HEAD_REVISION, current_revision

    try:
        names = set(inspect(engine).get_table_names())
    except OperationalError as exc:
        raise DatabaseError(f"cannot open the database: {exc.orig}") from exc
    if "kiosks" not in names:
        raise DatabaseError("the database has no schema: run `kiosk-central init-db` first")
    revision = current_revision(engine)
    if revision != HEAD_REVISION:
        raise DatabaseError(
            f"the database schema is at revision {revision}, this server needs "
            f"{HEAD_REVISION}: run `kiosk-central init-db` to migrate it"
        )
