"""`kiosk-central report`: per kiosk and period, what was paid and what was collected.

For each kiosk: payments by method (count and total), cash by denomination (from the notes
each cash payment listed), collections (cash boxes emptied, with the counted notes), and the
difference between cash collected and cash paid. Payments count by the kiosk's time of payment
and collections by their time, both as calendar days in server.timezone, from FROM through TO.
The difference is zero when the period runs from one collection to the next and nothing is
missing; cash paid before a period's first collection was collected in it, so choose periods
that start just after a collection.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select

from central import db
from central.schema import Method, collection_counts, collections, kiosks, payment_cash, payments


def _bounds(start: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return (
        datetime.combine(start, time(), zone),
        datetime.combine(end + timedelta(days=1), time(), zone),
    )


def build(
    engine: Engine, *, start: date, end: date, zone: ZoneInfo, kiosk_id: str | None = None
) -> list[dict[str, Any]]:
    low, high = _bounds(start, end, zone)
    with db.read(engine) as conn:
        wanted = select(kiosks.c.kiosk_id).order_by(kiosks.c.kiosk_id)
        if kiosk_id is not None:
            wanted = wanted.where(kiosks.c.kiosk_id == kiosk_id)
        kiosk_ids = list(conn.execute(wanted).scalars())
        in_period = (payments.c.created_at >= low) & (payments.c.created_at < high)
        by_method = conn.execute(
            select(
                payments.c.kiosk_id,
                payments.c.method,
                func.count(),
                func.sum(payments.c.amount_fen),
            )
            .where(in_period)
            .group_by(payments.c.kiosk_id, payments.c.method)
        ).all()
        cash_notes = conn.execute(
            select(
                payments.c.kiosk_id, payment_cash.c.denomination_fen, func.sum(payment_cash.c.count)
            )
            .join(payment_cash, payment_cash.c.payment_id == payments.c.id)
            .where(in_period)
            .group_by(payments.c.kiosk_id, payment_cash.c.denomination_fen)
        ).all()
        emptied = conn.execute(
            select(collections)
            .where(collections.c.at >= low, collections.c.at < high)
            .order_by(collections.c.at)
        ).all()
        counted = conn.execute(
            select(
                collections.c.kiosk_id,
                collection_counts.c.denomination_fen,
                func.sum(collection_counts.c.count),
            )
            .join(collection_counts, collection_counts.c.collection_pk == collections.c.id)
            .where(collections.c.at >= low, collections.c.at < high)
            .group_by(collections.c.kiosk_id, collection_counts.c.denomination_fen)
        ).all()
    methods: dict[str, dict[str, dict[str, int]]] = defaultdict(dict)
    for kiosk, method, count, total in by_method:
        methods[kiosk][method] = {"count": int(count), "total_fen": int(total or 0)}
    notes: dict[str, dict[str, int]] = defaultdict(dict)
    for kiosk, denomination, count in cash_notes:
        notes[kiosk][str(denomination)] = int(count or 0)
    collected_notes: dict[str, dict[str, int]] = defaultdict(dict)
    for kiosk, denomination, count in counted:
        collected_notes[kiosk][str(denomination)] = int(count or 0)
    boxes: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in emptied:
        boxes[row.kiosk_id].append(
            {
                "collection_id": row.collection_id,
                "at": row.at.astimezone(zone).isoformat(),
                "technician": row.technician,
                "physical_total_fen": row.physical_total_fen,
                "journal_total_fen": row.journal_total_fen,
                "device_total_fen": row.device_total_fen,
            }
        )
    lines = []
    for kiosk in kiosk_ids:
        per_method = {
            m.value: methods[kiosk].get(m.value, {"count": 0, "total_fen": 0}) for m in Method
        }
        cash_total = per_method[Method.CASH.value]["total_fen"]
        collected_total = sum(b["physical_total_fen"] for b in boxes[kiosk])
        by_denomination = {}
        for denomination in sorted({*notes[kiosk], *collected_notes[kiosk]}, key=int):
            paid = notes[kiosk].get(denomination, 0)
            taken = collected_notes[kiosk].get(denomination, 0)
            by_denomination[denomination] = {
                "paid_notes": paid,
                "collected_notes": taken,
                "difference_notes": taken - paid,
            }
        lines.append(
            {
                "kiosk_id": kiosk,
                "from": start.isoformat(),
                "to": end.isoformat(),
                "payments": per_method,
                "cash_total_fen": cash_total,
                "cash_by_denomination": by_denomination,
                "collections": boxes[kiosk],
                "collected_total_fen": collected_total,
                "difference_fen": collected_total - cash_total,
            }
        )
    return lines
