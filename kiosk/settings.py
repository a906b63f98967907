"""Technician settings that must survive a restart (kept beside the journal, outside the chain;
every change is also an audit event in the chain). The table is made by ``kiosk.schema``
when the journal is opened."""

from __future__ import annotations

import json

from sqlalchemy import Column, MetaData, String, Table, Text, delete, insert, select

from kiosk.journal import Journal

metadata = MetaData()

settings = Table(
    "settings",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)


def load_disabled_methods(journal: Journal) -> set[str]:
    value = journal.read(
        lambda c: c.execute(
            select(settings.c.value).where(settings.c.name == "disabled_methods")
        ).scalar()
    )
    return set(json.loads(value)) if value else set()


def save_disabled_methods(journal: Journal, methods: set[str]) -> None:

    def write(conn):  # type: ignore[no-untyped-def]
        conn.execute(delete(settings).where(settings.c.name == "disabled_methods"))
        conn.execute(
            insert(settings).values(name="disabled_methods", value=json.dumps(sorted(methods)))
        )

    journal.write_state(write)


RESTAMP_PREFIX = "restamp:"


def load_restamps(journal: Journal) -> dict[str, str]:
    """Outbox item id -> the ``created_at`` it is posted with instead of its own (outbox.py)."""
    rows = journal.read(
        lambda c: c.execute(
            select(settings.c.name, settings.c.value).where(
                settings.c.name.startswith(RESTAMP_PREFIX)
            )
        ).all()
    )
    return {row.name.removeprefix(RESTAMP_PREFIX): row.value for row in rows}


def save_restamp(journal: Journal, item_id: str, created_at: str) -> None:
    name = RESTAMP_PREFIX + item_id

    def write(conn):  # type: ignore[no-untyped-def]
        conn.execute(delete(settings).where(settings.c.name == name))
        conn.execute(insert(settings).values(name=name, value=created_at))

    journal.write_state(write)


LOCK_SETTING = "lock_message"


def load_lock_message(journal: Journal) -> str | None:
    """The operator's out-of-service message while the kiosk is locked remotely, else None."""
    value = journal.read(
        lambda c: c.execute(
            select(settings.c.value).where(settings.c.name == LOCK_SETTING)
        ).scalar()
    )
    return str(value) if value else None


def save_lock_message(journal: Journal, message: str | None) -> None:
    def write(conn):  # type: ignore[no-untyped-def]
        conn.execute(delete(settings).where(settings.c.name == LOCK_SETTING))
        if message:
            conn.execute(insert(settings).values(name=LOCK_SETTING, value=message))

    journal.write_state(write)
