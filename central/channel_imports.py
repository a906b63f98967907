"""`kiosk-central import-payments`: payments made through other channels (bank counters,
online banking, agents), for the collection-rate report.

payments.csv: ``channel,ref,account_no,amount_fen,paid_on`` (channel 1-32 letters, digits,
'_' or '-'; ref the channel's own reference, unique per channel; paid_on YYYY-MM-DD). Rows are
checked first like every import (bad rows by line number, nothing imported if any); a
(channel, ref) already imported with the same values is skipped, with other values it is a
bad row. These rows only feed the report: the billing system that took the money settles the
bills, and its next ``import-bills`` carries their ``paid_fen``.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select

from central import collection_rate, db
from central.imports import (
    ImportResult,
    _account_ids,
    _account_no,
    _chunks,
    _count_lines,
    _fen,
    _Problems,
    _rows,
)
from central.progress import Progress
from central.schema import utcnow
from central.schema_fleet import channel_payments

COLUMNS = ("channel", "ref", "account_no", "amount_fen", "paid_on")
CHANNEL = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
REF = re.compile(r"^[A-Za-z0-9_.:/-]{1,64}$")
RESERVED = frozenset({"kiosk"})  # the kiosks' own payments are counted from the payments table


def _row(row: dict[str, str], ids: dict[str, int]) -> dict[str, Any] | str:  # noqa: PLR0911 - one early return per column
    if not CHANNEL.match(row["channel"]) or row["channel"] in RESERVED:
        return "channel must be 1-32 letters, digits, '_' or '-' (and not 'kiosk')"
    if not REF.match(row["ref"]):
        return "ref must be 1-64 letters, digits or _.:/-"
    error = _account_no(row["account_no"])
    if error:
        return error
    account_id = ids.get(row["account_no"])
    if account_id is None:
        return f"account {row['account_no']} is not imported (run import-accounts first)"
    amount = _fen(row["amount_fen"], "amount_fen", positive=True)
    if isinstance(amount, str):
        return amount
    try:
        paid_on = date.fromisoformat(row["paid_on"])
    except ValueError:
        return f"paid_on must be YYYY-MM-DD, got {row['paid_on'][:20]!r}"
    return {
        "channel": row["channel"],
        "ref": row["ref"],
        "account_id": account_id,
        "account_no": row["account_no"],
        "amount_fen": amount,
        "paid_on": paid_on,
    }


def import_payments(engine: Engine, path: Path) -> ImportResult:
    problems = _Problems(path)
    progress = Progress(f"checking {path.name}", _count_lines(path))
    with db.read(engine) as conn:
        ids = _account_ids(conn)
        known = {
            (r.channel, r.ref): (r.account_no, r.amount_fen, r.paid_on)
            for r in conn.execute(
                select(
                    channel_payments.c.channel,
                    channel_payments.c.ref,
                    channel_payments.c.account_no,
                    channel_payments.c.amount_fen,
                    channel_payments.c.paid_on,
                )
            )
        }
    seen: dict[tuple[str, str], int] = {}
    rows: list[dict[str, Any]] = []
    skipped = 0
    for line, raw in _rows(path, COLUMNS, problems):
        progress.advance()
        checked = _row(raw, ids)
        if isinstance(checked, str):
            problems.add(line, checked)
            continue
        key = (checked["channel"], checked["ref"])
        if key in seen:
            problems.add(line, f"{key[0]} {key[1]} already appears on line {seen[key]}")
            continue
        seen[key] = line
        before = known.get(key)
        if before is not None:
            if before != (checked["account_no"], checked["amount_fen"], checked["paid_on"]):
                problems.add(line, f"{key[0]} {key[1]} was imported before with other values")
            else:
                skipped += 1
            continue
        rows.append(checked)
    progress.finish()
    problems.raise_if_any()
    now = utcnow()
    with db.write(engine) as conn:
        for chunk in _chunks([dict(r, imported_at=now) for r in rows]):
            conn.execute(insert(channel_payments), chunk)
        collection_rate.forget(conn, sorted({r["paid_on"] for r in rows}))
    return ImportResult(rows=len(rows) + skipped, inserted=len(rows), updated=0, skipped=skipped)
