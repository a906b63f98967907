"""Outbox drain: N journaled cash payments posted by the Outbox to a fresh server on loopback,
next to the server's own rate for single signed payment posts measured in the same run.

    .venv/bin/python bench/outbox_drain.py [--payments 10000] [--batch-size 100]
        [--baseline-seconds 5] [--single 500]

1. baseline: one client posts signed single payments back to back for --baseline-seconds
   (bench/central_load.py's run_phase and prepare_fleet, one kiosk: the outbox is one worker);
2. drain: --payments cash payments written into a fresh journal (opened, escrow, stacked,
   closed, queued, as the engine writes them; in commits of 1,000 payments to save time),
   then the real Outbox (batch size from config, 100) drains them through a real
   CentralClient; time and payments/s;
3. single: --single payments drained with batch size 1 (one POST and one fsynced `posted`
   commit each), for comparison.

Nothing is asserted; the ratio to the same run's baseline is what to compare.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.central_load import prepare_fleet, run_phase
from kiosk import projection
from kiosk.central_client import CentralClient
from kiosk.config import OutboxSection
from kiosk.journal import Journal
from kiosk.outbox import Outbox
from kiosk.projection import Kind
from tests.support.central_server import start_central_server

NOTES = ((10000, 1), (5000, 1), (1000, 2))  # 172 yuan a payment
CHUNK = 1000


def write_payments(
    journal: Journal, kiosk_id: str, account_no: str, first_seq: int, count: int
) -> None:
    created_at = datetime.now(UTC).isoformat(timespec="milliseconds")
    cash = {str(d): n for d, n in NOTES}
    total = sum(d * n for d, n in NOTES)
    for start in range(0, count, CHUNK):
        events: list[tuple[str, Mapping[str, Any], str | None]] = []
        for seq in range(first_seq + start, first_seq + min(count, start + CHUNK)):
            txn_id = f"{kiosk_id}-{seq:08d}"
            events.append(
                (
                    Kind.OPENED.value,
                    {
                        "seq": seq,
                        "method": "cash",
                        "account_no": account_no,
                        "holder": "",
                        "amount_due_fen": 0,
                        "target_fen": total,
                    },
                    txn_id,
                )
            )
            for denomination, number in NOTES:
                for _ in range(number):
                    events.append(
                        (
                            Kind.ESCROW.value,
                            {
                                "denomination_fen": denomination,
                                "decision": "stack",
                                "reason": "accepted",
                            },
                            txn_id,
                        )
                    )
                    events.append((Kind.STACKED.value, {"denomination_fen": denomination}, txn_id))
            body = {
                "txn_id": txn_id,
                "account_no": account_no,
                "amount_fen": total,
                "method": "cash",
                "cash": cash,
                "created_at": created_at,
                "offline": True,
            }
            events.append(
                (
                    Kind.CLOSED.value,
                    {"total_fen": total, "notes": cash, "reason": "customer_finished"},
                    txn_id,
                )
            )
            events.append(
                (
                    Kind.QUEUED.value,
                    {"item_id": txn_id, "endpoint": "payments", "amount_fen": total, "body": body},
                    txn_id,
                )
            )
        journal.append_many(lambda _conn, batch=events: batch)


def pending(journal: Journal) -> int:
    table = projection.outbox
    return len(
        journal.read(lambda c: c.execute(table.select().where(table.c.state == "pending")).all())
    )


def drain(journal: Journal, client: CentralClient, batch_size: int) -> tuple[float, int]:
    settings = OutboxSection(
        batch_size=batch_size, backoff_initial_s=0.1, backoff_max_s=1.0, heartbeat_interval_s=60.0
    )
    outbox = Outbox(journal, client, settings)
    rounds = 0
    began = time.perf_counter()
    while pending(journal):
        rounds += 1
        if outbox.drain_once() > 0:
            time.sleep(0.1)  # a failed round: say so below
    return time.perf_counter() - began, rounds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--baseline-seconds", type=float, default=5.0)
    parser.add_argument("--single", type=int, default=500, help="payments drained one by one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-outbox-") as tmp:
        work = Path(tmp)
        server = start_central_server(work / "central")
        try:
            (base_id, base_secret, base_account), (kiosk_id, secret, account_no) = prepare_fleet(
                server.db_url, 2
            )

            def client_for(kiosk: str, key: str) -> CentralClient:
                return CentralClient(
                    server.url, kiosk, key, connect_timeout_s=2.0, read_timeout_s=30.0
                )

            base_client = client_for(base_id, base_secret)

            def post(_index: int, client: CentralClient, sequence: int) -> None:
                client.post_payment(
                    {
                        "txn_id": f"{base_id}-{sequence:08d}",
                        "account_no": base_account,
                        "amount_fen": 10000,
                        "method": "cash",
                        "cash": {"10000": 1},
                        "created_at": datetime.now(UTC).isoformat(),
                        "offline": False,
                    }
                )

            baseline = run_phase(
                "single posts",
                [base_client],
                post,
                seconds=args.baseline_seconds,
                max_requests=1_000_000,
            )
            base_client.close()

            journal = Journal(work / "journal.db")
            began = time.perf_counter()
            write_payments(journal, kiosk_id, account_no, 1, args.payments)
            written_s = time.perf_counter() - began
            client = client_for(kiosk_id, secret)
            batch_s, batch_rounds = drain(journal, client, args.batch_size)
            write_payments(journal, kiosk_id, account_no, args.payments + 1, args.single)
            single_s, single_rounds = drain(journal, client, 1)
            client.close()
            journal.close()
            credited = server.balance_fen(account_no)
        finally:
            server.stop()
    per_payment = sum(d * n for d, n in NOTES)
    print(f"outbox drain to a fresh server on loopback (SQLite), {args.payments} payments")
    print(
        f"  baseline: single signed posts, 1 client  {baseline.rate:8.1f} payments/s"
        f"  (p50 {baseline.percentile(50):.1f} ms, {baseline.errors} errors)"
    )
    print(f"  journal written                          {written_s:8.1f} s")
    rate = args.payments / batch_s
    print(
        f"  drain, batch size {args.batch_size:<4}                 {batch_s:8.1f} s"
        f"  {rate:8.1f} payments/s  {rate / baseline.rate:5.2f}x baseline  ({batch_rounds} rounds)"
    )
    rate1 = args.single / single_s
    print(
        f"  drain, batch size 1, {args.single} payments      {single_s:8.1f} s"
        f"  {rate1:8.1f} payments/s  {rate1 / baseline.rate:5.2f}x baseline"
        f"  ({single_rounds} rounds)"
    )
    expected = (args.payments + args.single) * per_payment
    print(
        f"  credited on the server {credited} fen, journaled {expected} fen"
        f"  ({'equal' if credited == expected else 'DIFFERENT'})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
