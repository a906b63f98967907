"""Journal commits per second, next to a bare SQLite baseline measured in the same run.

    .venv/bin/python bench/journal.py [--count 2000] [--dir DIR]

1. journal: ``Journal.append`` of single events (one fsynced commit each: WAL, synchronous=FULL,
   hash chain, projection) of a cash payment's kinds, as the engine writes them;
2. baseline: a bare ``sqlite3`` INSERT + COMMIT of a row of the same size with the same
   pragmas (WAL, synchronous=FULL), on the same disk;
3. same-writes baseline: bare ``sqlite3`` doing per commit what an append does, in a file
   with the journal's tables and indexes: the event row (its txn_id index too) and the
   projection's reads and writes (transactions, counters, cashbox). A commit costs about
   in proportion to the pages it writes, so this is the floor for the journal's work;
4. for context, the bare baseline with synchronous=NORMAL (no fsync per commit in WAL).

Prints commits/s and the journal's share of the baseline. Nothing is asserted: the disk
decides the absolute figures (about 0.3 ms per FULL commit on a fast SSD, several ms
on SD/eMMC); the ratio is what to compare. ``--dir`` puts the files on the disk to measure
(default: a temporary directory).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.journal import Journal
from kiosk.projection import Kind


def bench_journal(path: Path, count: int) -> float:
    journal = Journal(path)
    try:
        began = time.perf_counter()
        seq = 0
        written = 0
        while written < count:
            seq += 1
            txn_id = f"BENCH-{seq:08d}"
            events = [
                (
                    Kind.OPENED.value,
                    {
                        "seq": seq,
                        "method": "cash",
                        "account_no": "3100000001",
                        "holder": "王*明",
                        "amount_due_fen": 10000,
                        "target_fen": 10000,
                    },
                ),
                (
                    Kind.ESCROW.value,
                    {"denomination_fen": 10000, "decision": "stack", "reason": "accepted"},
                ),
                (Kind.STACKED.value, {"denomination_fen": 10000}),
                (
                    Kind.CLOSED.value,
                    {"total_fen": 10000, "notes": {"10000": 1}, "reason": "customer_finished"},
                ),
            ]
            for kind, payload in events[: count - written]:
                journal.append(kind, payload, txn_id=txn_id)
                written += 1
        elapsed = time.perf_counter() - began
        assert journal.verify().ok
        return count / elapsed
    finally:
        journal.close()


def bench_sqlite(path: Path, count: int, synchronous: str) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={synchronous}")
        conn.execute(
            "CREATE TABLE events (seq INTEGER PRIMARY KEY, at TEXT, kind TEXT, txn_id TEXT, "
            "payload TEXT, prev_hash TEXT, hash TEXT)"
        )
        row = (
            "2026-10-06T10:00:00.000+00:00",
            "stacked",
            "BENCH-00000001",
            '{"denomination_fen":10000}',
            "0" * 64,
            "f" * 64,
        )
        began = time.perf_counter()
        for seq in range(1, count + 1):
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)", (seq, *row))
            conn.execute("COMMIT")
        return count / (time.perf_counter() - began)
    finally:
        conn.close()


def bench_same_writes(path: Path, count: int) -> float:
    Journal(path).close()  # the journal's own tables and indexes, WAL
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous=FULL")
        at = "2026-10-06T10:00:00.000+00:00"
        insert_event = "INSERT INTO events VALUES (?, ?, ?, ?, NULL, ?, ?, ?)"
        select_txn = "SELECT * FROM transactions WHERE txn_id = ?"
        update_txn = "UPDATE transactions SET {} updated_seq = ? WHERE txn_id = ?"
        began = time.perf_counter()
        for seq in range(1, count + 1):
            opened, step = divmod(seq - 1, 4)
            txn_id = f"BENCH-{opened + 1:08d}"
            conn.execute("BEGIN IMMEDIATE")
            payload = '{"denomination_fen":10000,"notes":{"10000":1},"reason":"accepted"}'
            conn.execute(insert_event, (seq, at, "stacked", txn_id, payload, "0" * 64, "f" * 64))
            if step == 0:  # opened: the transaction row and the txn counter
                conn.execute(
                    "INSERT INTO transactions (txn_id, opened_seq, account_no, holder, method,"
                    " amount_due_fen, target_fen, created_at, state, cash_fen, notes,"
                    " pending_escrow_fen, outbox, receipt, updated_seq)"
                    " VALUES (?, ?, '3100000001', '王*明', 'cash', 10000, 10000, ?, 'open', 0,"
                    " '{}', 0, 'none', 'none', ?)",
                    (txn_id, seq, at, seq),
                )
                found = conn.execute("SELECT value FROM counters WHERE name = 'txn_seq'").fetchone()
                if found is None:
                    conn.execute("INSERT INTO counters VALUES ('txn_seq', ?)", (opened + 1,))
                else:
                    conn.execute(
                        "UPDATE counters SET value = ? WHERE name = 'txn_seq'", (opened + 1,)
                    )
            else:  # escrow, stacked, closed: read the transaction, update it
                conn.execute(select_txn, (txn_id,)).fetchone()
                conn.execute(update_txn.format("pending_escrow_fen = 0,"), (seq, txn_id))
            if step == 2:  # stacked: the cash box count
                count_row = conn.execute(
                    "SELECT count FROM cashbox WHERE denomination_fen = 10000"
                ).fetchone()
                if count_row is None:
                    conn.execute("INSERT INTO cashbox VALUES (10000, 1)")
                else:
                    conn.execute(
                        "UPDATE cashbox SET count = ? WHERE denomination_fen = 10000",
                        (count_row[0] + 1,),
                    )
            conn.execute("COMMIT")
        return count / (time.perf_counter() - began)
    finally:
        conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="commits per measurement")
    parser.add_argument("--dir", type=Path, default=None, help="where the files go")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="bench-journal-") as tmp:
        work = Path(tmp)
        baseline = bench_sqlite(work / "bare-full.db", args.count, "FULL")
        journal = bench_journal(work / "journal.db", args.count)
        same = bench_same_writes(work / "bare-same-writes.db", args.count)
        normal = bench_sqlite(work / "bare-normal.db", args.count, "NORMAL")
    print(f"journal commits ({args.count} single-event appends, WAL, synchronous=FULL)")
    print(f"  journal.append           {journal:9.0f} commits/s  {1000 / journal:6.2f} ms each")
    print(f"  bare sqlite3, FULL       {baseline:9.0f} commits/s  {1000 / baseline:6.2f} ms each")
    print(
        f"  bare sqlite3, same writes{same:9.0f} commits/s  {1000 / same:6.2f} ms each"
        "  (the journal's rows and indexes)"
    )
    print(
        f"  bare sqlite3, NORMAL     {normal:9.0f} commits/s  {1000 / normal:6.2f} ms each"
        "  (context: no fsync per commit)"
    )
    print(f"  journal / bare FULL      {journal / baseline:9.2f}")
    print(f"  journal / same writes    {journal / same:9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
