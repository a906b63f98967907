"""An event as the journal stores and hands it back, and the journal's error: the two names the
projection and the schema steps need, kept apart from kiosk/journal.py so that the journal
can import those modules and they need nothing from it (no import cycle).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kiosk import KioskError


class JournalError(KioskError):
    """The journal cannot be opened or written; the kiosk must not take money."""


@dataclass(frozen=True)
class Event:
    seq: int
    at: str
    kind: str
    txn_id: str | None
    actor: str | None
    payload: Mapping[str, Any]
    prev_hash: str
    hash: str

    def as_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at,
            "kind": self.kind,
            "txn_id": self.txn_id,
            "actor": self.actor,
            "payload": dict(self.payload),
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }
