"""Request bodies of the wire format (docs/wire-format.md): strict parsing and validation.

Every problem becomes ``InvalidRequest(field, message)``: 400 ``invalid_request`` naming the
field and saying what would be accepted. Amounts are JSON integers of fen; a float, a bool or
a string where an amount belongs is refused, never rounded.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from central.errors import InvalidRequest
from central.schema import ACCOUNT_NO_MAX, Method, Outcome

NOTE_DENOMINATIONS_FEN = frozenset({100, 500, 1000, 2000, 5000, 10000})  # ¥1 ... ¥100 notes
MAX_NOTES = 10_000
MAX_TOTAL_FEN = 10**12
ACCOUNT_NO_MIN = 4
ACCOUNT_NO = re.compile(r"^[0-9]+$")
TXN_SEQ = re.compile(r"^[0-9]{8,12}$")
CARD_NO = re.compile(r"^[0-9]{8,32}$")
PIN = re.compile(r"^[0-9]{4,24}$")
ORDER_ID = re.compile(r"^[A-Za-z0-9_-]{8,40}$")
COLLECTION_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab and newlines are fine


def parse_json(body: bytes) -> object:
    """Bytes to JSON; no NaN/Infinity, no duplicate keys, bounded nesting."""
    if not body.strip():
        raise InvalidRequest("body", "the body is empty; send a JSON object")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidRequest("body", "the body is not UTF-8 text") from exc
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except RecursionError as exc:
        raise InvalidRequest("body", "the JSON is nested too deeply") from exc
    except ValueError as exc:
        raise InvalidRequest("body", f"malformed JSON: {exc}") from exc


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {key!r} appears twice")
        result[key] = value
    return result


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number")


def fingerprint(raw: object) -> str:
    """sha256 of the canonical JSON (sorted keys, no spaces): formatting does not matter."""
    canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class Fields:
    """Typed access to one JSON object's fields, naming ``prefix.field`` in every error."""

    def __init__(self, raw: object, prefix: str = "") -> None:
        self.prefix = prefix
        if not isinstance(raw, dict):
            raise InvalidRequest(prefix or "body", "must be a JSON object")
        self.raw: dict[str, Any] = raw
        self.used: set[str] = set()

    def name(self, key: str) -> str:
        return f"{self.prefix}.{key}" if self.prefix else key

    def _get(self, key: str, required: bool) -> Any:
        self.used.add(key)
        value = self.raw.get(key)
        if value is None and required:
            raise InvalidRequest(self.name(key), "is required")
        return value

    def present(self, key: str) -> bool:
        return self.raw.get(key) is not None

    def text(
        self, key: str, *, max_len: int, pattern: re.Pattern[str] | None = None, hint: str = ""
    ) -> str:
        value = self._get(key, True)
        if not isinstance(value, str):
            raise InvalidRequest(self.name(key), f"must be text, got {_kind(value)}")
        if not value.strip():
            raise InvalidRequest(self.name(key), "must not be empty")
        if len(value) > max_len:
            raise InvalidRequest(self.name(key), f"is too long (at most {max_len} characters)")
        if CONTROL.search(value):
            raise InvalidRequest(self.name(key), "holds control characters; send plain text")
        if pattern is not None and not pattern.match(value):
            raise InvalidRequest(self.name(key), hint or f"has the wrong form {value[:40]!r}")
        return value

    def optional_text(self, key: str, *, max_len: int, pattern: re.Pattern[str]) -> str | None:
        return self.text(key, max_len=max_len, pattern=pattern) if self.present(key) else None

    def integer(self, key: str, *, minimum: int, maximum: int, what: str = "a whole number") -> int:
        value = self._get(key, True)
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidRequest(
                self.name(key), f"must be {what} (a JSON integer), got {_kind(value)}"
            )
        if value < minimum:
            raise InvalidRequest(self.name(key), f"must be at least {minimum}, got {value}")
        if value > maximum:
            raise InvalidRequest(self.name(key), f"must be at most {maximum}, got {value}")
        return value

    def fen(self, key: str, *, positive: bool, maximum: int) -> int:
        return self.integer(
            key, minimum=1 if positive else 0, maximum=maximum, what="a whole number of fen"
        )

    def boolean(self, key: str, *, default: bool) -> bool:
        value = self._get(key, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise InvalidRequest(self.name(key), f"must be true or false, got {_kind(value)}")
        return value

    def instant(self, key: str, *, required: bool = True) -> datetime | None:
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, str) or len(value) > 40:
            raise InvalidRequest(self.name(key), "must be an ISO 8601 time with offset")
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError as exc:
            raise InvalidRequest(
                self.name(key), f"{value!r} is not an ISO 8601 time (2026-10-05T14:30:00+08:00)"
            ) from exc
        if parsed.tzinfo is None:
            raise InvalidRequest(self.name(key), "needs a UTC offset, such as +08:00")
        return parsed.astimezone(UTC)

    def obj(self, key: str, *, required: bool) -> dict[str, Any] | None:
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise InvalidRequest(self.name(key), f"must be a JSON object, got {_kind(value)}")
        return value

    def absent(self, key: str, because: str) -> None:
        self.used.add(key)
        if self.present(key):
            raise InvalidRequest(self.name(key), because)

    def done(self) -> None:
        for key in self.raw:
            if key not in self.used:
                raise InvalidRequest(self.name(key), "is not a field of this request")


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    return {int: "an integer", float: "a decimal number", str: "text", list: "a list"}.get(
        type(value), "an object"
    )


