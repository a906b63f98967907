import io
import json
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kiosk import projection
from kiosk.journal import Journal, JournalError, canonical
from kiosk.projection import Kind


@pytest.fixture
def journal(tmp_path: Path):
    j = Journal(tmp_path / "journal.db")
    yield j
    j.close()


def open_cash(journal: Journal, seq: int = 1) -> str:
    txn = f"K0001-{seq:08d}"
    journal.append(
        Kind.OPENED, {"seq": seq, "account_no": "1234567890", "method": "cash"}, txn_id=txn
    )
    return txn


def test_pragmas_are_wal_and_full_sync(journal: Journal) -> None:
    with journal.database.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_cash_events_update_transaction_and_cashbox(journal: Journal) -> None:
    txn = open_cash(journal)
    journal.append(Kind.ESCROW, {"denomination_fen": 10000, "decision": "stack"}, txn_id=txn)
    row = journal.read(lambda c: c.execute(projection.transactions.select()).one())
    assert row.pending_escrow_fen == 10000
    journal.append(Kind.STACKED, {"denomination_fen": 10000}, txn_id=txn)
    journal.append(Kind.ESCROW, {"denomination_fen": 5000, "decision": "return"}, txn_id=txn)
    journal.append(Kind.RETURNED, {"denomination_fen": 5000}, txn_id=txn)
    row = journal.read(lambda c: c.execute(projection.transactions.select()).one())
    assert (row.cash_fen, json.loads(row.notes), row.pending_escrow_fen) == (10000, {"10000": 1}, 0)
    cashbox = journal.read(lambda c: c.execute(projection.cashbox.select()).all())
    assert [(r.denomination_fen, r.count) for r in cashbox] == [(10000, 1)]


def test_rebuild_reproduces_derived_state(journal: Journal) -> None:
    txn = open_cash(journal)
    journal.append(Kind.STACKED, {"denomination_fen": 2000}, txn_id=txn)
    journal.append(Kind.CLOSED, {"total_fen": 2000}, txn_id=txn)
    journal.append(
        Kind.QUEUED,
        {"item_id": txn, "endpoint": "payments", "amount_fen": 2000, "body": {"txn_id": txn}},
        txn_id=txn,
    )

    def dump(c):
        return [c.execute(t.select()).all() for t in projection.metadata.sorted_tables]

    before = journal.read(dump)
    journal.rebuild()
    assert journal.read(dump) == before


def test_verify_finds_the_first_edited_row(journal: Journal, tmp_path: Path) -> None:
    txn = open_cash(journal)
    for _ in range(3):
        journal.append(Kind.STACKED, {"denomination_fen": 1000}, txn_id=txn)
    assert journal.verify().ok
    raw = sqlite3.connect(tmp_path / "journal.db")
    raw.execute("UPDATE events SET payload = '{\"denomination_fen\":10000}' WHERE seq = 3")
    raw.commit()
    raw.close()
    report = journal.verify()
    assert (report.ok, report.first_bad_seq) == (False, 3)


def test_verify_finds_a_deleted_row(journal: Journal, tmp_path: Path) -> None:
    txn = open_cash(journal)
    journal.append(Kind.STACKED, {"denomination_fen": 1000}, txn_id=txn)
    journal.append(Kind.STACKED, {"denomination_fen": 1000}, txn_id=txn)
    raw = sqlite3.connect(tmp_path / "journal.db")
    raw.execute("DELETE FROM events WHERE seq = 2")
    raw.commit()
    raw.close()
    report = journal.verify()
    assert not report.ok and report.first_bad_seq == 3


def test_a_failed_batch_writes_nothing_and_the_chain_continues(journal: Journal) -> None:
    txn = open_cash(journal)

    def build(_conn):
        return [
            (Kind.STACKED.value, {"denomination_fen": 1000}, txn),
            (Kind.STACKED.value, {"denomination_fen": 1000}, "K0001-99999999"),
        ]

    with pytest.raises(JournalError):
        journal.append_many(build)
    assert journal.count() == 1
    journal.append(Kind.STACKED, {"denomination_fen": 1000}, txn_id=txn)
    assert journal.verify().ok and journal.count() == 2


def test_concurrent_appends_keep_one_chain(journal: Journal) -> None:
    txn = open_cash(journal)

    def writer() -> None:
        for _ in range(25):
            journal.append(Kind.AUDIT, {"action": "x"}, txn_id=txn)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert journal.count() == 101 and journal.verify().ok


def test_reopen_continues_the_chain(tmp_path: Path) -> None:
    first = Journal(tmp_path / "j.db")
    open_cash(first)
    first.close()
    second = Journal(tmp_path / "j.db")
    second.append(Kind.AUDIT, {"action": "restart"})
    assert second.verify().ok and second.last_seq == 2
    second.close()


