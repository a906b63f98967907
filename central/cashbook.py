"""Cash and reconciliation: collections with their three totals, suspects and resolutions,
and a kiosk's cash book (cash paid in, boxes emptied, what should be in the box).

Periods are calendar days in server.timezone, FROM through TO. Collections compare the
journal's total (what the kiosk recorded), the device's own count (when the acceptor keeps
one) and the physical count; a difference is counted minus journal. The cash book's opening
balance is all cash paid before the period minus all cash collected (counted) before it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, select

from central.schema import Method, accounts, collections, payments, resolutions
from central.schema_fleet import kiosk_status


def bounds(start: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return (
        datetime.combine(start, time(), zone),
        datetime.combine(end + timedelta(days=1), time(), zone),
    )


def collection_rows(
    conn: Connection, start: date, end: date, zone: ZoneInfo, kiosk_id: str | None = None
) -> list[dict[str, Any]]:
    low, high = bounds(start, end, zone)
    query = (
        select(collections)
        .where(collections.c.at >= low, collections.c.at < high)
        .order_by(collections.c.at.desc())
    )
    if kiosk_id:
        query = query.where(collections.c.kiosk_id == kiosk_id)
    rows = []
    for r in conn.execute(query).all():
        device = r.device_total_fen
        rows.append(
            {
                "kiosk_id": r.kiosk_id,
                "collection_id": r.collection_id,
                "at": r.at,
                "technician": r.technician,
                "journal_total_fen": r.journal_total_fen,
                "device_total_fen": device,
                "physical_total_fen": r.physical_total_fen,
                "difference_fen": r.physical_total_fen - r.journal_total_fen,
                "device_difference_fen": None if device is None else device - r.journal_total_fen,
            }
        )
    return rows


def resolution_rows(
    conn: Connection, start: date, end: date, zone: ZoneInfo, kiosk_id: str | None = None
) -> list[Any]:
    low, high = bounds(start, end, zone)
    query = (
        select(resolutions)
        .where(resolutions.c.at >= low, resolutions.c.at < high)
        .order_by(resolutions.c.at.desc())
    )
    if kiosk_id:
        query = query.where(resolutions.c.kiosk_id == kiosk_id)
    return list(conn.execute(query).all())


def open_suspects(conn: Connection) -> list[Any]:
    """Kiosks whose last heartbeat reported suspect transactions not yet resolved."""
    return list(
        conn.execute(
            select(kiosk_status.c.kiosk_id, kiosk_status.c.suspects, kiosk_status.c.last_seen_at)
            .where(kiosk_status.c.suspects > 0)
            .order_by(kiosk_status.c.kiosk_id)
        ).all()
    )


@dataclass(frozen=True)
class CashBook:
    kiosk_id: str
    start: date
    end: date
    opening_fen: int
    entries: list[dict[str, Any]]  # at, kind (payment|collection), ref, in_fen, out_fen, balance
    closing_fen: int


def cash_book(conn: Connection, kiosk_id: str, start: date, end: date, zone: ZoneInfo) -> CashBook:
    low, high = bounds(start, end, zone)
    cash = (payments.c.kiosk_id == kiosk_id) & (payments.c.method == Method.CASH.value)
    paid_before = conn.execute(
        select(func.coalesce(func.sum(payments.c.amount_fen), 0)).where(
            cash, payments.c.created_at < low
        )
    ).scalar_one()
    taken_before = conn.execute(
        select(func.coalesce(func.sum(collections.c.physical_total_fen), 0)).where(
            collections.c.kiosk_id == kiosk_id, collections.c.at < low
        )
    ).scalar_one()
    items: list[tuple[datetime, int, dict[str, Any]]] = []
    for p in conn.execute(
        select(
            payments.c.created_at, payments.c.txn_id, payments.c.amount_fen, accounts.c.account_no
        )
        .join(accounts, accounts.c.id == payments.c.account_id)
        .where(cash, payments.c.created_at >= low, payments.c.created_at < high)
    ).all():
        items.append(
            (
                p.created_at,
                0,
                {
                    "kind": "payment",
                    "ref": p.txn_id,
                    "account_no": p.account_no,
                    "in_fen": p.amount_fen,
                    "out_fen": 0,
                },
            )
        )
    for c in conn.execute(
        select(collections).where(
            collections.c.kiosk_id == kiosk_id, collections.c.at >= low, collections.c.at < high
        )
    ).all():
        items.append(
            (
                c.at,
                1,
                {
                    "kind": "collection",
                    "ref": c.collection_id,
                    "account_no": "",
                    "in_fen": 0,
                    "out_fen": c.physical_total_fen,
                    "technician": c.technician,
                },
            )
        )
    items.sort(key=lambda item: (item[0], item[1]))
    balance = int(paid_before) - int(taken_before)
    opening = balance
    entries = []
    for at, _, entry in items:
        balance += entry["in_fen"] - entry["out_fen"]
        entries.append({"at": at, **entry, "balance_fen": balance})
    return CashBook(kiosk_id, start, end, opening, entries, balance)


def _fen(value: int | None) -> str:
    if value is None:
        return ""
    sign = "-" if value < 0 else ""
    return f"{sign}{abs(value) // 100}.{abs(value) % 100:02d}"


def cash_book_csv(book: CashBook, zone: ZoneInfo) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["kiosk_id", "at", "kind", "ref", "account_no", "in_yuan", "out_yuan", "balance_yuan"]
    )
    writer.writerow(
        [book.kiosk_id, book.start.isoformat(), "opening", "", "", "", "", _fen(book.opening_fen)]
    )
    for e in book.entries:
        writer.writerow(
            [
                book.kiosk_id,
                e["at"].astimezone(zone).isoformat(timespec="seconds"),
                e["kind"],
                e["ref"],
                e["account_no"],
                _fen(e["in_fen"]),
                _fen(e["out_fen"]),
                _fen(e["balance_fen"]),
            ]
        )
    writer.writerow(
        [book.kiosk_id, book.end.isoformat(), "closing", "", "", "", "", _fen(book.closing_fen)]
    )
    return out.getvalue()


def collections_csv(rows: list[dict[str, Any]], zone: ZoneInfo) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "kiosk_id",
            "collection_id",
            "at",
            "technician",
            "journal_yuan",
            "device_yuan",
            "physical_yuan",
            "difference_yuan",
        ]
    )
    for r in rows:
        writer.writerow(
            [
                r["kiosk_id"],
                r["collection_id"],
                r["at"].astimezone(zone).isoformat(timespec="seconds"),
                r["technician"],
                _fen(r["journal_total_fen"]),
                _fen(r["device_total_fen"]),
                _fen(r["physical_total_fen"]),
                _fen(r["difference_fen"]),
            ]
        )
    return out.getvalue()
