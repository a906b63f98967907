"""The maintenance screen's cash collection: the journal's counts per denomination since the
last collection, then the technician's physical count committed as one ``Collection`` event
(queued for the server), a printed slip, and the difference logged. Part of
``kiosk.maintenance.Maintenance``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from kiosk.collection_slip import CollectionSlip, DenominationCount
from kiosk.events import Collection, Queued
from kiosk.maintenance.screen_state import ScreenState
from kiosk.projection import Kind
from kiosk.receipt_escpos import render_escpos
from kiosk.receipts import render_text

log = logging.getLogger("kiosk.maintenance")


class CashCollection(ScreenState):
    """The ``collection_preview`` and ``collection_commit`` actions."""

    def _collection_preview(self) -> None:
        engine = self.engine
        counts = engine.cashbox_counts()
        denominations = sorted(set(engine.config.cash.denominations_fen) | set(counts))
        self.view["collection"] = {
            "since": self._last_collection_at(),
            "rows": [
                {"denomination_fen": d, "journal_count": counts.get(d, 0), "device_count": None}
                for d in denominations
            ],
            "journal_total_fen": sum(d * n for d, n in counts.items()),
        }
        self._audit("collection_preview", "ok")

    def _collection_commit(self, physical: Mapping[str, int]) -> None:
        assert self.user is not None
        engine, cfg = self.engine, self.engine.config
        counts = engine.cashbox_counts()
        typed = {int(k): int(v) for k, v in physical.items()}
        if any(v < 0 for v in typed.values()):
            raise ValueError("a physical count cannot be negative")
        denominations = sorted(set(cfg.cash.denominations_fen) | set(counts) | set(typed))
        rows = [
            DenominationCount(d, counts.get(d, 0), None, typed.get(d, 0)) for d in denominations
        ]
        now = self.engine.central.clock.now_utc().astimezone()
        since = datetime.fromisoformat(self._last_collection_at() or now.isoformat())
        collection_id = f"{cfg.kiosk.id}-C{self._next_collection_no():05d}"
        slip = CollectionSlip(
            cfg.kiosk.id,
            cfg.kiosk.location,
            since,
            now,
            self.user.name,
            tuple(rows),
            collection_id=collection_id,
            language=engine.language,
        )
        collection = Collection(
            collection_id=collection_id,
            counts={str(r.denomination_fen): r.physical_count for r in rows},
            journal_total_fen=slip.journal_total_fen,
            device_total_fen=slip.device_total_fen,
            physical_total_fen=slip.physical_total_fen,
            technician=self.user.technician_id,
            at=now.isoformat(timespec="seconds"),
            difference_fen=slip.physical_total_fen - slip.journal_total_fen,
            journal_counts={str(r.denomination_fen): r.journal_count for r in rows},
        )
        engine.journal.append_many(
            lambda _c: [
                collection.entry(None),
                Queued(collection_id, "collections", collection.body).entry(None),
            ],
            actor=self.user.technician_id,
        )
        engine.outbox.wake()
        text = render_text(slip, columns=cfg.chars_per_line)
        engine.print_document(
            text,
            render_escpos(
                slip,
                columns=cfg.chars_per_line,
                encoding=cfg.printer.encoding,
                has_cutter=cfg.printer.has_cutter,
            ),
        )
        self.view["collection"] = {
            "done": collection_id,
            "difference_fen": collection.difference_fen,
            "slip_text": text,
        }
        if collection.difference_fen:
            log.warning(
                "collection %s: physical count differs from the journal by %d fen",
                collection_id,
                collection.difference_fen,
            )

    def _next_collection_no(self) -> int:
        return len(self.engine.journal.events(kinds=(Kind.COLLECTION.value,))) + 1

    def _last_collection_at(self) -> str | None:
        events = self.engine.journal.events(kinds=(Kind.COLLECTION.value,))
        if events:
            return events[-1].at
        first = self.engine.journal.events(since_seq=0)[:1]
        return first[0].at if first else None