def account_no(value: object, field: str = "account_no") -> str:
    if not isinstance(value, str) or not value:
        raise InvalidRequest(field, "must be the account number, as text of digits")
    if not ACCOUNT_NO.match(value):
        raise InvalidRequest(field, "must contain digits only")
    if len(value) > ACCOUNT_NO_MAX:
        raise InvalidRequest(field, f"is too long (at most {ACCOUNT_NO_MAX} digits)")
    if len(value) < ACCOUNT_NO_MIN:
        raise InvalidRequest(field, f"is too short (at least {ACCOUNT_NO_MIN} digits)")
    return value


def _txn_id(fields: Fields, kiosk_id: str) -> str:
    value = fields.text("txn_id", max_len=48)
    own, _, seq = value.rpartition("-")
    if own != kiosk_id or not TXN_SEQ.match(seq):
        raise InvalidRequest(
            fields.name("txn_id"), f"must be {kiosk_id}-NNNNNNNN (this kiosk's id and a sequence)"
        )
    return value


def _account(fields: Fields) -> str:
    fields.used.add("account_no")
    if not fields.present("account_no"):
        raise InvalidRequest(fields.name("account_no"), "is required")
    return account_no(fields.raw["account_no"], fields.name("account_no"))


def cash_breakdown(raw: dict[str, Any], field: str) -> dict[int, int]:
    """{"10000": 2, "5000": 1} -> {10000: 2, 5000: 1}; known note values, positive counts."""
    notes: dict[int, int] = {}
    if not raw:
        raise InvalidRequest(field, "lists no notes")
    for key, count in raw.items():
        if not (isinstance(key, str) and key.isascii() and key.isdigit() and len(key) <= 6):
            raise InvalidRequest(field, f"{key[:20]!r} is not a denomination in fen")
        denomination = int(key)
        if denomination not in NOTE_DENOMINATIONS_FEN:
            allowed = ", ".join(str(d) for d in sorted(NOTE_DENOMINATIONS_FEN))
            raise InvalidRequest(f"{field}.{key}", f"is not a note value (fen: {allowed})")
        if isinstance(count, bool) or not isinstance(count, int) or not 0 < count <= MAX_NOTES:
            raise InvalidRequest(f"{field}.{key}", f"must be a count from 1 to {MAX_NOTES}")
        notes[denomination] = count
    return notes


# A card payment may leave amount_fen out: the kiosk cannot know a card's face value, the
# server does (payments._apply fills it in before planning the allocation).
CARD_FACE_VALUE = 0


@dataclass(frozen=True)
class PaymentRequest:
    txn_id: str
    account_no: str
    amount_fen: int
    method: Method
    cash: dict[int, int]
    card_no: str | None
    pin: str | None
    qr_order_id: str | None
    created_at: datetime
    offline: bool
    fingerprint: str


