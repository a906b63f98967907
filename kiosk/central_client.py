"""The kiosk's client for the central server (wire format v1, docs/wire-format.md).

One ``requests.Session`` per client, connect and read timeouts on every call, every request
signed (kiosk/signing.py), and no retries of its own (but one: a request refused for clock
skew, below): the outbox decides when to try again, and the UI path must answer the customer
quickly. Answers are parsed strictly into frozen dataclasses with money as integer fen (both
in kiosk/central_answers.py); an answer that is not the JSON the wire format says (a float
amount, a missing field) is a ``CentralServerError``.

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
from typing import TypeVar
from urllib.parse import quote

import requests

from kiosk import KioskError
from kiosk.central_answers import (
    Account,
    AnswerMalformed,
    BatchItem,
    HeartbeatAnswer,
    PaycodeStatus,
    PaymentAnswer,
    QrOrder,
    QrOrderStatus,
    json_object,
    parse_account,
    parse_batch_answer,
    parse_cancel_answer,
    parse_heartbeat_answer,
    parse_paycode_status,
    parse_payment_answer,
    parse_qr_order,
    parse_qr_order_status,
    utc_instant,
)
from kiosk.money import MoneyError
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
        return self._parsed(lambda raw: parse_batch_answer(raw, len(payments)), body)

    def create_qr_order(self, txn_id: str, account_no: str, amount_fen: int) -> QrOrder:
        body_out = {"txn_id": txn_id, "account_no": account_no, "amount_fen": amount_fen}
        _, body = self._call("POST", "/v1/qr-orders", body_out)
        return self._parsed(parse_qr_order, body)

    def get_qr_order(self, order_id: str) -> QrOrderStatus:
        _, body = self._call("GET", f"/v1/qr-orders/{quote(order_id, safe='')}")
        return self._parsed(parse_qr_order_status, body)

    def cancel_qr_order(self, order_id: str) -> str:
        """Cancel a pending order; returns the order's status afterwards (paid if it was)."""
        _, body = self._call("POST", f"/v1/qr-orders/{quote(order_id, safe='')}/cancel")
        return self._parsed(parse_cancel_answer, body)

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
        return self._parsed(parse_heartbeat_answer, answer)

    def post_collection(self, body: Mapping[str, object]) -> dict[str, object]:
        _, answer = self._call("POST", "/v1/collections", body)
        return self._parsed(lambda raw: json_object(raw, "the collection answer"), answer)

    def post_command_result(self, body: Mapping[str, object]) -> dict[str, object]:
        """A remote command's result; ``body`` carries ``command_id`` beside the wire fields."""
        command_id = body.get("command_id")
        if not isinstance(command_id, str) or not command_id:
            raise ValueError("a command result needs the command_id it answers")
        wire = {k: v for k, v in body.items() if k != "command_id"}
        path = f"/v1/commands/{quote(command_id, safe='')}/result"
        _, answer = self._call("POST", path, wire)
        return self._parsed(lambda raw: json_object(raw, "the command result answer"), answer)

    def post_resolution(self, body: Mapping[str, object]) -> dict[str, object]:
        txn_id = body.get("txn_id")
        if not isinstance(txn_id, str) or not txn_id:
            raise ValueError("a resolution needs the txn_id it resolves")
        _, answer = self._call("POST", "/v1/resolutions", body, {"Idempotency-Key": txn_id})
        return self._parsed(lambda raw: json_object(raw, "the resolution answer"), answer)

    def ping(self) -> float:
        """One signed trivial call; returns the round trip in seconds."""
        started = time.monotonic()
        _, body = self._call("GET", "/v1/ping", server_time_key="server_time")
        elapsed = time.monotonic() - started
        self._parsed(
            lambda raw: utc_instant(json_object(raw, "the ping answer"), "server_time"), body
        )
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
            server_time = utc_instant(data, key)
        except AnswerMalformed:
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
        except AnswerMalformed as exc:
            raise CentralServerError(
                f"the central server's answer breaks the wire format: {exc}"
            ) from exc


def _short(exc: Exception) -> str:
    text = str(exc)
    return text if len(text) < 200 else text[:200] + "..."


def _contains_float(value: object) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, Mapping):
        return any(_contains_float(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_contains_float(v) for v in value)
    return False
