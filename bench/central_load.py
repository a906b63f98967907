"""Load on the central server: N simulated kiosks posting signed payments on 127.0.0.1.

    .venv/bin/python bench/central_load.py [--kiosks 50] [--seconds 8]
        [--backend sqlite|postgres|both] [--workers 1] [--pg-url URL] [--interval-ms 500]

For each database it starts the real server (`kiosk-central serve`, a subprocess) on a fresh
database, registers N kiosks with one account each, and runs three phases of ``--seconds``
each (and at most ``--max-requests`` requests), every kiosk a thread with its own
CentralClient:

1. baseline: every kiosk calls the trivial signed endpoint GET /v1/ping back to back;
2. payments: every kiosk posts signed cash payments (a new txn id each) back to back;
3. paced payments: every kiosk posts one payment every ``--interval-ms`` (an open loop, like
   a fleet of kiosks whose customers arrive independently): the latency a kiosk sees when the
   server is not saturated.

It prints requests/s, p50 and p99 latency for each phase, and the ratio of payments/s to the
baseline measured in the same run. Nothing is asserted: a shared machine's figures vary, the
ratio against the same run's baseline is what to compare. PostgreSQL needs --pg-url or
KIOSK_TEST_DATABASE_URL (a fresh schema is made and dropped).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from central import kiosks
from central.config import load
from central.db import make_engine
from central.schema import Category, accounts, utcnow
from kiosk.central_client import CentralClient, CentralError
from tests.support.central_server import postgres_schema, start_central_server


@dataclass
class Phase:
    name: str
    latencies: list[float]
    errors: int
    elapsed: float

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    def line(self) -> str:
        median = statistics.median(self.latencies) * 1000 if self.latencies else float("nan")
        return (
            f"  {self.name:<18} {len(self.latencies):>7} ok {self.errors:>4} errors"
            f"  {self.rate:8.1f} req/s  p50 {median:7.1f} ms  p99 {self.percentile(99):7.1f} ms"
        )


def prepare_fleet(db_url: str, count: int) -> list[tuple[str, str, str]]:
    """(kiosk id, secret, account no) for ``count`` kiosks, straight into the database."""
    config = load(env={})
    engine = make_engine(db_url, pool_size=2)
    fleet = []
    try:
        with engine.begin() as conn:
            for index in range(count):
                account_no = f"{8800000000 + index:010d}"
                conn.execute(
                    insert(accounts).values(
                        account_no=account_no,
                        holder="压测用户",
                        address="示范市压测区",
                        category=Category.RESIDENTIAL.value,
                        balance_fen=0,
                        created_at=utcnow(),
                    )
                )
                fleet.append((f"B{index:04d}", account_no))
        result = []
        for kiosk_id, account_no in fleet:
            secret = kiosks.add(engine, config.server.secret_key, kiosk_id, replace=True)
            result.append((kiosk_id, secret, account_no))
        return result
    finally:
        engine.dispose()


def run_phase(
    name: str,
    clients: list[CentralClient],
    work: Callable[[int, CentralClient, int], None],
    *,
    seconds: float,
    max_requests: int,
    interval_s: float | None = None,
) -> Phase:
    latencies: list[list[float]] = [[] for _ in clients]
    errors = [0] * len(clients)
    budget = threading.Semaphore(max_requests)
    start = threading.Barrier(len(clients) + 1)
    deadline = [0.0]

    def kiosk(index: int) -> None:
        client = clients[index]
        start.wait()
        sequence = 0
        next_at = time.monotonic() + (interval_s or 0) * index / len(clients)
        while time.monotonic() < deadline[0] and budget.acquire(blocking=False):
            if interval_s is not None:
                pause = next_at - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                next_at += interval_s
            sequence += 1
            began = time.monotonic()
            try:
                work(index, client, sequence)
                latencies[index].append(time.monotonic() - began)
            except CentralError:
                errors[index] += 1

    threads = [threading.Thread(target=kiosk, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    began = time.monotonic()
    deadline[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    return Phase(name, [x for per in latencies for x in per], sum(errors), elapsed)


def bench_backend(
    label: str, db_url: str, workdir: Path, args: argparse.Namespace
) -> tuple[Phase, ...]:
    extra: tuple[str, ...] = ()
    if args.workers > 1:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            extra = ("--workers", str(args.workers), "--port", str(probe.getsockname()[1]))
    server = start_central_server(workdir, db_url=db_url, extra_args=extra)
    try:
        fleet = prepare_fleet(db_url, args.kiosks)
        clients = [
            CentralClient(server.url, kiosk_id, secret, connect_timeout_s=5, read_timeout_s=30)
            for kiosk_id, secret, _ in fleet
        ]
        run_id = int(time.time()) % 10**5

        def ping(_i: int, client: CentralClient, _seq: int) -> None:
            client.ping()

        def pay(phase: int) -> Callable[[int, CentralClient, int], None]:
            def work(index: int, client: CentralClient, seq: int) -> None:
                kiosk_id, _, account_no = fleet[index]
                client.post_payment(
                    {
                        "txn_id": f"{kiosk_id}-{phase}{run_id:05d}{seq:06d}",
                        "account_no": account_no,
                        "amount_fen": 10000,
                        "method": "cash",
                        "cash": {"10000": 1},
                        "created_at": datetime.now(UTC).isoformat(),
                        "offline": False,
                    }
                )

            return work

        for client in clients[:5]:  # warm up connections and code paths
            client.ping()
        phases = (
            run_phase(
                "ping (baseline)",
                clients,
                ping,
                seconds=args.seconds,
                max_requests=args.max_requests,
            ),
            run_phase(
                "payments", clients, pay(1), seconds=args.seconds, max_requests=args.max_requests
            ),
            run_phase(
                "paced payments",
                clients,
                pay(2),
                seconds=args.seconds,
                max_requests=args.max_requests,
                interval_s=args.interval_ms / 1000,
            ),
        )
        for client in clients:
            client.close()
    finally:
        server.stop()
    baseline, payments, paced = phases
    ratio = payments.rate / baseline.rate if baseline.rate else float("nan")
    workers = f"{args.workers} server worker(s)"
    print(f"{label}: {args.kiosks} kiosks, {workers}, {args.seconds:.0f} s per phase")
    for phase in phases:
        print(phase.line())
    offered = args.kiosks * 1000 / args.interval_ms
    print(f"  payments/s vs ping/s: {ratio:.2f} (target >= 0.5)")
    print(
        f"  paced: {offered:.0f} payments/s offered; p99 {paced.percentile(99):.1f} ms"
        f" (target < 100 ms at {args.kiosks} kiosks)"
    )
    return phases


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kiosks", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=8.0, help="per phase (bounded)")
    parser.add_argument("--max-requests", type=int, default=200_000, help="per phase (bounded)")
    parser.add_argument("--interval-ms", type=float, default=500.0, help="paced phase: per kiosk")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--workers", type=int, default=1, help="server processes (PostgreSQL)")
    parser.add_argument("--pg-url", default=os.environ.get("KIOSK_TEST_DATABASE_URL"))
    args = parser.parse_args()
    print(f"central load benchmark, {os.cpu_count()} CPUs, python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="central-load-") as tmp:
        if args.backend in ("sqlite", "both"):
            workdir = Path(tmp) / "sqlite"
            bench_backend("SQLite", f"sqlite:///{workdir / 'central.db'}", workdir, args)
        if args.backend in ("postgres", "both"):
            if not args.pg_url:
                print("PostgreSQL: skipped (no --pg-url and no KIOSK_TEST_DATABASE_URL)")
            else:
                with postgres_schema(args.pg_url) as url:
                    bench_backend("PostgreSQL", url, Path(tmp) / "postgres", args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