def payment(
    raw: object, *, kiosk_id: str, max_amount_fen: int, now: datetime, skew_s: int
) -> PaymentRequest:
    fields = Fields(raw)
    txn_id = _txn_id(fields, kiosk_id)
    account = _account(fields)
    method_text = fields.text("method", max_len=10)
    try:
        method = Method(method_text)
    except ValueError as exc:
        raise InvalidRequest("method", "must be one of cash, card, qr") from exc
    if method is Method.PAYCODE:
        raise InvalidRequest("method", "a payment code is posted to /v1/paycode-payments")
    if method is Method.CARD and isinstance(raw, dict) and "amount_fen" not in raw:
        amount = CARD_FACE_VALUE  # the customer pays with the card's face value, looked up
    else:
        amount = fields.fen("amount_fen", positive=True, maximum=max_amount_fen)
    cash: dict[int, int] = {}
    card_no = pin = qr_order_id = None
    if method is Method.CASH:
        cash_raw = fields.obj("cash", required=True)
        assert cash_raw is not None
        cash = cash_breakdown(cash_raw, "cash")
        total = sum(d * n for d, n in cash.items())
        if total != amount:
            raise InvalidRequest(
                "cash", f"the notes add up to {total} fen but amount_fen is {amount}"
            )
    else:
        fields.absent("cash", "is only for method cash")
    if method is Method.CARD:
        card = Fields(fields.obj("card", required=True), "card")
        card_no = card.text("card_no", max_len=32, pattern=CARD_NO, hint="must be 8-32 digits")
        pin = card.text("pin", max_len=24, pattern=PIN, hint="must be 4-24 digits")
        card.done()
    else:
        fields.absent("card", "is only for method card")
    if method is Method.QR:
        qr_order_id = fields.text("qr_order_id", max_len=40, pattern=ORDER_ID)
    else:
        fields.absent("qr_order_id", "is only for method qr")
    created_at = fields.instant("created_at")
    assert created_at is not None
    if created_at > now + timedelta(seconds=skew_s):
        raise InvalidRequest("created_at", "is in the future; check the kiosk's clock")
    offline = fields.boolean("offline", default=False)
    fields.done()
    return PaymentRequest(
        txn_id=txn_id,
        account_no=account,
        amount_fen=amount,
        method=method,
        cash=cash,
        card_no=card_no,
        pin=pin,
        qr_order_id=qr_order_id,
        created_at=created_at,
        offline=offline,
        fingerprint=fingerprint(raw),
    )


@dataclass(frozen=True)
class QrOrderRequest:
    txn_id: str
    account_no: str
    amount_fen: int
    fingerprint: str


def qr_order(raw: object, *, kiosk_id: str, max_amount_fen: int) -> QrOrderRequest:
    fields = Fields(raw)
    request = QrOrderRequest(
        txn_id=_txn_id(fields, kiosk_id),
        account_no=_account(fields),
        amount_fen=fields.fen("amount_fen", positive=True, maximum=max_amount_fen),
        fingerprint=fingerprint(raw),
    )
    fields.done()
    return request


@dataclass(frozen=True)
class CollectionRequest:
    collection_id: str
    counts: dict[int, int]
    journal_total_fen: int
    device_total_fen: int | None  # None (or absent): the acceptor keeps no count of its own
    physical_total_fen: int
    technician: str
    at: datetime
    fingerprint: str


def _optional_fen(fields: Fields, key: str) -> int | None:
    fields.used.add(key)  # null or absent is allowed
    if not fields.present(key):
        return None
    return fields.fen(key, positive=False, maximum=MAX_TOTAL_FEN)


def collection(raw: object) -> CollectionRequest:
    fields = Fields(raw)
    collection_id = fields.text("collection_id", max_len=64, pattern=COLLECTION_ID)
    counts_raw = fields.obj("counts", required=True)
    assert counts_raw is not None
    counts: dict[int, int] = {}
    for key, count in counts_raw.items():
        if not (isinstance(key, str) and key.isascii() and key.isdigit() and len(key) <= 6):
            raise InvalidRequest("counts", f"{key[:20]!r} is not a denomination in fen")
        if int(key) not in NOTE_DENOMINATIONS_FEN:
            raise InvalidRequest(f"counts.{key}", "is not a note value in fen")
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_NOTES:
            raise InvalidRequest(f"counts.{key}", f"must be a count from 0 to {MAX_NOTES}")
        counts[int(key)] = count
    request = CollectionRequest(
        collection_id=collection_id,
        counts=counts,
        journal_total_fen=fields.fen("journal_total_fen", positive=False, maximum=MAX_TOTAL_FEN),
        device_total_fen=_optional_fen(fields, "device_total_fen"),
        physical_total_fen=fields.fen("physical_total_fen", positive=False, maximum=MAX_TOTAL_FEN),
        technician=fields.text("technician", max_len=64),
        at=_required_instant(fields, "at"),
        fingerprint=fingerprint(raw),
    )
    fields.done()
    return request


