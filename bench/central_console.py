"""The console at fleet scale: fleet page and collection-rate report on PostgreSQL with
10,000 kiosks and 1,000,000 payments, next to the signed GET /v1/ping in the same run.

    .venv/bin/python bench/central_console.py [--kiosks 10000] [--payments 1000000]
        [--accounts 200000] [--requests 30] [--pg-url URL]

It makes a fresh PostgreSQL schema (--pg-url or KIOSK_TEST_DATABASE_URL; dropped afterwards),
fills it with SQL (generate_series: kiosks with their status, some offline and alerting,
accounts in 12 districts with two bills each, payments spread over 90 days, payments of other
channels), starts the real server (`kiosk-central serve`), logs an operator in and times,
one request at a time: GET /v1/ping (signed), the fleet page (first page, offline filter,
a district filter, a later page), the kiosk page, and the collection-rate report for 30 and 90
days. It waits first for the server's background worker to sum the past days (the
collection-rate report reads day totals), then prints the first view, p50 and max per page;
the target is under 300 ms. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests
from sqlalchemy import text

from central import migrate, operators
from central.config import DEFAULT_CONFIG, load
from central.crypto import seal
from central.db import make_engine
from central.schema_fleet import Role
from kiosk.central_client import CentralClient
from tests.support.central_server import postgres_schema, start_central_server

TARGET_MS = 300.0
DISTRICTS = 12
PASSWORD = "bench-operator-password"


def fill(db_url: str, *, kiosks: int, payments: int, accounts: int) -> None:
    config = load(env={})
    sealed = seal(config.server.secret_key, "bench-kiosk-secret-0123456789")
    engine = make_engine(db_url, pool_size=1)
    steps = [
        (
            "kiosks",
            "INSERT INTO kiosks (kiosk_id, name, secret_sealed, enabled, created_at, district) "
            "SELECT 'B' || lpad(i::text, 5, '0'), 'Bench ' || i, :sealed, true, now(), "
            "'区' || (i % :districts) FROM generate_series(1, :kiosks) i",
        ),
        (
            "kiosk status",
            "INSERT INTO kiosk_status (kiosk_id, last_seen_at, online_since, version, acceptor, "
            "printer, paper, cashbox_notes, cashbox_fill_pct, outbox_pending, "
            "oldest_unposted_at, clock_offset_s, suspects, open_alerts) "
            "SELECT 'B' || lpad(i::text, 5, '0'), "
            "CASE WHEN i % 20 = 0 THEN now() - interval '2 days' ELSE now() END, "
            "now() - interval '3 days', '1.4.2', "
            "CASE WHEN i % 97 = 0 THEN 'validator_jam' ELSE 'ready' END, "
            "CASE WHEN i % 89 = 0 THEN 'paper_out' ELSE 'ready' END, 'ok', "
            "i % 1000, (i % 1000) / 10, i % 60, NULL, (i % 7) - 3, 0, "
            "CASE WHEN i % 33 = 0 THEN 1 ELSE 0 END "
            "FROM generate_series(1, :kiosks) i",
        ),
        (
            "accounts",
            "INSERT INTO accounts (account_no, holder, address, category, balance_fen, "
            "created_at, district) SELECT (5000000000 + i)::text, '用户' || i, '示范市', "
            "CASE WHEN i % 10 = 0 THEN 'non_residential' ELSE 'residential' END, 0, now(), "
            "'区' || (i % :districts) FROM generate_series(1, :accounts) i",
        ),
        (
            "bills",
            "INSERT INTO bills (account_id, period, amount_fen, paid_fen, due_date, "
            "fee_carried_fen, late_fee_paid_fen) "
            "SELECT a.id, p.period, 5000 + (a.id % 200) * 100, "
            "CASE WHEN a.id % 4 = 0 THEN 0 ELSE 5000 + (a.id % 200) * 100 END, "
            "current_date - (p.back * 30 + a.id % 400)::int, 0, 0 "
            "FROM accounts a CROSS JOIN (VALUES ('2026-10', 0), ('2026-11', 1)) p(period, back)",
        ),
        (
            "payments",
            "INSERT INTO payments (kiosk_id, txn_id, fingerprint, origin, account_id, "
            "amount_fen, method, created_at, received_at, offline) "
            "SELECT 'B' || lpad((1 + i % :kiosks)::text, 5, '0'), "
            "'B' || lpad((1 + i % :kiosks)::text, 5, '0') || '-' || lpad(i::text, 10, '0'), "
            "'bench', 'kiosk', (SELECT min(id) FROM accounts) + i % :accounts, "
            "100 * (1 + i % 300), "
            "(ARRAY['cash','cash','cash','card','qr'])[1 + i % 5], "
            "now() - (i::bigint * 7776000 / :payments) * interval '1 second', "
            "now() - (i::bigint * 7776000 / :payments) * interval '1 second', false "
            "FROM generate_series(1, :payments) i",
        ),
        (
            "channel payments",
            "INSERT INTO channel_payments (channel, ref, account_id, account_no, amount_fen, "
            "paid_on, imported_at) SELECT (ARRAY['bank','online','agent'])[1 + i % 3], "
            "'R' || i, a.id, a.account_no, 8000, current_date - (i % 90), now() "
            "FROM generate_series(1, :payments / 10) i "
            "JOIN accounts a ON a.id = (SELECT min(id) FROM accounts) + i % :accounts",
        ),
        (
            "open offline alerts",  # already raised: the server's sweep finds nothing to do
            "INSERT INTO alerts (kiosk_id, kind, open_key, detail, raised_at) "
            "SELECT 'B' || lpad(i::text, 5, '0'), 'offline', "
            "'B' || lpad(i::text, 5, '0') || '/offline', 'bench', now() - interval '2 days' "
            "FROM generate_series(20, :kiosks, 20) i",
        ),
    ]
    params = {
        "sealed": sealed,
        "districts": DISTRICTS,
        "kiosks": kiosks,
        "accounts": accounts,
        "payments": payments,
    }
    try:
        migrate.upgrade(engine)
        for name, statement in steps:
            began = time.monotonic()
            with engine.begin() as conn:
                conn.execute(text(statement), params)
            print(f"  filled {name} in {time.monotonic() - began:.1f} s", file=sys.stderr)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
        operators.add(engine, "bench", Role.VIEWER, PASSWORD, now=datetime.now(UTC))
    finally:
        engine.dispose()


def login(url: str) -> requests.Session:
    browser = requests.Session()
    form = browser.get(url + "/console/login", timeout=60).text
    token = re.search(r'name="csrf" value="([^"]+)"', form)
    assert token is not None
    answer = browser.post(
        url + "/console/login",
        data={"csrf": token.group(1), "name": "bench", "password": PASSWORD},
        timeout=60,
    )
    answer.raise_for_status()
    return browser


def timed(name: str, count: int, call: Callable[[], None]) -> tuple[str, float, float, float]:
    began = time.perf_counter()
    call()  # the first view: warms connections and plans (and sums days, if any are left)
    first = (time.perf_counter() - began) * 1000
    samples = []
    for _ in range(count):
        began = time.perf_counter()
        call()
        samples.append((time.perf_counter() - began) * 1000)
    return name, first, statistics.median(samples), max(samples)


def wait_for_day_totals(db_url: str, days: int, deadline_s: float = 300.0) -> float:
    """The server's background worker sums past days at start; wait for it (bounded)."""
    engine = make_engine(db_url, pool_size=1)
    began = time.monotonic()
    try:
        while time.monotonic() - began < deadline_s:
            with engine.connect() as conn:
                if conn.execute(text("SELECT count(*) FROM summarized_days")).scalar_one() >= days:
                    break
            time.sleep(0.5)
    finally:
        engine.dispose()
    return time.monotonic() - began


