"""CSV import speed: `kiosk-central import-accounts` and `import-bills` with 100,000 rows.

    .venv/bin/python bench/central_import.py [--rows 100000] [--backend sqlite|postgres|both]
                                             [--pg-url URL]

Writes two CSV files (accounts, and one bill per account), then runs the real commands
(subprocesses; --progress shows their progress bars) on a fresh database and prints seconds
and rows/s for each, next to the time it takes only to read and parse the same CSV with the
csv module in this process (the floor the import cannot beat). PostgreSQL needs --pg-url or
KIOSK_TEST_DATABASE_URL (a fresh schema is made and dropped).
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.central_server import REPO, postgres_schema, run_admin


def write_csvs(folder: Path, rows: int) -> tuple[Path, Path]:
    accounts, bills = folder / "accounts.csv", folder / "bills.csv"
    due = date.today() - timedelta(days=20)
    with (
        accounts.open("w", encoding="utf-8", newline="") as a,
        bills.open("w", encoding="utf-8", newline="") as b,
    ):
        aw, bw = csv.writer(a), csv.writer(b)
        aw.writerow(["account_no", "holder", "address", "category", "balance_fen"])
        bw.writerow(["account_no", "period", "amount_fen", "due_date"])
        for index in range(rows):
            number = f"{4000000000 + index:010d}"
            category = "residential" if index % 5 else "non_residential"
            aw.writerow(
                [
                    number,
                    f"用户{index}",
                    f"示范市某区某路{index % 999}号",
                    category,
                    index % 3 * 100,
                ]
            )
            bw.writerow([number, "2026-01", 5000 + index % 20000, due.isoformat()])
    return accounts, bills


def parse_only(path: Path) -> float:
    started = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as handle:
        for _ in csv.DictReader(handle):
            pass
    return time.perf_counter() - started


def timed_import(kind: str, path: Path, db_url: str, progress: bool) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "central.cli", f"import-{kind}", str(path), "--db", db_url],
        cwd=REPO,
        check=True,
        timeout=600,
        stdout=subprocess.DEVNULL,
        stderr=None if progress else subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def bench(label: str, db_url: str, accounts: Path, bills: Path, rows: int, progress: bool) -> None:
    run_admin("init-db", "--db", db_url)
    print(f"{label}:", flush=True)
    for kind, path in (("accounts", accounts), ("bills", bills)):
        floor = parse_only(path)
        seconds = timed_import(kind, path, db_url, progress)
        print(
            f"  import-{kind:<8} {rows:,} rows in {seconds:6.2f} s ({rows / seconds:9,.0f} rows/s);"
            f" reading the CSV alone: {floor:5.2f} s",
            flush=True,
        )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pg-url", default=os.environ.get("KIOSK_TEST_DATABASE_URL"))
    parser.add_argument("--progress", action="store_true", help="show the commands' progress bars")
    args = parser.parse_args()
    print(f"central CSV import benchmark, {os.cpu_count()} CPUs (command start-up included)")
    with tempfile.TemporaryDirectory(prefix="central-import-") as tmp:
        folder = Path(tmp)
        accounts, bills = write_csvs(folder, args.rows)
        if args.backend in ("sqlite", "both"):
            bench(
                "SQLite",
                f"sqlite:///{folder / 'central.db'}",
                accounts,
                bills,
                args.rows,
                args.progress,
            )
        if args.backend in ("postgres", "both"):
            if not args.pg_url:
                print("PostgreSQL: skipped (no --pg-url and no KIOSK_TEST_DATABASE_URL)")
            else:
                with postgres_schema(args.pg_url) as url:
                    bench("PostgreSQL", url, accounts, bills, args.rows, args.progress)
    return 0


if __name__ == "__main__":
    sys.exit(main())