@dataclass(frozen=True)
class ResolutionRequest:
    txn_id: str
    account_no: str
    amount_fen: int
    cash: dict[int, int]
    outcome: Outcome
    reason: str
    technician: str
    at: datetime
    created_at: datetime
    fingerprint: str


def resolution(raw: object, *, kiosk_id: str, max_amount_fen: int) -> ResolutionRequest:
    fields = Fields(raw)
    txn_id = _txn_id(fields, kiosk_id)
    account = _account(fields)
    amount = fields.fen("amount_fen", positive=True, maximum=max_amount_fen)
    cash_raw = fields.obj("cash", required=True)
    assert cash_raw is not None
    cash = cash_breakdown(cash_raw, "cash")
    total = sum(d * n for d, n in cash.items())
    if total != amount:
        raise InvalidRequest("cash", f"the notes add up to {total} fen but amount_fen is {amount}")
    try:
        outcome = Outcome(fields.text("outcome", max_len=16))
    except ValueError as exc:
        raise InvalidRequest("outcome", "must be credited or not_received") from exc
    reason = fields.text("reason", max_len=500)
    technician = fields.text("technician", max_len=64)
    at = _required_instant(fields, "at")
    created_at = fields.instant("created_at", required=False) or at
    fields.done()
    return ResolutionRequest(
        txn_id=txn_id,
        account_no=account,
        amount_fen=amount,
        cash=cash,
        outcome=outcome,
        reason=reason,
        technician=technician,
        at=at,
        created_at=created_at,
        fingerprint=fingerprint(raw),
    )


@dataclass(frozen=True)
class HeartbeatRequest:
    version: str
    outbox_pending: int
    oldest_unposted_at: datetime | None
    body: Mapping[str, Any]


def heartbeat(raw: object) -> HeartbeatRequest:
    fields = Fields(raw)
    version = fields.text("version", max_len=64)
    fields.obj("devices", required=True)
    fields.obj("cashbox", required=True)
    pending = fields.integer("outbox_pending", minimum=0, maximum=10**9)
    oldest = fields.instant("oldest_unposted_at", required=False)
    _heartbeat_extras(fields)
    fields.done()
    return HeartbeatRequest(version, pending, oldest, fields.raw)


def _heartbeat_extras(fields: Fields) -> None:
    """Optional fields the fleet console shows (central/README.md, "Heartbeat")."""
    for key in ("clock_offset_s", "cashbox_capacity", "suspects"):
        fields.used.add(key)
    for key in ("journal_fault", "data_disk_free_mb"):  # the kiosk's data disk; null when fine
        fields.used.add(key)
    if fields.present("journal_fault"):
        fields.text("journal_fault", max_len=2000)
    if fields.present("data_disk_free_mb"):
        fields.integer("data_disk_free_mb", minimum=0, maximum=10**12)
    if fields.present("clock_offset_s"):
        offset = fields.raw["clock_offset_s"]
        if isinstance(offset, bool) or not isinstance(offset, int | float) or abs(offset) > 1e9:
            raise InvalidRequest("clock_offset_s", "must be a number of seconds (kiosk - server)")
    if fields.present("cashbox_capacity"):
        fields.integer("cashbox_capacity", minimum=1, maximum=100_000)
    if fields.present("suspects"):
        fields.integer("suspects", minimum=0, maximum=10**6)


def batch_items(raw: object, *, max_batch: int) -> list[object]:
    fields = Fields(raw)
    items = fields._get("payments", True)
    if not isinstance(items, list):
        raise InvalidRequest("payments", f"must be a list of payments, got {_kind(items)}")
    if not items:
        raise InvalidRequest("payments", "is empty")
    if len(items) > max_batch:
        raise InvalidRequest("payments", f"holds {len(items)} payments; at most {max_batch}")
    fields.done()
    return items


def _required_instant(fields: Fields, key: str) -> datetime:
    value = fields.instant(key)
    assert value is not None
    return value