def run(
    db_url: str, workdir: Path, args: argparse.Namespace
) -> list[tuple[str, float, float, float]]:
    fill(db_url, kiosks=args.kiosks, payments=args.payments, accounts=args.accounts)
    # The simulated kiosks send no heartbeats: a day before they count as offline, so the
    # offline sweep does not raise 9,500 alerts while pages are being timed.
    config = workdir / "central.toml"
    config.write_text(
        DEFAULT_CONFIG.read_text(encoding="utf-8").replace(
            "offline_after_s = 180", "offline_after_s = 86400"
        ),
        encoding="utf-8",
    )
    server = start_central_server(workdir, db_url=db_url, extra_args=("--config", str(config)))
    try:
        waited = wait_for_day_totals(db_url, 400)
        print(f"  the server summed 400 past days in {waited:.1f} s (background)", file=sys.stderr)
        browser = login(server.url)
        client = CentralClient(
            server.url, server.kiosk_id, server.secret, connect_timeout_s=5, read_timeout_s=60
        )

        def page(path: str) -> Callable[[], None]:
            def get() -> None:
                answer = browser.get(server.url + path, timeout=60)
                answer.raise_for_status()

            return get

        results = [
            timed("GET /v1/ping (signed)", args.requests, lambda: client.ping() and None),
            timed("fleet, first page", args.requests, page("/console/fleet")),
            timed("fleet, offline", args.requests, page("/console/fleet?state=offline")),
            timed("fleet, one district", args.requests, page("/console/fleet?district=%E5%8C%BA3")),
            timed("fleet, page 50", args.requests, page("/console/fleet?page=50")),
            timed("kiosk page", args.requests, page("/console/kiosks/B00042")),
            timed("collection rate, 30 days", args.requests, page("/console/collection-rate")),
            timed(
                "collection rate, 90 days",
                args.requests,
                page(
                    "/console/collection-rate?from="
                    + (
                        datetime.now(UTC)
                        .date()
                        .fromordinal(datetime.now(UTC).date().toordinal() - 89)
                    ).isoformat()
                ),
            ),
        ]
        client.close()
    finally:
        server.stop()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kiosks", type=int, default=10_000)
    parser.add_argument("--payments", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--pg-url", default=os.environ.get("KIOSK_TEST_DATABASE_URL"))
    args = parser.parse_args()
    if not args.pg_url:
        print("PostgreSQL needed: --pg-url or KIOSK_TEST_DATABASE_URL", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as workdir, postgres_schema(args.pg_url) as db_url:
        results = run(db_url, Path(workdir), args)
    print(
        f"PostgreSQL: {args.kiosks} kiosks, {args.payments} payments, {args.accounts} accounts,"
        f" {args.requests} requests per page, one at a time"
    )
    for name, first, median, worst in results:
        verdict = "ok" if median < TARGET_MS else "over target"
        print(
            f"  {name:<28} first {first:7.1f} ms  p50 {median:7.1f} ms  max {worst:7.1f} ms"
            f"  {verdict}"
        )
    print(f"  target: every page under {TARGET_MS:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
