"""The kiosk's client for the central server (wire format v1, docs/wire-format.md).

One ``requests.Session`` per client, connect and read timeouts on every call, every request
signed (kiosk/signing.py), and no retries of its own (but one: a request refused for clock
skew, below): the outbox decides when to try again, and the UI path must answer the customer
quickly. Answers are parsed strictly into frozen
dataclasses with money as integer fen; an answer that is not the JSON the wire format says
(a float amount, a missing field) is a ``CentralServerError``.

Exception tree (``KioskError`` is the core's base)::

    KioskError
    └── CentralError
        ├── CentralOffline        connection refused, DNS failure, reset before an answer
        ├── CentralTimeout        connect or read timeout (the request may have been processed)
        ├── CentralRejected       a 4xx answer {"error": code, ...}: .status .code .detail
        │   ├── CentralUnauthorized   401 (bad secret, clock skew, disabled kiosk): .reason
        │   └── CentralRateLimited    429 (.retry_after_s)
        └── CentralServerError    5xx, or an answer that breaks the wire format

The server's time: every answer's ``Date`` header, and the ``server_time`` of a heartbeat,
a ping or a ``clock_skew`` refusal, feed ``self.clock`` (kiosk/server_clock.py), and requests
are signed with ``self.clock.now()``, so a kiosk whose own clock is wrong still signs with the
server's time. A 401 that the clock caused (``reason: clock_skew``, or from an older server
with no reason, a 401 after which the offset moved by more than a minute) is sent once more,
newly signed, at once: the server refused it before doing anything, so sending it again is
safe. Any other 401 is raised: the caller decides (the outbox parks, see kiosk/outbox.py).

Thread safety: calls are serialised by a lock, which is enough for one worker thread and
harmless for two.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar
from urllib.parse import quote

import requests

from kiosk import KioskError
from kiosk.money import MoneyError, fen_from_json
from kiosk.server_clock import Exchange, ServerClock
from kiosk.signing import signed_headers

log = logging.getLogger("kiosk.central")

T = TypeVar("T")
USER_AGENT = "power-kiosk/1"
MAX_ANSWER_BYTES = 4_000_000
CLOCK_SKEW = "clock_skew"  # the 401 reason a stale or future X-Timestamp gets
SKEW_SUSPECTED_S = 60.0  # a 401 from a server that gives no reason, after the offset moved this


# --- errors ---------------------------------------------------------------------------------


class CentralError(KioskError):
    """Base of every error talking to the central server."""


class CentralOffline(CentralError):
    """No answer: connection refused, DNS failure, or the connection reset before an answer."""


class CentralTimeout(CentralError):
    """The connect or read timeout ran out; the server may have processed the request."""


class CentralRejected(CentralError):
    """The server refused the request (4xx) with ``{"error": code, ...}``."""

    def __init__(self, status: int, code: str, detail: Mapping[str, object] | None = None) -> None:
        self.status = status
        self.code = code
        self.detail: dict[str, object] = dict(detail or {})
        super().__init__(
            f"central server refused the request: {status} {code} {self.detail or ''}".rstrip()
        )


class CentralUnauthorized(CentralRejected):
    """401: wrong secret, clock skew over 300 s, a reused nonce, or the kiosk is disabled.

    ``reason`` is the server's machine-readable why (``clock_skew``, ``bad_signature``,
    ``kiosk_disabled``, ``reused_nonce``), or None from a server too old to say.
    """

    @property
    def reason(self) -> str | None:
        value = self.detail.get("reason")
        return value if isinstance(value, str) else None

    @property
    def clock_skew(self) -> bool:
        return self.reason == CLOCK_SKEW

    @property
    def credentials_refused(self) -> bool:
        """The server refuses the kiosk itself (secret, disabled, unknown), not this one request
        (its clock, a nonce seen before): sending again cannot help until someone fixes it."""
        return self.reason not in (CLOCK_SKEW, "reused_nonce")


class CentralRateLimited(CentralRejected):
    """429: too many account lookups; ``retry_after_s`` says when to try again."""

    @property
    def retry_after_s(self) -> int:
        value = self.detail.get("retry_after_s")
        return value if isinstance(value, int) and not isinstance(value, bool) else 60


class CentralServerError(CentralError):
    """5xx, or an answer that is not the JSON the wire format says."""


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


class _Malformed(Exception):
    """An answer breaks the wire format (becomes CentralServerError)."""


def _obj(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Malformed(f"{where} is not a JSON object")
    return value


def _str(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise _Malformed(f"{key} is not text")
    return value


def _fen(data: Mapping[str, Any], key: str) -> int:
    try:
        return fen_from_json(data.get(key), field=key)
    except MoneyError as exc:
        raise _Malformed(str(exc)) from exc


def _int(data: Mapping[str, Any], key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Malformed(f"{key} is not an integer")
    return value


def _date(data: Mapping[str, Any], key: str) -> date:
    try:
        return date.fromisoformat(_str(data, key))
    except ValueError as exc:
        raise _Malformed(f"{key} is not a date") from exc


def _instant(data: Mapping[str, Any], key: str) -> datetime:
    try:
        value = datetime.fromisoformat(_str(data, key))
    except ValueError as exc:
        raise _Malformed(f"{key} is not an ISO 8601 time") from exc
    if value.tzinfo is None:
        raise _Malformed(f"{key} has no UTC offset")
    return value


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list):
        raise _Malformed(f"{key} is not a list")
    return value


def parse_account(raw: object) -> Account:
    data = _obj(raw, "the account")
    bills = tuple(
        Bill(
            period=_str(b, "period"),
            amount_fen=_fen(b, "amount_fen"),
            paid_fen=_fen(b, "paid_fen"),
            due_date=_date(b, "due_date"),
            late_fee_fen=_fen(b, "late_fee_fen"),
        )
        for b in (_obj(item, "a bill") for item in _list(data, "bills"))
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
    except _Malformed as exc:
        log.warning("account lookup: usage dropped, it breaks the wire format: %s", exc)
        return None


def parse_usage(raw: object) -> Usage:
    data = _obj(raw, "the usage")
    meter_no = data.get("meter_no")
    if meter_no is not None and not isinstance(meter_no, str):
        raise _Malformed("usage.meter_no is not text")
    readings = tuple(
        MeterReading(_date(r, "read_on").isoformat(), _kwh(r, "reading_kwh"))
        for r in (_obj(item, "a reading") for item in _list(data, "readings"))
    )
    months = tuple(
        MonthUsage(_month(m, "month"), None if m.get("kwh") is None else _kwh(m, "kwh"))
        for m in (_obj(item, "a month") for item in _list(data, "months"))
    )
    tiers = tuple(
        TariffTier(
            _int(t, "tier"),
            None if t.get("up_to_kwh") is None else _kwh(t, "up_to_kwh"),
            _kwh(t, "price_li_per_kwh"),
        )
        for t in (_obj(item, "a tier") for item in _list(data, "tiers"))
    )
    tier = data.get("tier")
    if len(readings) > MAX_READINGS or len(months) > MAX_MONTHS:
        raise _Malformed("usage: more readings or months than the wire format sends")
    if [t.tier for t in tiers] != list(range(1, len(tiers) + 1)):
        raise _Malformed("usage.tiers are not numbered 1, 2, 3 ...")
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
            raise _Malformed("usage.tier without tiers")
        return
    bounded = [t.up_to_kwh for t in tiers[:-1]]
    if tiers[-1].up_to_kwh is not None or any(b is None for b in bounded):
        raise _Malformed("usage.tiers: only the last tier is unbounded")
    known = [b for b in bounded if b is not None]
    if known != sorted(set(known)):
        raise _Malformed("usage.tiers: the bounds do not rise")
    if isinstance(tier, bool) or not isinstance(tier, int) or not 1 <= tier <= len(tiers):
        raise _Malformed("usage.tier is not one of the tiers")


def _kwh(data: Mapping[str, Any], key: str) -> int:
    value = _int(data, key)
    if value < 0:
        raise _Malformed(f"{key} is negative")
    return value


def _month(data: Mapping[str, Any], key: str) -> str:
    value = _str(data, key)
    try:
        date.fromisoformat(f"{value}-01")
    except ValueError as exc:
        raise _Malformed(f"{key} is not a YYYY-MM month") from exc
    if len(value) != len("2026-01"):
        raise _Malformed(f"{key} is not a YYYY-MM month")
    return value


def parse_payment_answer(raw: object, *, replayed: bool = False) -> PaymentAnswer:
    data = _obj(raw, "the payment answer")
    allocations = tuple(
        Allocation(
            period=_str(a, "period"),
            principal_fen=_fen(a, "principal_fen"),
            late_fee_fen=_fen(a, "late_fee_fen"),
        )
        for a in (_obj(item, "an allocation") for item in _list(data, "allocations"))
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
    data = _obj(raw, "the payment-code answer")
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
    data = _obj(raw, "a batch result")
    status = _int(data, "http_status")
    body = _obj(data.get("body"), "a batch result's body")
    txn_id = data.get("txn_id")
    if txn_id is not None and not isinstance(txn_id, str):
        raise _Malformed("a batch result's txn_id is not text")
    if status in (200, 201):
        return BatchItem(
            txn_id, status, parse_payment_answer(body, replayed=status == 200), None, {}
        )
    detail = {k: v for k, v in body.items() if k != "error"}
    return BatchItem(txn_id, status, None, _str(body, "error"), detail)


def _contains_float(value: object) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, Mapping):
        return any(_contains_float(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_contains_float(v) for v in value)
    return False


# --- the client ---------------------------------------------------------------------------------


class CentralClient:
    """Signed calls to one central server for one kiosk."""

    def __init__(
        self,
        base_url: str,
        kiosk_id: str,
        secret: str,
        *,
        connect_timeout_s: float,
        read_timeout_s: float,
        clock: Callable[[], float] = time.time,
        server_clock: ServerClock | None = None,
    ) -> None:
        """``clock`` is the kiosk's own wall clock (for tests); ``self.clock`` corrects it."""
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(
                f"central server URL must start with http:// or https://: {base_url!r}"
            )
        if connect_timeout_s <= 0 or read_timeout_s <= 0:
            raise ValueError("timeouts must be positive")
        self.base_url = base_url.rstrip("/")
        self.kiosk_id = kiosk_id
        self._secret = secret
        self._timeouts = (connect_timeout_s, read_timeout_s)
        self.clock = server_clock or ServerClock(wall=clock)
        self._lock = threading.Lock()
        self._session = requests.Session()
        self._session.headers["User-Agent"] = USER_AGENT
        self._session.trust_env = (
            False  # a kiosk talks to its server directly, never via env proxies
        )

    def __repr__(self) -> str:
        return f"CentralClient({self.base_url!r}, kiosk_id={self.kiosk_id!r})"

    @property
    def paired(self) -> bool:
        """There is a secret to sign with ("" until the kiosk is paired)."""
        return bool(self._secret)

    def use_secret(self, secret: str) -> None:
        """Sign every request from now on with ``secret`` (a pairing: no restart needed).

        One attribute, read once per request when it is signed: a request signs wholly with
        the old secret or wholly with the new one."""
        self._secret = secret

    # calls of the wire format

    def get_account(self, account_no: str) -> Account:
        _, body = self._call("GET", f"/v1/accounts/{quote(account_no, safe='')}")
        return self._parsed(parse_account, body)

    def post_payment(self, payment: Mapping[str, object]) -> PaymentAnswer:
        """Post one payment; the Idempotency-Key is its txn_id. 201 new, 200 replayed."""
        txn_id = payment.get("txn_id")
        if not isinstance(txn_id, str) or not txn_id:
            raise ValueError("a payment needs its txn_id (the Idempotency-Key)")
        status, body = self._call("POST", "/v1/payments", payment, {"Idempotency-Key": txn_id})
        return self._parsed(lambda b: parse_payment_answer(b, replayed=status == 200), body)

    def post_batch(self, payments: Sequence[Mapping[str, object]]) -> list[BatchItem]:
        """Post up to 500 payments at once; one item per payment, in order."""
        _, body = self._call("POST", "/v1/payments/batch", {"payments": list(payments)})

        def parse(raw: object) -> list[BatchItem]:
            items = [_batch_item(r) for r in _list(_obj(raw, "the batch answer"), "results")]
            if len(items) != len(payments):
                raise _Malformed(f"{len(items)} results for {len(payments)} payments")
            return items

        return self._parsed(parse, body)

    def create_qr_order(self, txn_id: str, account_no: str, amount_fen: int) -> QrOrder:
        body_out = {"txn_id": txn_id, "account_no": account_no, "amount_fen": amount_fen}
        _, body = self._call("POST", "/v1/qr-orders", body_out)

        def parse(raw: object) -> QrOrder:
            data = _obj(raw, "the QR order")
            return QrOrder(
                _str(data, "order_id"), _str(data, "qr_payload"), _instant(data, "expires_at")
            )

        return self._parsed(parse, body)

    def get_qr_order(self, order_id: str) -> QrOrderStatus:
        _, body = self._call("GET", f"/v1/qr-orders/{quote(order_id, safe='')}")

        def parse(raw: object) -> QrOrderStatus:
            data = _obj(raw, "the QR order status")
            payment = data.get("payment")
            return QrOrderStatus(
                order_id=_str(data, "order_id"),
                status=_str(data, "status"),
                expires_at=_instant(data, "expires_at"),
                payment=None if payment is None else parse_payment_answer(payment),
            )

        return self._parsed(parse, body)

    def cancel_qr_order(self, order_id: str) -> str:
        """Cancel a pending order; returns the order's status afterwards (paid if it was)."""
        _, body = self._call("POST", f"/v1/qr-orders/{quote(order_id, safe='')}/cancel")
        return self._parsed(lambda raw: _str(_obj(raw, "the cancel answer"), "status"), body)

    def post_paycode(self, payment: Mapping[str, object]) -> PaycodeStatus:
        """Post a scanned payment code; the Idempotency-Key is the txn_id (retries are safe)."""
        txn_id = payment.get("txn_id")
        if not isinstance(txn_id, str) or not txn_id:
            raise ValueError("a payment-code payment needs its txn_id (the Idempotency-Key)")
        _, body = self._call("POST", "/v1/paycode-payments", payment, {"Idempotency-Key": txn_id})
        return self._parsed(parse_paycode_status, body)

    def get_paycode(self, txn_id: str) -> PaycodeStatus:
        _, body = self._call("GET", f"/v1/paycode-payments/{quote(txn_id, safe='')}")
        return self._parsed(parse_paycode_status, body)

    def cancel_paycode(self, txn_id: str) -> PaycodeStatus:
        """Ask the server to cancel (and reverse with the provider) a payment not finished."""
        _, body = self._call("POST", f"/v1/paycode-payments/{quote(txn_id, safe='')}/cancel")
        return self._parsed(parse_paycode_status, body)

    def heartbeat(self, body: Mapping[str, object]) -> HeartbeatAnswer:
        _, answer = self._call("POST", "/v1/heartbeat", body, server_time_key="server_time")

        def parse(raw: object) -> HeartbeatAnswer:
            data = _obj(raw, "the heartbeat answer")
            commands = tuple(_obj(c, "a command") for c in _list(data, "commands"))
            return HeartbeatAnswer(_instant(data, "server_time"), commands)

        return self._parsed(parse, answer)

    def post_collection(self, body: Mapping[str, object]) -> dict[str, object]:
        _, answer = self._call("POST", "/v1/collections", body)
        return self._parsed(lambda raw: _obj(raw, "the collection answer"), answer)

    def post_command_result(self, body: Mapping[str, object]) -> dict[str, object]:
        """A remote command's result; ``body`` carries ``command_id`` beside the wire fields."""
        command_id = body.get("command_id")
        if not isinstance(command_id, str) or not command_id:
            raise ValueError("a command result needs the command_id it answers")
        wire = {k: v for k, v in body.items() if k != "command_id"}
        path = f"/v1/commands/{quote(command_id, safe='')}/result"
        _, answer = self._call("POST", path, wire)
        return self._parsed(lambda raw: _obj(raw, "the command result answer"), answer)

    def post_resolution(self, body: Mapping[str, object]) -> dict[str, object]:
        txn_id = body.get("txn_id")
        if not isinstance(txn_id, str) or not txn_id:
            raise ValueError("a resolution needs the txn_id it resolves")
        _, answer = self._call("POST", "/v1/resolutions", body, {"Idempotency-Key": txn_id})
        return self._parsed(lambda raw: _obj(raw, "the resolution answer"), answer)

    def ping(self) -> float:
        """One signed trivial call; returns the round trip in seconds."""
        started = time.monotonic()
        _, body = self._call("GET", "/v1/ping", server_time_key="server_time")
        elapsed = time.monotonic() - started
        self._parsed(lambda raw: _instant(_obj(raw, "the ping answer"), "server_time"), body)
        return elapsed

    def close(self) -> None:
        with self._lock:
            self._session.close()

    def __enter__(self) -> CentralClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # plumbing

    def _call(
        self,
        method: str,
        path: str,
        body: Mapping[str, object] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        *,
        server_time_key: str | None = None,
    ) -> tuple[int, object]:
        """One request, sent once more if the kiosk's clock made the server refuse it."""
        for attempt in (1, 2):
            signed_at = self.clock.now()
            try:
                return self._call_once(
                    method, path, body, extra_headers, signed_at, server_time_key
                )
            except CentralUnauthorized as exc:
                if attempt == 2 or not self._clock_caused(exc, signed_at):
                    raise
                log.warning(
                    "%s %s: refused for clock skew; the server's clock is %+.0f s from ours: "
                    "signing again with its time",
                    method,
                    path,
                    self.clock.offset_s or 0.0,
                )
        raise AssertionError("unreachable")  # pragma: no cover

    def _clock_caused(self, exc: CentralUnauthorized, signed_at: float) -> bool:
        if exc.reason is not None:
            return exc.clock_skew
        # An older server says only "unauthorized": blame the clock if the answer moved it.
        return abs(self.clock.now() - signed_at) > SKEW_SUSPECTED_S

    def _call_once(
        self,
        method: str,
        path: str,
        body: Mapping[str, object] | None,
        extra_headers: Mapping[str, str] | None,
        signed_at: float,
        server_time_key: str | None,
    ) -> tuple[int, object]:
        if body is not None and _contains_float(body):
            raise MoneyError(f"{method} {path}: the body holds a float; money is integer fen")
        data = (
            b""
            if body is None
            else json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        )
        headers = {"Accept": "application/json", **(extra_headers or {})}
        if body is not None:
            headers["Content-Type"] = "application/json"
        headers.update(
            signed_headers(self.kiosk_id, self._secret, method, path, data, now=signed_at)
        )
        url = self.base_url + path
        with self._lock:
            sent = self.clock.begin()
            try:
                response = self._session.request(
                    method,
                    url,
                    data=data or None,
                    headers=headers,
                    timeout=self._timeouts,
                    allow_redirects=False,
                )
                content = response.content
            except requests.Timeout as exc:
                raise CentralTimeout(
                    f"{method} {path}: no answer in time ({exc.__class__.__name__})"
                ) from exc
            except requests.ConnectionError as exc:
                raise CentralOffline(
                    f"{method} {path}: central server unreachable: {_short(exc)}"
                ) from exc
            except requests.RequestException as exc:
                raise CentralOffline(f"{method} {path}: {_short(exc)}") from exc
            exchange = self.clock.finish(sent)
        self.clock.observe_date_header(exchange, response.headers.get("Date"))
        try:
            status, parsed = self._answer(method, path, response.status_code, content)
        except CentralUnauthorized as exc:
            self._observe_server_time(exchange, exc.detail, "server_time")
            raise
        if server_time_key is not None and isinstance(parsed, dict):
            self._observe_server_time(exchange, parsed, server_time_key)
        return status, parsed

    def _observe_server_time(
        self, exchange: Exchange, data: Mapping[str, object], key: str
    ) -> None:
        try:
            server_time = _instant(data, key)
        except _Malformed:
            return  # the strict parse of the answer says so; the clock just learns nothing
        self.clock.observe_server_time(exchange, server_time)

    def _answer(self, method: str, path: str, status: int, content: bytes) -> tuple[int, object]:
        where = f"{method} {path}"
        if len(content) > MAX_ANSWER_BYTES:
            raise CentralServerError(f"{where}: answer of {len(content)} bytes is too large")
        try:
            parsed: object = json.loads(content) if content else None
        except ValueError:
            parsed = None
        if 200 <= status < 300:
            if parsed is None:
                raise CentralServerError(f"{where}: {status} answer is not JSON")
            return status, parsed
        if (
            400 <= status < 500
            and isinstance(parsed, dict)
            and isinstance(parsed.get("error"), str)
        ):
            code = parsed["error"]
            detail = {k: v for k, v in parsed.items() if k != "error"}
            if status == 401:
                raise CentralUnauthorized(status, code, detail)
            if status == 429:
                raise CentralRateLimited(status, code, detail)
            raise CentralRejected(status, code, detail)
        code = parsed.get("error") if isinstance(parsed, dict) else None
        raise CentralServerError(
            f"{where}: HTTP {status}" + (f" {code}" if code else " (not the wire format)")
        )

    @staticmethod
    def _parsed(parse: Callable[[object], T], body: object) -> T:
        try:
            return parse(body)
        except _Malformed as exc:
            raise CentralServerError(
                f"the central server's answer breaks the wire format: {exc}"
            ) from exc


def _short(exc: Exception) -> str:
    text = str(exc)
    return text if len(text) < 200 else text[:200] + "..."
