"""POST /v1/collections: a technician emptied a cash box; kept for the report, idempotent."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import insert, select

from central import db, wire
from central.context import Central
from central.errors import ApiError
from central.schema import collection_counts, collections


def record(central: Central, kiosk_id: str, raw: object) -> tuple[int, dict[str, Any]]:
    request = wire.collection(raw)
    counted = sum(d * n for d, n in request.counts.items())
    answer: dict[str, Any] = {
        "collection_id": request.collection_id,
        "status": "recorded",
        "counted_total_fen": counted,
        "physical_total_fen": request.physical_total_fen,
        "journal_total_fen": request.journal_total_fen,
        "device_total_fen": request.device_total_fen,
        "difference_fen": request.physical_total_fen - request.journal_total_fen,
    }
    with db.write(central.engine) as conn:
        pk = conn.execute(
            db.insert_ignoring_conflict(
                conn,
                collections,
                {
                    "kiosk_id": kiosk_id,
                    "collection_id": request.collection_id,
                    "fingerprint": request.fingerprint,
                    "journal_total_fen": request.journal_total_fen,
                    "device_total_fen": request.device_total_fen,
                    "physical_total_fen": request.physical_total_fen,
                    "technician": request.technician,
                    "at": request.at,
                    "received_at": central.now(),
                    "answer": json.dumps(answer, separators=(",", ":")),
                },
                ["kiosk_id", "collection_id"],
            ).returning(collections.c.id)
        ).scalar_one_or_none()
        if pk is None:
            row = conn.execute(
                select(collections.c.fingerprint, collections.c.answer).where(
                    collections.c.kiosk_id == kiosk_id,
                    collections.c.collection_id == request.collection_id,
                )
            ).one()
            if row.fingerprint != request.fingerprint:
                raise ApiError(422, "idempotency_key_reused", collection_id=request.collection_id)
            stored: dict[str, Any] = json.loads(row.answer)
            return 200, stored
        if request.counts:
            conn.execute(
                insert(collection_counts),
                [
                    {"collection_pk": pk, "denomination_fen": d, "count": n}
                    for d, n in sorted(request.counts.items())
                ],
            )
    return 201, answer
