"""A payment's events, cash, QR, card and payment code, in the order docs/journal.md gives."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kiosk.events.kinds import Entry, Kind, without_none


@dataclass(frozen=True)
class Opened:
    """A txn id allocated (``seq`` from the ``txn_seq`` counter), before any money moves.

    A stray note's record has an empty account and ``stray``; a card payment names the
    masked card, a payment code its masked form and provider."""

    seq: int
    method: str
    account_no: str
    holder: str | None = None
    amount_due_fen: int | None = None
    target_fen: int | None = None
    card_no: str | None = None
    payment_ref: str | None = None
    provider: str | None = None
    stray: bool = False

    def entry(self, txn_id: str | None) -> Entry:
        payload = without_none(
            seq=self.seq,
            method=self.method,
            account_no=self.account_no,
            holder=self.holder,
            amount_due_fen=self.amount_due_fen,
            target_fen=self.target_fen,
            card_no=self.card_no,
            payment_ref=self.payment_ref,
            provider=self.provider,
            stray=self.stray or None,
        )
        return Kind.OPENED.value, payload, txn_id

    @classmethod
    def read(cls, payload: Mapping[str, Any]) -> Opened:
        return cls(
            seq=int(payload["seq"]),
            method=str(payload["method"]),
            account_no=str(payload["account_no"]),
            holder=payload.get("holder"),
            amount_due_fen=payload.get("amount_due_fen"),
            target_fen=payload.get("target_fen"),
            card_no=payload.get("card_no"),
            payment_ref=payload.get("payment_ref"),
            provider=payload.get("provider"),
            stray=bool(payload.get("stray", False)),
        )


@dataclass(frozen=True)
class Escrow:
    """A note in escrow and the decision (``stack`` or ``return``), before it is sent."""

    denomination_fen: int
    decision: str
    reason: str

    def entry(self, txn_id: str | None) -> Entry:
        payload = {
            "denomination_fen": self.denomination_fen,
            "decision": self.decision,
            "reason": self.reason,
        }
        return Kind.ESCROW.value, payload, txn_id

    @classmethod
    def read(cls, payload: Mapping[str, Any]) -> Escrow:
        return cls(
            denomination_fen=int(payload["denomination_fen"]),
            decision=str(payload["decision"]),
            reason=str(payload.get("reason", "")),
        )


@dataclass(frozen=True)
class Stacked:
    """A note in the box; ``evidence`` says how it was known when the device did not say."""

    denomination_fen: int
    evidence: str | None = None

    def entry(self, txn_id: str | None) -> Entry:
        payload = without_none(denomination_fen=self.denomination_fen, evidence=self.evidence)
        return Kind.STACKED.value, payload, txn_id

    @classmethod
    def read(cls, payload: Mapping[str, Any]) -> Stacked:
        return cls(int(payload["denomination_fen"]), payload.get("evidence"))


@dataclass(frozen=True)
class Returned:
    """A note given back to the customer."""

    denomination_fen: int
    evidence: str | None = None

    def entry(self, txn_id: str | None) -> Entry:
        payload = without_none(denomination_fen=self.denomination_fen, evidence=self.evidence)
        return Kind.RETURNED.value, payload, txn_id

    @classmethod
    def read(cls, payload: Mapping[str, Any]) -> Returned:
        return cls(int(payload.get("denomination_fen", 0)), payload.get("evidence"))


@dataclass(frozen=True)
class Closed:
    """The payment finished; a cash payment names its ``notes`` (denomination -> count)."""

    total_fen: int | None  # written even when None (a QR session with no amount)
    reason: str
    notes: Mapping[str, int] | None = None

    def entry(self, txn_id: str | None) -> Entry:
        payload: dict[str, Any] = {"total_fen": self.total_fen, "reason": self.reason}
        if self.notes is not None:
            payload["notes"] = dict(self.notes)
        return Kind.CLOSED.value, payload, txn_id

    @classmethod
    def read(cls, payload: Mapping[str, Any]) -> Closed:
        return cls(
            total_fen=payload.get("total_fen"),
            reason=str(payload.get("reason", "")),
            notes=payload.get("notes"),
        )


@dataclass(frozen=True)
class Cancelled:
    """Nothing was taken; ``detail`` is the server's reason when it gave one."""

    reason: str
    detail: str | None = None

    def entry(self, txn_id: str | None) -> Entry:
        return Kind.CANCELLED.value, without_none(reason=self.reason, detail=self.detail), txn_id

    @classmethod
    def read(cls, payload: Mapping[str, Any]) -> Cancelled:
        return cls(str(payload.get("reason", "")), payload.get("detail"))


