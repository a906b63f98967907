"""Journal commits per second, next to a bare SQLite baseline measured in the same run.

    .venv/bin/python bench/journal.py [--count 2000] [--block 100] [--dir DIR]

1. journal: ``Journal.append`` of single events (one fsynced commit each: WAL, synchronous=FULL,
   hash chain, projection) of a cash payment's kinds, as the engine writes them;
2. baseline: a bare ``sqlite3`` INSERT + COMMIT of a row of the same size with the same
   pragmas (WAL, synchronous=FULL), on the same disk;
3. same-writes baseline: bare ``sqlite3`` doing per commit what an append does, in a file
   with the journal's tables and indexes: the event row (its txn_id index too) and the
   projection's statements (kiosk/projection.py: the transaction row, the txn counter,
   the cash box). A commit costs about in proportion to the pages it writes, so this is
   the floor for the journal's work;
4. for context, the bare baseline with synchronous=NORMAL (no fsync per commit in WAL).

The four take turns in blocks of ``--block`` commits (each starting the round in turn), and
each figure is the median of its blocks: a machine busy with other work for a moment slows
one block of one of them, not the whole of one measurement, so the ratios stay comparable.

Prints commits/s and the journal's share of the baseline. Nothing is asserted: the disk
decides the absolute figures (about 0.1-0.3 ms per FULL commit on a fast SSD, several ms
on SD/eMMC); the ratio is what to compare. ``--dir`` puts the files on the disk to measure
(default: a temporary directory).
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.journal import Journal, canonical
from kiosk.projection import Kind

AT = "2026-10-06T10:00:00.000+00:00"


# A cash payment's events after ``opened``, as the engine writes them.
PAYMENT_STEPS: list[tuple[str, dict[str, Any]]] = [
    (Kind.ESCROW.value, {"denomination_fen": 10000, "decision": "stack", "reason": "accepted"}),
    (Kind.STACKED.value, {"denomination_fen": 10000}),
    (
        Kind.CLOSED.value,
        {"total_fen": 10000, "notes": {"10000": 1}, "reason": "customer_finished"},
    ),
]


def payment_event(written: int) -> tuple[str, str, dict[str, Any]]:
    """The ``written``-th event of a run of cash payments: kind, txn id, payload."""
    opened, step = divmod(written, 4)
    txn_id = f"BENCH-{opened + 1:08d}"
    if step:
        kind, payload = PAYMENT_STEPS[step - 1]
        return kind, txn_id, payload
    payload = {
        "seq": opened + 1,
        "method": "cash",
        "account_no": "3100000001",
        "holder": "王*明",
        "amount_due_fen": 10000,
        "target_fen": 10000,
    }
    return Kind.OPENED.value, txn_id, payload


class JournalRun:
    def __init__(self, path: Path) -> None:
        self.journal, self.written = Journal(path), 0

    def commit(self, n: int) -> None:
        append = self.journal.append
        for written in range(self.written, self.written + n):
            kind, txn_id, payload = payment_event(written)
            append(kind, payload, txn_id=txn_id)
        self.written += n

    def close(self) -> None:
        assert self.journal.verify().ok
        self.journal.close()


class BareRun:
    def __init__(self, path: Path, synchronous: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute(f"PRAGMA synchronous={synchronous}")
        self.conn.execute(
            "CREATE TABLE events (seq INTEGER PRIMARY KEY, at TEXT, kind TEXT, txn_id TEXT, "
            "payload TEXT, prev_hash TEXT, hash TEXT)"
        )
        self.row = (AT, "stacked", "BENCH-00000001", '{"denomination_fen":10000}', "0" * 64)
        self.written = 0

    def commit(self, n: int) -> None:
        conn = self.conn
        for seq in range(self.written + 1, self.written + n + 1):
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)", (seq, *self.row, "f" * 64)
            )
            conn.execute("COMMIT")
        self.written += n

    def close(self) -> None:
        self.conn.close()


class SameWritesRun:
    """Per commit, the statements kiosk/projection.py runs for the event's kind."""

    INSERT_EVENT = "INSERT INTO events VALUES (?, ?, ?, ?, NULL, ?, ?, ?)"
    INSERT_TXN = (
        "INSERT INTO transactions (txn_id, opened_seq, account_no, holder, method,"
        " amount_due_fen, target_fen, created_at, state, cash_fen, notes, pending_escrow_fen,"
        " outbox, receipt, card_no, qr_order_id, updated_seq) VALUES (?, ?, '3100000001',"
        " '王*明', 'cash', 10000, 10000, ?, 'open', 0, '{}', 0, 'none', 'none', NULL, NULL, ?)"
    )
    RAISE_COUNTER = (
        "INSERT INTO counters (name, value) VALUES ('txn_seq', ?) ON CONFLICT (name)"
        " DO UPDATE SET value = excluded.value WHERE excluded.value > counters.value"
    )
    ESCROW = "UPDATE transactions SET pending_escrow_fen = ?, updated_seq = ? WHERE txn_id = ?"
    SELECT_CASH = "SELECT cash_fen, notes FROM transactions WHERE txn_id = ?"
    STACKED = (
        "UPDATE transactions SET cash_fen = ?, pending_escrow_fen = ?, notes = ?,"
        " updated_seq = ? WHERE txn_id = ?"
    )
    ADD_NOTE = (
        "INSERT INTO cashbox (denomination_fen, count) VALUES (10000, 1)"
        " ON CONFLICT (denomination_fen) DO UPDATE SET count = count + excluded.count"
    )
    CLOSED = "UPDATE transactions SET state = ?, closed_at = ?, updated_seq = ? WHERE txn_id = ?"

    def __init__(self, path: Path) -> None:
        Journal(path).close()  # the journal's own tables and indexes, WAL
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA synchronous=FULL")
        self.written = 0
        self.texts = [canonical(payment_event(step)[2]) for step in range(4)]  # sizes as stored
        self.steps: list[Callable[[int, str], None]] = [
            self._opened,
            self._escrow,
            self._stacked,
            self._closed,
        ]

    def _opened(self, seq: int, txn_id: str) -> None:
        self.conn.execute(self.INSERT_TXN, (txn_id, seq, AT, seq))
        self.conn.execute(self.RAISE_COUNTER, (seq // 4 + 1,))

    def _escrow(self, seq: int, txn_id: str) -> None:
        self.conn.execute(self.ESCROW, (10000, seq, txn_id))

    def _stacked(self, seq: int, txn_id: str) -> None:
        cash_fen, _notes = self.conn.execute(self.SELECT_CASH, (txn_id,)).fetchone()
        self.conn.execute(self.STACKED, (cash_fen + 10000, 0, '{"10000": 1}', seq, txn_id))
        self.conn.execute(self.ADD_NOTE)

    def _closed(self, seq: int, txn_id: str) -> None:
        self.conn.execute(self.CLOSED, ("closed", AT, seq, txn_id))

    def commit(self, n: int) -> None:
        conn = self.conn
        for written in range(self.written, self.written + n):
            kind, txn_id, _payload = payment_event(written)
            seq = written + 1
            conn.execute("BEGIN IMMEDIATE")
            event = (seq, AT, kind, txn_id, self.texts[written % 4], "0" * 64, "f" * 64)
            conn.execute(self.INSERT_EVENT, event)
            self.steps[written % 4](seq, txn_id)
            conn.execute("COMMIT")
        self.written += n

    def close(self) -> None:
        self.conn.close()


def measure(runs: dict[str, Any], count: int, block: int) -> dict[str, float]:
    """Median seconds per commit of each run, the runs taking turns a block at a time."""
    names = list(runs)
    times: dict[str, list[float]] = {name: [] for name in runs}
    for turn in range(max(1, count // block)):
        for name in names[turn % len(names) :] + names[: turn % len(names)]:
            began = time.perf_counter()
            runs[name].commit(block)
            times[name].append((time.perf_counter() - began) / block)
    return {name: statistics.median(spent) for name, spent in times.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="commits per measurement")
    parser.add_argument("--block", type=int, default=100, help="commits per turn")
    parser.add_argument("--dir", type=Path, default=None, help="where the files go")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="bench-journal-") as tmp:
        work = Path(tmp)
        runs: dict[str, Any] = {
            "journal": JournalRun(work / "journal.db"),
            "full": BareRun(work / "bare-full.db", "FULL"),
            "same": SameWritesRun(work / "bare-same-writes.db"),
            "normal": BareRun(work / "bare-normal.db", "NORMAL"),
        }
        try:
            spent = measure(runs, args.count, args.block)
        finally:
            for run in runs.values():
                run.close()
    journal, baseline, same, normal = (1 / spent[k] for k in ("journal", "full", "same", "normal"))
    print(
        f"journal commits ({args.count} single-event appends, WAL, synchronous=FULL;"
        f" median of blocks of {args.block}, taking turns)"
    )
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
