"""Journal event kinds, and one typed payload per kind.

An event is written as ``(kind, payload, txn_id)`` (``Journal.append_many``) and its payload
is stored as JSON; docs/journal.md gives the order of writes. Every event is built here, as
the dataclass of its kind (``entry(txn_id)``), and the projection reads a payload back with
the same class (``read(payload)``): a writer cannot forget a field the projection, recovery
or the outbox relies on. An optional field left as None is left out of the payload, and
``read`` accepts the payloads of earlier releases, which may lack it.

- ``kiosk.events.payments``: a payment's events (cash, QR, card, payment code);
- ``kiosk.events.outbox``: queued, posted, needs_attention;
- ``kiosk.events.maintenance``: resolved, collection, audit, started.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from kiosk.events.kinds import Entry, Kind
from kiosk.events.maintenance import Audit, Collection, Resolved, Started
from kiosk.events.outbox import NeedsAttention, Posted, Queued
from kiosk.events.payments import (
    Cancelled,
    CardRejected,
    Closed,
    Escrow,
    Opened,
    QrClosed,
    QrOrder,
    ReceiptFailed,
    ReceiptPrinted,
    Returned,
    Stacked,
    Suspect,
)

__all__ = [
    "EVENT_TYPES",
    "Audit",
    "Cancelled",
    "CardRejected",
    "Closed",
    "Collection",
    "Entry",
    "Escrow",
    "EventType",
    "Kind",
    "NeedsAttention",
    "Opened",
    "Posted",
    "QrClosed",
    "QrOrder",
    "Queued",
    "ReceiptFailed",
    "ReceiptPrinted",
    "Resolved",
    "Returned",
    "Stacked",
    "Started",
    "Suspect",
]


class EventType(Protocol):
    """What every event class is: built into an entry, read back from a payload."""

    def entry(self, txn_id: str | None) -> Entry: ...

    @classmethod
    def read(cls, payload: Mapping[str, Any]) -> EventType: ...


EVENT_TYPES: Mapping[Kind, type[EventType]] = {
    Kind.OPENED: Opened,
    Kind.ESCROW: Escrow,
    Kind.STACKED: Stacked,
    Kind.RETURNED: Returned,
    Kind.CLOSED: Closed,
    Kind.CANCELLED: Cancelled,
    Kind.SUSPECT: Suspect,
    Kind.QUEUED: Queued,
    Kind.POSTED: Posted,
    Kind.NEEDS_ATTENTION: NeedsAttention,
    Kind.RECEIPT_PRINTED: ReceiptPrinted,
    Kind.RECEIPT_FAILED: ReceiptFailed,
    Kind.QR_ORDER: QrOrder,
    Kind.QR_CLOSED: QrClosed,
    Kind.CARD_REJECTED: CardRejected,
    Kind.RESOLVED: Resolved,
    Kind.COLLECTION: Collection,
    Kind.AUDIT: Audit,
    Kind.STARTED: Started,
}
"""The class of each kind: ``EVENT_TYPES[Kind(row.kind)].read(row.payload)``."""
