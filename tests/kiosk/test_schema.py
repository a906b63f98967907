"""Schema versions of the journal file: upgrade of a release's file, refusal of a newer one."""

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Table

from kiosk import journal as journal_module
from kiosk import projection, schema, settings, technicians
from kiosk.journal import Journal, JournalError
from kiosk.schema import SchemaTooNew

FIXTURES = Path(__file__).parent / "fixtures"
RELEASE_JOURNAL = FIXTURES / "journal_release_28998ad.db"  # make_release_journal.py made it


def user_version(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


def projection_rows(journal: Journal) -> dict[str, list]:
    tables = projection.metadata.sorted_tables
    return journal.read(
        lambda c: {t.name: sorted(map(tuple, c.execute(t.select()).all())) for t in tables}
    )


@pytest.fixture
def release_copy(tmp_path: Path) -> Path:
    path = tmp_path / "journal.db"
    shutil.copyfile(RELEASE_JOURNAL, path)
    return path


def test_the_fixture_is_a_file_of_the_release_without_versions() -> None:
    assert user_version(RELEASE_JOURNAL) == 0
    with sqlite3.connect(RELEASE_JOURNAL) as db:
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "events" in names and "suspects" in names and "write_probe" not in names


def test_a_release_journal_is_upgraded_keeping_every_event(release_copy: Path) -> None:
    with sqlite3.connect(RELEASE_JOURNAL) as db:
        before = db.execute("SELECT * FROM events ORDER BY seq").fetchall()
        stored = {
            t.name: sorted(db.execute(f"SELECT * FROM {t.name}").fetchall())
            for t in projection.metadata.sorted_tables
        }
    journal = Journal(release_copy)
    try:
        assert user_version(release_copy) == schema.CURRENT
        after = journal.read(
            lambda c: list(map(tuple, c.execute(journal_module.events_table.select()).all()))
        )
        assert after == before
        report = journal.verify()
        assert report.ok and report.events == len(before) == 29
        assert projection_rows(journal) == stored
        journal.rebuild()
        assert projection_rows(journal) == stored
        # What the release wrote beside the chain is still there and usable.
        assert settings.load_disabled_methods(journal) == {"card"}
        registry = technicians.Registry(journal)
        assert registry.find("T01") is not None
        journal.probe()
        assert journal.append("audit", {"action": "upgraded"}).seq == len(before) + 1
    finally:
        journal.close()
    assert Journal(release_copy).verify().ok


def test_an_empty_file_gets_the_current_version(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    Journal(path).close()
    assert user_version(path) == schema.CURRENT


def test_the_steps_make_exactly_the_tables_the_code_declares(tmp_path: Path) -> None:
    """A column added to a Table without a migration step fails here."""
    path = tmp_path / "steps.db"
    Journal(path).close()
    declared: list[Table] = [
        *journal_module.metadata.sorted_tables,
        *projection.metadata.sorted_tables,
        *settings.metadata.sorted_tables,
        *technicians.metadata.sorted_tables,
    ]
    with sqlite3.connect(path) as db:
        on_disk = {
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        }
        assert on_disk == {t.name for t in declared}
        for table in declared:
            info = db.execute(f"PRAGMA table_info({table.name})").fetchall()
            # SQLite leaves NOT NULL off an INTEGER PRIMARY KEY; a primary key is never null.
            got = [(r[1], r[2], bool(r[3] or r[5]), bool(r[5])) for r in info]
            want = [(c.name, _sqlite_type(c), not c.nullable, c.primary_key) for c in table.columns]
            assert got == want, table.name
            indexes = {r[1] for r in db.execute(f"PRAGMA index_list({table.name})") if r[3] == "c"}
            assert indexes == {i.name for i in table.indexes}, table.name


def _sqlite_type(column) -> str:
    from sqlalchemy.dialects import sqlite

    return column.type.compile(dialect=sqlite.dialect())


def test_a_file_newer_than_the_code_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    Journal(path).close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {schema.CURRENT + 1}")
    with pytest.raises(SchemaTooNew) as refused:
        Journal(path)
    assert isinstance(refused.value, JournalError)
    assert str(path) in str(refused.value) and f"version {schema.CURRENT + 1}" in str(refused.value)
    assert user_version(path) == schema.CURRENT + 1  # left as it was


def test_a_failed_step_leaves_the_file_at_the_version_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "half.db"
    Journal(path).close()

    def breaks(conn) -> None:
        conn.exec_driver_sql("CREATE TABLE half_made (x INTEGER)")
        raise RuntimeError("step failed")

    step = schema.Step(schema.CURRENT + 1, "a step that fails half way", breaks)
    monkeypatch.setattr(schema, "STEPS", (*schema.STEPS, step))
    monkeypatch.setattr(schema, "CURRENT", step.version)
    with pytest.raises(JournalError, match="step failed"):
        Journal(path)
    assert user_version(path) == step.version - 1
    with sqlite3.connect(path) as db:
        assert not db.execute("SELECT 1 FROM sqlite_master WHERE name='half_made'").fetchall()


def test_a_later_step_runs_once_on_a_current_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "next.db"
    Journal(path).close()
    runs: list[int] = []

    def add_column(conn) -> None:
        runs.append(1)
        conn.exec_driver_sql("ALTER TABLE settings ADD COLUMN note TEXT")

    step = schema.Step(schema.CURRENT + 1, "settings.note", add_column)
    monkeypatch.setattr(schema, "STEPS", (*schema.STEPS, step))
    monkeypatch.setattr(schema, "CURRENT", step.version)
    Journal(path).close()
    Journal(path).close()
    assert runs == [1] and user_version(path) == step.version
