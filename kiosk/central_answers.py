"""The central server's answers as the kiosk reads them (wire format v1, docs/wire-format.md).

Frozen dataclasses with money as integer fen (``Account`` with its bills and ``Usage``,
``PaymentAnswer``, ``BatchItem``, ``QrOrder``, ``QrOrderStatus``, ``PaycodeStatus``,
``HeartbeatAnswer``), and the strict parsers that build them from decoded JSON. A parser
raises ``AnswerMalformed`` when an answer is not what the wire format says (a float amount,
a missing field); the client (kiosk/central_client.py) turns that into a
``CentralServerError``, so ``AnswerMalformed`` never leaves the two modules. One exception
to strictness: a malformed ``usage`` is logged and dropped, it never keeps a customer from
paying.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from kiosk.money import MoneyError, fen_from_json

log = logging.getLogger("kiosk.central")


# --- answers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bill:
    period: str
    amount_fen: int
    paid_fen: int
    due_date: date
    late_fee_fen: int


@dataclass(frozen=True)
class MeterReading:
    read_on: str  # ISO date: the snapshot carries it as it came (JSON-safe)
    reading_kwh: int


@dataclass(frozen=True)
class MonthUsage:
    month: str  # YYYY-MM
    kwh: int | None  # None: nothing on record for that month


@dataclass(frozen=True)
class TariffTier:
    tier: int  # 1, 2, 3: 第一档, 第二档, 第三档
    up_to_kwh: int | None  # inclusive bound of the year's kWh; None on the last tier
    price_li_per_kwh: int  # 厘 (0.1 fen) per kWh: 538 is 0.538 yuan


@dataclass(frozen=True)
class Usage:
    """The account's meter, its last two readings (newest first), the twelve months before this
    one (oldest first), and this year's kWh in the tiered tariff (no tiers: not residential)."""

    meter_no: str | None
    readings: tuple[MeterReading, ...]
    months: tuple[MonthUsage, ...]
    year: int
    year_kwh: int
    tiers: tuple[TariffTier, ...]
    tier: int | None


@dataclass(frozen=True)
class Account:
    account_no: str
    holder: str  # masked by the server: 王*明
    address: str  # masked by the server
    category: str  # "residential" or "non_residential"
    balance_fen: int
    bills: tuple[Bill, ...]
    arrears_fen: int
    late_fee_fen: int
    due_fen: int
    as_of: date
    usage: Usage | None = None  # an older server sends none, and a malformed one is dropped


@dataclass(frozen=True)
class Allocation:
    period: str
    principal_fen: int
    late_fee_fen: int


@dataclass(frozen=True)
class PaymentAnswer:
    txn_id: str
    status: str
    server_ref: str
    allocations: tuple[Allocation, ...]
    credited_to_balance_fen: int
    balance_fen: int
    receipt_url: str
    replayed: bool = False  # True when the server answered 200: it had this txn already
    invoice_url: str | None = None  # where the customer requests an e-invoice (older servers: none)


@dataclass(frozen=True)
class BatchItem:
    txn_id: str | None
    status: int  # the HTTP status this payment would have had on its own
    answer: PaymentAnswer | None
    error: str | None
    detail: dict[str, object]


@dataclass(frozen=True)
class QrOrder:
    order_id: str
    qr_payload: str
    expires_at: datetime


@dataclass(frozen=True)
class PaycodeStatus:
    """A payment-code (付款码) payment as the server sees it."""

    txn_id: str
    status: str  # paid, userpaying, failed, reversed (and pending while the provider is asked)
    payment: PaymentAnswer | None  # when paid
    reason: str | None = None  # when failed: what the customer can act on
    invoice_url: str | None = None


@dataclass(frozen=True)
class QrOrderStatus:
    order_id: str
    status: str  # pending, paid, expired, cancelled
    expires_at: datetime
    payment: PaymentAnswer | None


@dataclass(frozen=True)
class HeartbeatAnswer:
    server_time: datetime
    commands: tuple[dict[str, object], ...]


# --- strict parsing -----------------------------------------------------------------------------


class AnswerMalformed(Exception):
    """An answer breaks the wire format (becomes CentralServerError)."""


