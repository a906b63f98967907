"""The journal's event kinds, and the shape every typed event is written in."""

from __future__ import annotations

import enum
from typing import Any

Entry = tuple[str, dict[str, Any], str | None]
"""``(kind, payload, txn_id)``: one event as ``Journal.append_many`` takes it."""


class Kind(enum.StrEnum):
    """Event kinds. A payment's cash events follow the order of writes in docs/journal.md."""

    OPENED = "opened"  # txn id allocated; written before the acceptor is enabled
    ESCROW = "escrow"  # note in escrow and the decision, written before STACK/RETURN
    STACKED = "stacked"  # written before the device's stacked event is acknowledged
    RETURNED = "returned"
    CLOSED = "closed"  # the customer finished (or the engine did for them)
    CANCELLED = "cancelled"  # nothing was taken
    SUSPECT = "suspect"  # a stack decision the device could not settle
    QUEUED = "queued"  # handed to the outbox with the exact body it will post
    POSTED = "posted"
    NEEDS_ATTENTION = "needs_attention"  # the server refused for good
    RECEIPT_PRINTED = "receipt_printed"
    RECEIPT_FAILED = "receipt_failed"
    QR_ORDER = "qr_order"
    QR_CLOSED = "qr_closed"
    CARD_REJECTED = "card_rejected"
    RESOLVED = "resolved"  # a technician settled a suspect
    COLLECTION = "collection"  # the cash box was emptied; counters restart
    AUDIT = "audit"  # any other maintenance action
    STARTED = "started"  # the kiosk process started (recovery results in the payload)


def without_none(**fields: Any) -> dict[str, Any]:
    """A payload of the given fields, an optional one left out when it is None."""
    return {key: value for key, value in fields.items() if value is not None}
