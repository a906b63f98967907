"""The migrated schema is exactly the code's schema; central.toml stays strict."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from central import migrate
from central.config import DEFAULT_CONFIG, CentralConfigError, load
from central.db import make_engine, require_schema
from central.errors import DatabaseError
from central.schema_all import metadata


def test_migrations_create_exactly_the_declared_schema(backend_url: str) -> None:
    engine = make_engine(backend_url)
    try:
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.HEAD_REVISION
        with engine.connect() as conn:
            differences = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), metadata
            )
        assert differences == []
        assert {"payments", "ledger_entries", "nonces", "rate_limits"} <= set(
            inspect(engine).get_table_names()
        )
        require_schema(engine)
    finally:
        engine.dispose()


def test_sqlite_runs_in_wal_with_synchronous_full(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    finally:
        engine.dispose()


def test_an_unmigrated_database_is_refused_clearly(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        with pytest.raises(DatabaseError, match="init-db"):
            require_schema(engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize("url", ["mysql://x/y", "postgresql+psycopg2://u@h/d", "not a url"])
def test_unsupported_database_urls_are_refused(url: str) -> None:
    with pytest.raises(DatabaseError):
        make_engine(url)


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "central.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("max_batch = 500", "max_batch = 500\nmax_bach = 1", r"payments\.max_bach"),
        ('timezone = "Asia/Shanghai"', 'timezone = "Mars/Olympus"', r"server.*Mars/Olympus"),
        ("in_progress_wait_ms = 3000", "in_progress_wait_ms = 0", r"payments\.in_progress_wait_ms"),
        (
            "residential_daily_rate = 0.001",
            "residential_daily_rate = 1.5",
            r"late_fee\.residential_daily_rate",
        ),
        (
            'secret_key = "demo-secret-key-change-me-in-production"',
            'secret_key = "short"',
            r"server\.secret_key",
        ),
        ("max_batch = 500", 'max_batch = "500"', r"payments\.max_batch"),
    ],
)
def test_config_is_strict(tmp_path: Path, old: str, new: str, message: str) -> None:
    with pytest.raises(CentralConfigError, match=message):
        load(_variant(tmp_path, old, new), env={})


def test_environment_overrides_secrets_and_urls() -> None:
    config = load(
        env={
            "CENTRAL_DATABASE_URL": "postgresql+psycopg://u@h/d",
            "CENTRAL_SECRET_KEY": "k" * 32,
            "CENTRAL_RECEIPT_KEY": "r" * 32,
            "CENTRAL_PUBLIC_URL": "https://pay.example.org",
        }
    )
    assert config.server.database_url == "postgresql+psycopg://u@h/d"
    assert config.server.secret_key == "k" * 32
    assert config.server.receipt_key == "r" * 32
    assert config.server.public_url == "https://pay.example.org"
    assert "k" * 32 not in repr(config)
