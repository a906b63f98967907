"""Alembic environment: runs on the engine that central.migrate passes in (no alembic.ini)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from central.schema_all import metadata

engine = context.config.attributes["engine"]
assert isinstance(engine, Engine)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