@dataclass(frozen=True)
class Suspect:
    """A stack decision nobody can vouch for, under a txn id of its own (``suspect_id``,
    allocated from ``seq``) so that a technician's resolution is posted on its own."""

    suspect_id: str
    seq: int
    denomination_fen: int
    reason: str

    def entry(self, txn_id: str | None) -> Entry:
        payload = {
            "suspect_id": self.suspect_id,
            "seq": self.seq,
            "denomination_fen": self.denomination_fen,
            "reason": self.reason,
        }
        return Kind.SUSPECT.value, payload, txn_id

    @classmethod
    def read(cls, payload: Mapping[str, Any]) -> Suspect:
        return cls(
            suspect_id=str(payload["suspect_id"]),
            seq=int(payload["seq"]),
            denomination_fen=int(payload["denomination_fen"]),
            reason=str(payload.get("reason", "")),
        )


@dataclass(frozen=True)
class ReceiptPrinted:
    """The receipt printed, with its text."""

    text: str | None = None

    def entry(self, txn_id: str | None) -> Entry:
        return Kind.RECEIPT_PRINTED.value, without_none(text=self.text), txn_id

    @classmethod
    def read(cls, payload: Mapping[str, Any]) -> ReceiptPrinted:
        return cls(payload.get("text"))


@dataclass(frozen=True)
class ReceiptFailed:
    """The receipt did not print: the text it would have had, and why."""

    text: str | None = None
    reason: str | None = None

    def entry(self, txn_id: str | None) -> Entry:
        return Kind.RECEIPT_FAILED.value, without_none(text=self.text, reason=self.reason), txn_id

    @classmethod
    def read(cls, payload: Mapping[str, Any]) -> ReceiptFailed:
        return cls(payload.get("text"), payload.get("reason"))


@dataclass(frozen=True)
class QrOrder:
    """The server's QR order: its id, the code's content and when it expires (ISO 8601)."""

    order_id: str
    payload: str | None = None
    expires_at: str | None = None

    def entry(self, txn_id: str | None) -> Entry:
        payload = without_none(
            order_id=self.order_id, payload=self.payload, expires_at=self.expires_at
        )
        return Kind.QR_ORDER.value, payload, txn_id

    @classmethod
    def read(cls, payload: Mapping[str, Any]) -> QrOrder:
        return cls(str(payload["order_id"]), payload.get("payload"), payload.get("expires_at"))


@dataclass(frozen=True)
class QrClosed:
    """A QR order ended unpaid: ``expired``, ``cancelled``, or the server's status."""

    status: str

    def entry(self, txn_id: str | None) -> Entry:
        return Kind.QR_CLOSED.value, {"status": self.status}, txn_id

    @classmethod
    def read(cls, payload: Mapping[str, Any]) -> QrClosed:
        return cls(str(payload.get("status", "")))


@dataclass(frozen=True)
class CardRejected:
    """The server refused the card; ``attempts_left`` is written even when it is unknown."""

    code: str
    attempts_left: Any  # as the server gave it

    def entry(self, txn_id: str | None) -> Entry:
        payload = {"code": self.code, "attempts_left": self.attempts_left}
        return Kind.CARD_REJECTED.value, payload, txn_id

    @classmethod
    def read(cls, payload: Mapping[str, Any]) -> CardRejected:
        return cls(str(payload.get("code", "")), payload.get("attempts_left"))