def test_export_writes_json_lines(journal: Journal) -> None:
    open_cash(journal)
    out = io.StringIO()
    assert journal.export(out) == 1
    line = json.loads(out.getvalue())
    assert line["kind"] == "opened" and line["txn_id"] == "K0001-00000001"


def test_cli_verify_and_export(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    j = Journal(path)
    open_cash(j)
    j.close()
    cmd = [sys.executable, "-m", "kiosk.cli", "journal"]
    done = subprocess.run(
        [*cmd, "verify", "--journal", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and json.loads(done.stdout)["events"] == 1
    raw = sqlite3.connect(path)
    raw.execute("UPDATE events SET at = 'x' WHERE seq = 1")
    raw.commit()
    raw.close()
    done = subprocess.run(
        [*cmd, "verify", "--journal", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1 and json.loads(done.stdout)["first_bad_seq"] == 1
    done = subprocess.run(
        [*cmd, "export", "--journal", str(path)], capture_output=True, text=True, check=False
    )
    assert json.loads(done.stdout.splitlines()[0])["seq"] == 1


def test_an_append_is_committed_when_it_returns(journal: Journal, tmp_path: Path) -> None:
    # Appends share one held connection: none may leave its transaction (or the write lock) open.
    txn = open_cash(journal)
    journal.append(Kind.STACKED, {"denomination_fen": 1000}, txn_id=txn)
    raw = sqlite3.connect(tmp_path / "journal.db", isolation_level=None, timeout=0)
    try:
        raw.execute("BEGIN IMMEDIATE")  # fails with "database is locked" if the writer holds it
        assert raw.execute("SELECT count(*) FROM events").fetchone() == (2,)
        raw.execute("ROLLBACK")
    finally:
        raw.close()


def test_a_failed_append_keeps_the_last_seq_and_hash(journal: Journal) -> None:
    txn = open_cash(journal)
    before = (journal.last_seq, journal.events()[-1].hash)
    with pytest.raises(JournalError):
        journal.append(Kind.STACKED, {"denomination_fen": 1000}, txn_id="K0001-99999999")
    assert (journal.last_seq, journal.events()[-1].hash) == before
    after = journal.append(Kind.STACKED, {"denomination_fen": 1000}, txn_id=txn)
    assert (after.seq, after.prev_hash) == (before[0] + 1, before[1]) and journal.verify().ok


def test_canonical_payload_text_is_unchanged() -> None:
    # The chain hashes this text: its format must never change, or old journals fail verify.
    payload = {"b": 1, "a": {"z": [1, 2], "y": "王*明"}, "c": None}
    assert canonical(payload) == '{"a":{"y":"王*明","z":[1,2]},"b":1,"c":null}'


def unlocked(path: Path) -> bool:
    raw = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        raw.execute("BEGIN IMMEDIATE")  # "database is locked" while a writer holds it
        raw.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        raw.close()


def test_a_build_reading_through_sqlalchemy_joins_the_append(
    journal: Journal, tmp_path: Path
) -> None:
    # The append begins its transaction on the driver; a build's SQLAlchemy reads must join it
    # (not begin another) and the append must still commit and leave nothing open.
    txn = open_cash(journal)

    def build(conn):
        row = conn.execute(projection.transactions.select()).one()
        return [(Kind.STACKED.value, {"denomination_fen": row.cash_fen + 500}, txn)]

    assert journal.append_many(build)[0].payload == {"denomination_fen": 500}
    assert unlocked(tmp_path / "journal.db")
    journal.append(Kind.STACKED, {"denomination_fen": 1000}, txn_id=txn)
    row = journal.read(lambda c: c.execute(projection.transactions.select()).one())
    assert (row.cash_fen, journal.count()) == (1500, 3) and journal.verify().ok


def test_a_build_that_fails_after_reading_writes_nothing(journal: Journal, tmp_path: Path) -> None:
    txn = open_cash(journal)

    def build(conn):
        conn.execute(projection.transactions.select()).one()
        return [
            (Kind.STACKED.value, {"denomination_fen": 1000}, txn),
            (Kind.STACKED.value, {"denomination_fen": 1000}, "K0001-99999999"),
        ]

    with pytest.raises(JournalError, match="unknown transaction"):
        journal.append_many(build)
    assert unlocked(tmp_path / "journal.db") and journal.count() == 1
    row = journal.read(lambda c: c.execute(projection.transactions.select()).one())
    assert (row.cash_fen, journal.last_seq) == (0, 1)
    journal.append(Kind.STACKED, {"denomination_fen": 1000}, txn_id=txn)
    assert journal.verify().ok and journal.count() == 2
