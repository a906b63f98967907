"""CSV imports of accounts and bills: every row checked first, then one bulk transaction.

A file with any bad row imports nothing; the problems are reported by line number (the first
50, and how many in all). Rows go in with executemany in chunks, so 100,000 rows take seconds.

accounts.csv: ``account_no,holder,address,category,balance_fen[,district]`` (category
residential or non_residential; balance in fen, used for new accounts only: an existing
account's balance is the ledger's business; district for the collection-rate report).
Existing accounts get the new holder, address, category and district.

bills.csv: ``account_no,period,amount_fen,due_date[,paid_fen]`` (period YYYY-MM, due date
YYYY-MM-DD). A bill already imported with the same amount and due date is skipped; with other
values it is a bad row.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, insert, select, update

from central import collection_rate, db
from central.errors import ImportRejected
from central.progress import Progress
from central.schema import Category, accounts, bills, utcnow
from central.wire import ACCOUNT_NO, ACCOUNT_NO_MIN, CONTROL

ACCOUNT_COLUMNS = ("account_no", "holder", "address", "category", "balance_fen")
BILL_COLUMNS = ("account_no", "period", "amount_fen", "due_date")
CHUNK = 5000
REPORTED = 50
MAX_FEN = 10**12
PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
FEN = re.compile(r"^\d{1,13}$")


@dataclass(frozen=True)
class ImportResult:
    rows: int
    inserted: int
    updated: int
    skipped: int

    def as_json(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "skipped": self.skipped,
        }


class _Problems:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.listed: list[tuple[int, str]] = []
        self.count = 0

    def add(self, line: int, message: str) -> None:
        self.count += 1
        if len(self.listed) < REPORTED:
            self.listed.append((line, message))

    def raise_if_any(self) -> None:
        if self.count:
            raise ImportRejected(str(self.path), self.listed, self.count)


def _rows(
    path: Path, required: tuple[str, ...], problems: _Problems
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each data row; header problems end the import."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise ImportRejected(str(path), [(0, f"cannot read the file: {exc.strerror}")], 1) from exc
    with handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in required if c not in header]
        if missing:
            raise ImportRejected(
                str(path),
                [(1, f"the header lacks {', '.join(missing)} (expected {','.join(required)})")],
                1,
            )
        try:
            for row in reader:
                if None in row or any(v is None for v in row.values()):
                    problems.add(reader.line_num, "wrong number of columns")
                    continue
                yield reader.line_num, {k: v.strip() for k, v in row.items() if k is not None}
        except (csv.Error, UnicodeDecodeError) as exc:
            problems.add(reader.line_num, f"unreadable: {exc}")


def _count_lines(path: Path) -> int:
    try:
        with path.open("rb") as handle:
            return max(0, sum(1 for _ in handle) - 1)
    except OSError:
        return 0


def _account_no(value: str) -> str | None:
    if not ACCOUNT_NO.match(value):
        return "account_no must contain digits only"
    if not ACCOUNT_NO_MIN <= len(value) <= 20:
        return f"account_no must have {ACCOUNT_NO_MIN} to 20 digits"
    return None


def _fen(value: str, name: str, *, positive: bool) -> int | str:
    if not FEN.match(value):
        return f"{name} must be a whole number of fen (digits only), got {value[:20]!r}"
    amount = int(value)
    if positive and amount == 0:
        return f"{name} must be above zero"
    if amount > MAX_FEN:
        return f"{name} is absurdly large"
    return amount


def import_accounts(engine: Engine, path: Path) -> ImportResult:
    problems = _Problems(path)
    total = _count_lines(path)
    progress = Progress(f"checking {path.name}", total)
    seen: dict[str, int] = {}
    rows: list[dict[str, Any]] = []
    for line, row in _rows(path, ACCOUNT_COLUMNS, problems):
        progress.advance()
        number = row["account_no"]
        balance = _fen(row["balance_fen"] or "0", "balance_fen", positive=False)
        error = _account_problem(row, seen, balance)
        district = row.get("district") or None
        if error is None and district and (len(district) > 64 or CONTROL.search(district)):
            error = "district must be at most 64 characters of plain text"
        if error is not None:
            problems.add(line, error)
            continue
        seen[number] = line
        rows.append(
            {
                "account_no": number,
                "holder": row["holder"],
                "address": row["address"],
                "category": row["category"],
                "balance_fen": balance,
                "district": district,
            }
        )
    progress.finish()
    problems.raise_if_any()
    now = utcnow()
    with db.write(engine) as conn:
        existing = _account_ids(conn)
        new = [dict(r, created_at=now) for r in rows if r["account_no"] not in existing]
        old = [
            {
                "b_no": r["account_no"],
                "b_holder": r["holder"],
                "b_address": r["address"],
                "b_category": r["category"],
                "b_district": r["district"],
            }
            for r in rows
            if r["account_no"] in existing
        ]
        progress = Progress(f"importing {path.name}", len(rows))
        for chunk in _chunks(new):
            conn.execute(insert(accounts), chunk)
            progress.advance(len(chunk))
        statement = (
            update(accounts)
            .where(accounts.c.account_no == bindparam("b_no"))
            .values(
                holder=bindparam("b_holder"),
                address=bindparam("b_address"),
                category=bindparam("b_category"),
                district=bindparam("b_district"),
            )
        )
        for chunk in _chunks(old):
            conn.execute(statement, chunk)
            progress.advance(len(chunk))
        collection_rate.forget(conn)  # districts may have moved: the report sums days again
        progress.finish()
    return ImportResult(rows=len(rows), inserted=len(new), updated=len(old), skipped=0)


def import_bills(engine: Engine, path: Path) -> ImportResult:
    problems = _Problems(path)
    total = _count_lines(path)
    with db.read(engine) as conn:
        ids = _account_ids(conn)
        existing = {
            (r.account_id, r.period): (r.amount_fen, r.due_date)
            for r in conn.execute(
                select(bills.c.account_id, bills.c.period, bills.c.amount_fen, bills.c.due_date)
            )
        }
    progress = Progress(f"checking {path.name}", total)
    seen: dict[tuple[int, str], int] = {}
    rows: list[dict[str, Any]] = []
    skipped = 0
    for line, row in _rows(path, BILL_COLUMNS, problems):
        progress.advance()
        checked = _bill(row, ids)
        if isinstance(checked, str):
            problems.add(line, checked)
            continue
        key = (checked["account_id"], checked["period"])
        if key in seen:
            problems.add(
                line,
                f"the bill {row['account_no']} {row['period']} already appears on line {seen[key]}",
            )
            continue
        seen[key] = line
        if key in existing:
            if existing[key] == (checked["amount_fen"], checked["due_date"]):
                skipped += 1
                continue
            problems.add(
                line,
                f"the bill {row['account_no']} {row['period']} was imported before, with other "
                "values",
            )
            continue
        rows.append(checked)
    progress.finish()
    problems.raise_if_any()
    with db.write(engine) as conn:
        progress = Progress(f"importing {path.name}", len(rows))
        for chunk in _chunks(rows):
            conn.execute(insert(bills), chunk)
            progress.advance(len(chunk))
        progress.finish()
    return ImportResult(rows=len(rows) + skipped, inserted=len(rows), updated=0, skipped=skipped)


def _account_problem(  # noqa: PLR0911 - one early return per column
    row: dict[str, str], seen: dict[str, int], balance: int | str
) -> str | None:
    number = row["account_no"]
    error = _account_no(number)
    if error is not None:
        return error
    if number in seen:
        return f"account {number} already appears on line {seen[number]}"
    if not row["holder"] or len(row["holder"]) > 200:
        return "holder must be 1 to 200 characters"
    if len(row["address"]) > 400:
        return "address is longer than 400 characters"
    if CONTROL.search(row["holder"]) or CONTROL.search(row["address"]):
        return "holder or address holds control characters"
    if row["category"] not in {c.value for c in Category}:
        return "category must be residential or non_residential"
    if isinstance(balance, str):
        return balance
    return None


def _bill(  # noqa: PLR0911 - one early return per column
    row: dict[str, str], ids: dict[str, int]
) -> dict[str, Any] | str:
    error = _account_no(row["account_no"])
    if error:
        return error
    account_id = ids.get(row["account_no"])
    if account_id is None:
        return f"account {row['account_no']} is not imported (run import-accounts first)"
    if not PERIOD.match(row["period"]):
        return f"period must be YYYY-MM, got {row['period'][:20]!r}"
    amount = _fen(row["amount_fen"], "amount_fen", positive=True)
    if isinstance(amount, str):
        return amount
    paid = _fen(row.get("paid_fen") or "0", "paid_fen", positive=False)
    if isinstance(paid, str):
        return paid
    if paid > amount:
        return "paid_fen is more than amount_fen"
    try:
        due = date.fromisoformat(row["due_date"])
    except ValueError:
        return f"due_date must be YYYY-MM-DD, got {row['due_date'][:20]!r}"
    return {
        "account_id": account_id,
        "period": row["period"],
        "amount_fen": amount,
        "paid_fen": paid,
        "due_date": due,
        "fee_from": None,
        "fee_carried_fen": 0,
        "late_fee_paid_fen": 0,
    }


def _account_ids(conn: Connection) -> dict[str, int]:
    return {
        str(no): int(pk) for no, pk in conn.execute(select(accounts.c.account_no, accounts.c.id))
    }


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]
