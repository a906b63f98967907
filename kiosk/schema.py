"""Schema versions of the kiosk's SQLite database (the journal file) and the steps between them.

One file holds the hash-chained events and every table beside them: the projection's derived
state (``kiosk.projection``), technicians and the login guard (``kiosk.technicians``),
settings (``kiosk.settings``) and the journal's ``write_probe``. Its version is SQLite's
``PRAGMA user_version``, 0 in a file no version was ever written to.

``migrate`` runs when the journal is opened, before anything reads or writes: each step
from the file's version to ``CURRENT`` runs in its own transaction (``BEGIN IMMEDIATE``,
so two processes opening the file at once cannot both apply it) and sets ``user_version``
in that same transaction, so a step is applied entirely or not at all. A file whose version
is newer than this code is refused, naming the file: older code must not write money
events into a layout it does not know.

A step is written down as it was on the day it shipped and never edited afterwards: the
tables in the modules above describe the *latest* schema, the steps describe how a file of
any older version gets there. ``tests/kiosk/test_schema.py`` checks that a file made by
all the steps has exactly the columns and indexes those tables declare, so a column added
to a ``Table`` without a step fails there. docs/journal.md says how to add a step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine

from kiosk.journal_event import JournalError


@dataclass(frozen=True)
class Step:
    version: int  # the user_version a file has once this step has run
    summary: str
    apply: Callable[[Connection], None]


# Version 1: the schema of every release before versions existed (commit 28998ad and
# earlier), plus write_probe, which Journal.probe used to create on demand. Every statement
# is IF NOT EXISTS, so a file of those releases (version 0, some or all tables present) is
# adopted as it is and an empty file gets them all.
_V1 = (
    """CREATE TABLE IF NOT EXISTS events (
    seq INTEGER NOT NULL,
    at VARCHAR(40) NOT NULL,
    kind VARCHAR(40) NOT NULL,
    txn_id VARCHAR(64),
    actor VARCHAR(64),
    payload TEXT NOT NULL,
    prev_hash VARCHAR(64) NOT NULL,
    hash VARCHAR(64) NOT NULL,
    PRIMARY KEY (seq)
)""",
    "CREATE INDEX IF NOT EXISTS ix_events_txn_id ON events (txn_id)",
    """CREATE TABLE IF NOT EXISTS transactions (
    txn_id VARCHAR(64) NOT NULL,
    opened_seq INTEGER NOT NULL,
    account_no VARCHAR(32) NOT NULL,
    holder VARCHAR(64) NOT NULL,
    method VARCHAR(8) NOT NULL,
    amount_due_fen INTEGER NOT NULL,
    target_fen INTEGER NOT NULL,
    created_at VARCHAR(40) NOT NULL,
    state VARCHAR(16) NOT NULL,
    cash_fen INTEGER NOT NULL,
    notes TEXT NOT NULL,
    pending_escrow_fen INTEGER NOT NULL,
    outbox VARCHAR(16) NOT NULL,
    server_ref VARCHAR(64),
    answer TEXT,
    closed_at VARCHAR(40),
    posted_at VARCHAR(40),
    receipt VARCHAR(16) NOT NULL,
    receipt_text TEXT,
    qr_order_id VARCHAR(64),
    card_no VARCHAR(32),
    updated_seq INTEGER NOT NULL,
    PRIMARY KEY (txn_id)
)""",
    """CREATE TABLE IF NOT EXISTS outbox (
    item_id VARCHAR(80) NOT NULL,
    queued_seq INTEGER NOT NULL,
    endpoint VARCHAR(16) NOT NULL,
    txn_id VARCHAR(64),
    amount_fen INTEGER NOT NULL,
    body TEXT NOT NULL,
    queued_at VARCHAR(40) NOT NULL,
    state VARCHAR(16) NOT NULL,
    detail TEXT,
    PRIMARY KEY (item_id)
)""",
    "CREATE INDEX IF NOT EXISTS ix_outbox_queued_seq ON outbox (queued_seq)",
    """CREATE TABLE IF NOT EXISTS suspects (
    suspect_id VARCHAR(80) NOT NULL,
    txn_id VARCHAR(64) NOT NULL,
    account_no VARCHAR(32) NOT NULL,
    denomination_fen INTEGER NOT NULL,
    reason TEXT NOT NULL,
    created_at VARCHAR(40) NOT NULL,
    state VARCHAR(16) NOT NULL,
    resolved_by VARCHAR(64),
    resolution_reason TEXT,
    PRIMARY KEY (suspect_id)
)""",
    """CREATE TABLE IF NOT EXISTS cashbox (
    denomination_fen INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (denomination_fen)
)""",
    """CREATE TABLE IF NOT EXISTS counters (
    name VARCHAR(32) NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (name)
)""",
    """CREATE TABLE IF NOT EXISTS technicians (
    technician_id VARCHAR(32) NOT NULL,
    name VARCHAR(64) NOT NULL,
    role VARCHAR(16) NOT NULL,
    salt VARCHAR(64) NOT NULL,
    pin_hash VARCHAR(128) NOT NULL,
    enabled BOOLEAN NOT NULL,
    created_at VARCHAR(40) NOT NULL,
    PRIMARY KEY (technician_id)
)""",
    """CREATE TABLE IF NOT EXISTS login_guard (
    id INTEGER NOT NULL,
    failures INTEGER NOT NULL,
    locked_until VARCHAR(40),
    PRIMARY KEY (id)
)""",
    """CREATE TABLE IF NOT EXISTS settings (
    name VARCHAR(64) NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (name)
)""",
    "CREATE TABLE IF NOT EXISTS write_probe (id INTEGER PRIMARY KEY, at TEXT)",
)


def _v1(conn: Connection) -> None:
    for statement in _V1:
        conn.exec_driver_sql(statement)


STEPS: tuple[Step, ...] = (
    Step(1, "the tables of the releases before schema versions, and write_probe", _v1),
)
CURRENT = STEPS[-1].version


class SchemaTooNew(JournalError):
    """The file was written by newer kiosk software; this code must not touch it."""

    def __init__(self, path: Path, found: int) -> None:
        super().__init__(
            f"the journal {path} has schema version {found}, newer than this kiosk software "
            f"knows (up to {CURRENT}): install the release that wrote it (or a later one); "
            "do not open it with this one"
        )
        self.path, self.found = path, found


def version(conn: Connection) -> int:
    return int(conn.exec_driver_sql("PRAGMA user_version").scalar_one())


def migrate(engine: Engine, path: Path) -> int:
    """Bring the file to ``CURRENT``, one transaction per step; return the version it had.

    Reads only (no write, no lock) when the file is already current.
    """
    with engine.connect() as conn:
        found = version(conn)
    if found > CURRENT:
        raise SchemaTooNew(path, found)
    for step in STEPS[found:]:
        with engine.begin() as conn:
            now = version(conn)  # another process may have run it since we looked
            if now > CURRENT:
                raise SchemaTooNew(path, now)
            if now >= step.version:
                continue
            step.apply(conn)
            # A PRAGMA cannot take a bound parameter; the value is our own int.
            conn.exec_driver_sql(f"PRAGMA user_version = {int(step.version)}")
    return found