def json_object(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise AnswerMalformed(f"{where} is not a JSON object")
    return value


def _str(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise AnswerMalformed(f"{key} is not text")
    return value


def _fen(data: Mapping[str, Any], key: str) -> int:
    try:
        return fen_from_json(data.get(key), field=key)
    except MoneyError as exc:
        raise AnswerMalformed(str(exc)) from exc


def _int(data: Mapping[str, Any], key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise AnswerMalformed(f"{key} is not an integer")
    return value


def _date(data: Mapping[str, Any], key: str) -> date:
    try:
        return date.fromisoformat(_str(data, key))
    except ValueError as exc:
        raise AnswerMalformed(f"{key} is not a date") from exc


def utc_instant(data: Mapping[str, Any], key: str) -> datetime:
    try:
        value = datetime.fromisoformat(_str(data, key))
    except ValueError as exc:
        raise AnswerMalformed(f"{key} is not an ISO 8601 time") from exc
    if value.tzinfo is None:
        raise AnswerMalformed(f"{key} has no UTC offset")
    return value


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list):
        raise AnswerMalformed(f"{key} is not a list")
    return value


def parse_account(raw: object) -> Account:
    data = json_object(raw, "the account")
    bills = tuple(
        Bill(
            period=_str(b, "period"),
            amount_fen=_fen(b, "amount_fen"),
            paid_fen=_fen(b, "paid_fen"),
            due_date=_date(b, "due_date"),
            late_fee_fen=_fen(b, "late_fee_fen"),
        )
        for b in (json_object(item, "a bill") for item in _list(data, "bills"))
    )
    return Account(
        account_no=_str(data, "account_no"),
        holder=_str(data, "holder"),
        address=_str(data, "address"),
        category=_str(data, "category"),
        balance_fen=_fen(data, "balance_fen"),
        bills=bills,
        arrears_fen=_fen(data, "arrears_fen"),
        late_fee_fen=_fen(data, "late_fee_fen"),
        due_fen=_fen(data, "due_fen"),
        as_of=_date(data, "as_of"),
        usage=_usage_or_none(data.get("usage")),
    )


MAX_MONTHS = 12
MAX_READINGS = 2


def _usage_or_none(raw: object) -> Usage | None:
    """The account's usage; a malformed one is logged and dropped: it is there to be looked at,
    and must never keep a customer from paying."""
    if raw is None:
        return None
    try:
        return parse_usage(raw)
    except AnswerMalformed as exc:
        log.warning("account lookup: usage dropped, it breaks the wire format: %s", exc)
        return None


def parse_usage(raw: object) -> Usage:
    data = json_object(raw, "the usage")
    meter_no = data.get("meter_no")
    if meter_no is not None and not isinstance(meter_no, str):
        raise AnswerMalformed("usage.meter_no is not text")
    readings = tuple(
        MeterReading(_date(r, "read_on").isoformat(), _kwh(r, "reading_kwh"))
        for r in (json_object(item, "a reading") for item in _list(data, "readings"))
    )
    months = tuple(
        MonthUsage(_month(m, "month"), None if m.get("kwh") is None else _kwh(m, "kwh"))
        for m in (json_object(item, "a month") for item in _list(data, "months"))
    )
    tiers = tuple(
        TariffTier(
            _int(t, "tier"),
            None if t.get("up_to_kwh") is None else _kwh(t, "up_to_kwh"),
            _kwh(t, "price_li_per_kwh"),
        )
        for t in (json_object(item, "a tier") for item in _list(data, "tiers"))
    )
    tier = data.get("tier")
    if len(readings) > MAX_READINGS or len(months) > MAX_MONTHS:
        raise AnswerMalformed("usage: more readings or months than the wire format sends")
    if [t.tier for t in tiers] != list(range(1, len(tiers) + 1)):
        raise AnswerMalformed("usage.tiers are not numbered 1, 2, 3 ...")
    _check_tiers(tiers, tier)
    return Usage(
        meter_no=meter_no,
        readings=readings,
        months=months,
        year=_int(data, "year"),
        year_kwh=_kwh(data, "year_kwh"),
        tiers=tiers,
        tier=tier if tiers else None,
    )


def _check_tiers(tiers: tuple[TariffTier, ...], tier: object) -> None:
    if not tiers:
        if tier is not None:
            raise AnswerMalformed("usage.tier without tiers")
        return
    bounded = [t.up_to_kwh for t in tiers[:-1]]
    if tiers[-1].up_to_kwh is not None or any(b is None for b in bounded):
        raise AnswerMalformed("usage.tiers: only the last tier is unbounded")
    known = [b for b in bounded if b is not None]
    if known != sorted(set(known)):
        raise AnswerMalformed("usage.tiers: the bounds do not rise")
    if isinstance(tier, bool) or not isinstance(tier, int) or not 1 <= tier <= len(tiers):
        raise AnswerMalformed("usage.tier is not one of the tiers")


def _kwh(data: Mapping[str, Any], key: str) -> int:
    value = _int(data, key)
    if value < 0:
        raise AnswerMalformed(f"{key} is negative")
    return value


def _month(data: Mapping[str, Any], key: str) -> str:
    value = _str(data, key)
    try:
        date.fromisoformat(f"{value}-01")
    except ValueError as exc:
        raise AnswerMalformed(f"{key} is not a YYYY-MM month") from exc
    if len(value) != len("2026-01"):
        raise AnswerMalformed(f"{key} is not a YYYY-MM month")
    return value


def parse_payment_answer(raw: object, *, replayed: bool = False) -> PaymentAnswer:
    data = json_object(raw, "the payment answer")
    allocations = tuple(
        Allocation(
            period=_str(a, "period"),
            principal_fen=_fen(a, "principal_fen"),
            late_fee_fen=_fen(a, "late_fee_fen"),
        )
        for a in (json_object(item, "an allocation") for item in _list(data, "allocations"))
    )
    return PaymentAnswer(
        txn_id=_str(data, "txn_id"),
        status=_str(data, "status"),
        server_ref=_str(data, "server_ref"),
        allocations=allocations,
        credited_to_balance_fen=_fen(data, "credited_to_balance_fen"),
        balance_fen=_fen(data, "balance_fen"),
        receipt_url=_str(data, "receipt_url"),
        replayed=replayed,
        invoice_url=invoice if isinstance(invoice := data.get("invoice_url"), str) else None,
    )


def parse_paycode_status(raw: object) -> PaycodeStatus:
    data = json_object(raw, "the payment-code answer")
    status = _str(data, "status")
    payment = data.get("payment")
    if payment is None and status == "paid":
        payment = data  # the answer carries the posted payment's fields itself
    reason, invoice = data.get("reason"), data.get("invoice_url")
    return PaycodeStatus(
        txn_id=_str(data, "txn_id"),
        status=status,
        payment=None if payment is None else parse_payment_answer(payment),
        reason=reason if isinstance(reason, str) else None,
        invoice_url=invoice if isinstance(invoice, str) else None,
    )


def _batch_item(raw: object) -> BatchItem:
    data = json_object(raw, "a batch result")
    status = _int(data, "http_status")
    body = json_object(data.get("body"), "a batch result's body")
    txn_id = data.get("txn_id")
    if txn_id is not None and not isinstance(txn_id, str):
        raise AnswerMalformed("a batch result's txn_id is not text")
    if status in (200, 201):
        return BatchItem(
            txn_id, status, parse_payment_answer(body, replayed=status == 200), None, {}
        )
    detail = {k: v for k, v in body.items() if k != "error"}
    return BatchItem(txn_id, status, None, _str(body, "error"), detail)


def parse_batch_answer(raw: object, payments: int) -> list[BatchItem]:
    """The answer to a batch of ``payments`` payments: one item per payment, in order."""
    items = [_batch_item(r) for r in _list(json_object(raw, "the batch answer"), "results")]
    if len(items) != payments:
        raise AnswerMalformed(f"{len(items)} results for {payments} payments")
    return items


def parse_qr_order(raw: object) -> QrOrder:
    data = json_object(raw, "the QR order")
    return QrOrder(
        _str(data, "order_id"), _str(data, "qr_payload"), utc_instant(data, "expires_at")
    )


def parse_qr_order_status(raw: object) -> QrOrderStatus:
    data = json_object(raw, "the QR order status")
    payment = data.get("payment")
    return QrOrderStatus(
        order_id=_str(data, "order_id"),
        status=_str(data, "status"),
        expires_at=utc_instant(data, "expires_at"),
        payment=None if payment is None else parse_payment_answer(payment),
    )


def parse_cancel_answer(raw: object) -> str:
    """The order's status after a cancel (paid if it was)."""
    return _str(json_object(raw, "the cancel answer"), "status")


def parse_heartbeat_answer(raw: object) -> HeartbeatAnswer:
    data = json_object(raw, "the heartbeat answer")
    commands = tuple(json_object(c, "a command") for c in _list(data, "commands"))
    return HeartbeatAnswer(utc_instant(data, "server_time"), commands)
