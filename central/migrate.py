"""Apply the Alembic migrations in central/migrations (what `kiosk-central init-db` runs)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
HEAD_REVISION = "0008_alert_fields"


def alembic_config(engine: Engine, secret_key: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    config.attributes["secret_key"] = secret_key  # for migrations that re-seal rows (0004)
    return config


def upgrade(engine: Engine, secret_key: str | None = None) -> str:
    """Bring the schema to the newest revision; returns the revision before (or 'empty').

    ``secret_key`` (``server.secret_key``) is needed when a migration must re-seal rows that
    exist (0004 with kiosks or cards in the database); it says so when it is missing.
    """
    before = current_revision(engine) or "empty"
    command.upgrade(alembic_config(engine, secret_key), "head")
    return before


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
