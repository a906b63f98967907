"""Technician settings that must survive a restart (kept beside the journal, outside the chain;
every change is also an audit event in the chain)."""

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


def _ensure(journal: Journal) -> None:
    metadata.create_all(journal.engine)


def load_disabled_methods(journal: Journal) -> set[str]:
    _ensure(journal)
    value = journal.read(
        lambda c: c.execute(
            select(settings.c.value).where(settings.c.name == "disabled_methods")
        ).scalar()
    )
    return set(json.loads(value)) if value else set()


def save_disabled_methods(journal: Journal, methods: set[str]) -> None:
    _ensure(journal)

    def write(conn):  # type: ignore[no-untyped-def]
        conn.execute(delete(settings).where(settings.c.name == "disabled_methods"))
        conn.execute(
            insert(settings).values(name="disabled_methods", value=json.dumps(sorted(methods)))
        )

    journal.write_state(write)
