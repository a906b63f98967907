"""Events of the kiosk's own life: a technician's actions, collections, process starts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kiosk.events.kinds import Entry, Kind


@dataclass(frozen=True)
class Resolved:
    """A technician settled a suspect: ``credited`` (the note is in the box) or not."""

    suspect_id: str
    outcome: str
    reason: str
    denomination_fen: int

    def entry(self, txn_id: str | None) -> Entry:
        payload = {
            "suspect_id": self.suspect_id,
            "outcome": self.outcome,
            "reason": self.reason,
            "denomination_fen": self.denomination_fen,
        }
        return Kind.RESOLVED.value, payload, txn_id

    @classmethod
    def read(cls, payload: Mapping[str, Any]) -> Resolved:
        return cls(
            suspect_id=str(payload["suspect_id"]),
            outcome=str(payload["outcome"]),
            reason=str(payload.get("reason", "")),
            denomination_fen=int(payload.get("denomination_fen", 0)),
        )


@dataclass(frozen=True)
class Collection:
    """The cash box was emptied: what was counted, what the journal and the device said.

    ``body`` is what the outbox posts to ``collections``; the event adds the difference and
    the journal's counts."""

    collection_id: str
    counts: Mapping[str, int]
    journal_total_fen: int
    device_total_fen: int | None  # None when the device keeps no counts; written as null
    physical_total_fen: int
    technician: str
    at: str
    difference_fen: int
    journal_counts: Mapping[str, int]

    @property
    def body(self) -> dict[str, Any]:
        return {
            "collection_id": self.collection_id,
            "counts": dict(self.counts),
            "journal_total_fen": self.journal_total_fen,
            "device_total_fen": self.device_total_fen,
            "physical_total_fen": self.physical_total_fen,
            "technician": self.technician,
            "at": self.at,
        }

    def entry(self, txn_id: str | None) -> Entry:
        payload = {
            **self.body,
            "difference_fen": self.difference_fen,
            "journal_counts": dict(self.journal_counts),
        }
        return Kind.COLLECTION.value, payload, txn_id

    @classmethod
    def read(cls, payload: Mapping[str, Any]) -> Collection:
        return cls(
            collection_id=str(payload.get("collection_id", "")),
            counts=payload.get("counts", {}),
            journal_total_fen=int(payload.get("journal_total_fen", 0)),
            device_total_fen=payload.get("device_total_fen"),
            physical_total_fen=int(payload.get("physical_total_fen", 0)),
            technician=str(payload.get("technician", "")),
            at=str(payload.get("at", "")),
            difference_fen=int(payload.get("difference_fen", 0)),
            journal_counts=payload.get("journal_counts", {}),
        )


@dataclass(frozen=True)
class Audit:
    """Any other action, a technician's, the central server's or the kiosk's own: what was
    done and how it went; ``details`` are the action's own fields, stored beside them."""

    action: str
    result: str
    details: Mapping[str, Any] = field(default_factory=dict)

    def entry(self, txn_id: str | None) -> Entry:
        payload = {**self.details, "action": self.action, "result": self.result}
        return Kind.AUDIT.value, payload, txn_id

    @classmethod
    def read(cls, payload: Mapping[str, Any]) -> Audit:
        details = {k: v for k, v in payload.items() if k not in ("action", "result")}
        return cls(str(payload.get("action", "")), str(payload.get("result", "")), details)


@dataclass(frozen=True)
class Started:
    """The kiosk process started; ``recovery`` is what recovery found and did."""

    recovery: Mapping[str, Any] = field(default_factory=dict)

    def entry(self, txn_id: str | None) -> Entry:
        return Kind.STARTED.value, {"recovery": dict(self.recovery)}, txn_id

    @classmethod
    def read(cls, payload: Mapping[str, Any]) -> Started:
        recovery = payload.get("recovery")
        return cls(recovery if isinstance(recovery, Mapping) else {})
