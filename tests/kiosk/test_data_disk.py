"""Why a journal write failed, in words a technician can act on (kiosk/data_disk.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from kiosk import data_disk
from kiosk.journal import explain


def test_each_failure_is_named_by_what_the_technician_must_do(tmp_path: Path) -> None:
    journal = tmp_path / "journal.db"
    cases = {
        "attempt to write a readonly database": "data disk read-only",
        "database or disk is full": None,  # the disk here has room: SQLite's words decide
        "disk I/O error": "data disk failing",
        "no such table: events": "journal write failed on",
    }
    for words, start in cases.items():
        line = data_disk.explain_write_failure(sqlite3.OperationalError(words), tmp_path, journal)
        assert line.startswith(start or "data disk full"), (words, line)
    failing = data_disk.explain_write_failure(
        sqlite3.OperationalError("disk I/O error"), tmp_path, journal
    )
    assert "repair or replace the card" in failing


def test_the_journal_error_says_what_to_do_about_io_errors(tmp_path: Path) -> None:
    line = explain(
        tmp_path / "journal.db", "cannot write the journal", OSError(5, "disk I/O error")
    )
    assert "dmesg" in line and "fsck" in line
    assert "writable by the user" not in line  # not a permissions problem
