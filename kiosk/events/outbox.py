"""The outbox's events: an item queued with the body it will post, posted, or parked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kiosk.events.kinds import Entry, Kind, without_none


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


@dataclass(frozen=True)
class NeedsAttention:
    """The server refused an item for good (the outbox: ``item_id``, ``status``, ``code``,
    ``detail``), or a flow cannot know whether it applied a payment (``reason``, ``error``):
    a technician checks."""

    endpoint: str = "payments"
    item_id: str | None = None
    status: int | None = None
    code: str | None = None
    detail: Mapping[str, Any] | None = None
    reason: str | None = None
    error: str | None = None

    def entry(self, txn_id: str | None) -> Entry:
        payload = without_none(
            item_id=self.item_id,
            endpoint=self.endpoint,
            status=self.status,
            code=self.code,
            detail=None if self.detail is None else dict(self.detail),
            reason=self.reason,
            error=self.error,
        )
        return Kind.NEEDS_ATTENTION.value, payload, txn_id

    @classmethod
    def read(cls, payload: Mapping[str, Any]) -> NeedsAttention:
        return cls(
            endpoint=str(payload.get("endpoint", "payments")),
            item_id=payload.get("item_id"),
            status=payload.get("status"),
            code=payload.get("code"),
            detail=payload.get("detail"),
            reason=payload.get("reason"),
            error=payload.get("error"),
        )
