"""Journal event kinds, and typed payloads for the events several writers build.

An event is written as ``(kind, payload, txn_id)`` (``Journal.append_many``) and its payload
is stored as JSON; docs/journal.md gives the order of writes. ``Queued`` and ``Posted`` are
built by the cash, QR, card and paycode flows, recovery, maintenance, remote commands and
the outbox, and read back by the projection: each is made here, in one shape, so a writer
cannot forget a field the projection or the outbox relies on.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Entry = tuple[str, dict[str, Any], str | None]


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


@dataclass(frozen=True)
class Queued:
    """An item handed to the outbox with the exact body it will post.

    ``endpoint`` names the call: payments, collections, resolutions or command_results.
    ``requeue``: a technician sends a parked item again (same id, same body)."""

    item_id: str
    endpoint: str
    body: Mapping[str, Any]
    amount_fen: int = 0
    requeue: bool = False

    def entry(self, txn_id: str | None) -> Entry:
        payload: dict[str, Any] = {
            "item_id": self.item_id,
            "endpoint": self.endpoint,
            "amount_fen": self.amount_fen,
            "body": dict(self.body),
        }
        if self.requeue:
            payload["requeue"] = True
        return Kind.QUEUED.value, payload, txn_id

    @classmethod
    def read(cls, payload: Mapping[str, Any]) -> Queued:
        return cls(
            item_id=str(payload["item_id"]),
            endpoint=str(payload["endpoint"]),
            body=payload["body"],
            amount_fen=int(payload.get("amount_fen", 0)),
            requeue=bool(payload.get("requeue", False)),
        )


@dataclass(frozen=True)
class Posted:
    """The server took an item. The outbox names the ``item_id`` it posted; a flow that got
    the answer on the spot (QR, card, paycode, an online cash post) names the call ``via``."""

    endpoint: str
    server_ref: str | None
    answer: Any
    item_id: str | None = None
    via: str | None = None

    def entry(self, txn_id: str | None) -> Entry:
        payload: dict[str, Any] = {"endpoint": self.endpoint}
        if self.item_id is not None:
            payload["item_id"] = self.item_id
        if self.via is not None:
            payload["via"] = self.via
        payload["server_ref"] = self.server_ref
        payload["answer"] = self.answer
        return Kind.POSTED.value, payload, txn_id

    @classmethod
    def read(cls, payload: Mapping[str, Any]) -> Posted:
        return cls(
            endpoint=str(payload.get("endpoint", "payments")),  # early releases left it out
            server_ref=payload.get("server_ref"),
            answer=payload.get("answer"),
            item_id=payload.get("item_id"),
            via=payload.get("via"),
        )
