"""The kiosk's central client: typed errors and strict parsing, against real HTTP servers.

The happy paths and the server's refusals run against the real central server (a subprocess,
tests/support/central_server.py). Offline, timeout and wire-format breaches run against small
real servers on 127.0.0.1 that misbehave on purpose.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kiosk import KioskError
from kiosk.central_client import (
    CentralClient,
    CentralError,
    CentralOffline,
    CentralRejected,
    CentralServerError,
    CentralTimeout,
    CentralUnauthorized,
)
from kiosk.money import MoneyError
from kiosk.signing import canonical_string, sign
from tests.support.central_server import CentralServer, start_central_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralServer]:
    running = start_central_server(tmp_path_factory.mktemp("client"))
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def client(server: CentralServer) -> Iterator[CentralClient]:
    with CentralClient(
        server.url, server.kiosk_id, server.secret, connect_timeout_s=5, read_timeout_s=30
    ) as made:
        yield made


def _txn(tag: int) -> str:
    return f"K0001-{int(time.time() * 1000) % 10**9 * 10 + tag:010d}"


def test_errors_are_kiosk_errors() -> None:
    for error in (
        CentralOffline,
        CentralTimeout,
        CentralRejected,
        CentralUnauthorized,
        CentralServerError,
    ):
        assert issubclass(error, CentralError)
        assert issubclass(error, KioskError)


def test_signing_matches_the_wire_format() -> None:
    canonical = canonical_string("post", "/v1/payments?x=1", 1700000000, "ab" * 8, b"{}")
    assert canonical == (
        b"POST\n/v1/payments?x=1\n1700000000\nabababababababab\n"
        b"44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
    )
    assert len(sign("s" * 16, "GET", "/v1/ping", 1, "ab" * 8, b"")) == 64


def test_account_and_payment_round_trip_with_the_demo_data(
    server: CentralServer, client: CentralClient
) -> None:
    number = server.accounts["residential_arrears"]
    account = client.get_account(number)
    assert account.holder == "王*明"
    assert account.arrears_fen > 0
    assert all(isinstance(b.amount_fen, int) for b in account.bills)
    txn = _txn(1)
    body = {
        "txn_id": txn,
        "account_no": number,
        "amount_fen": 10000,
        "method": "cash",
        "cash": {"10000": 1},
        "created_at": datetime.now(UTC).isoformat(),
        "offline": False,
    }
    answer = client.post_payment(body)
    assert answer.txn_id == txn
    assert not answer.replayed
    assert client.post_payment(body).replayed
    assert server.payment_count(txn) == 1
    assert server.credit_count(txn) == 1
    assert server.credited_cash_fen(number) >= 10000


def test_card_qr_heartbeat_and_ping(server: CentralServer, client: CentralClient) -> None:
    card = server.cards[0]
    number = server.accounts["residential_paid_up"]
    body = {
        "txn_id": _txn(2),
        "account_no": number,
        "amount_fen": card.face_fen,
        "method": "card",
        "card": {"card_no": card.card_no, "pin": "0" * 6},
        "created_at": datetime.now(UTC).isoformat(),
    }
    with pytest.raises(CentralRejected) as caught:
        client.post_payment(body)
    assert (caught.value.status, caught.value.code, caught.value.detail["attempts_left"]) == (
        403,
        "card_pin_invalid",
        4,
    )
    paid = client.post_payment(dict(body, card={"card_no": card.card_no, "pin": card.pin}))
    assert paid.balance_fen >= card.face_fen
    order = client.create_qr_order(_txn(3), number, 1234)
    assert client.get_qr_order(order.order_id).status == "pending"
    assert client.cancel_qr_order(order.order_id) == "cancelled"
    assert (
        client.heartbeat(
            {"version": "t", "devices": {}, "cashbox": {}, "outbox_pending": 0}
        ).commands
        == ()
    )
    assert client.ping() > 0


def test_unauthorized_and_rejected(server: CentralServer) -> None:
    with (
        CentralClient(
            server.url,
            server.kiosk_id,
            "wrong-secret-wrong",
            connect_timeout_s=5,
            read_timeout_s=10,
        ) as bad,
        pytest.raises(CentralUnauthorized) as caught,
    ):
        bad.ping()
    assert caught.value.status == 401
    assert caught.value.reason == "bad_signature"
    assert not caught.value.clock_skew
    with (
        CentralClient(
            server.url, server.kiosk_id, server.secret, connect_timeout_s=5, read_timeout_s=10
        ) as good,
        pytest.raises(CentralRejected) as rejected,
    ):
        good.get_account(server.accounts["unknown"])
    assert (rejected.value.status, rejected.value.code) == (404, "account_not_found")


def test_floats_never_leave_the_kiosk(client: CentralClient) -> None:
    with pytest.raises(MoneyError):
        client.create_qr_order("K0001-00000001", "3100000001", 12.5)  # type: ignore[arg-type]


def test_constructor_refuses_bad_settings() -> None:
    with pytest.raises(ValueError, match="http"):
        CentralClient("ftp://x", "K", "s" * 16, connect_timeout_s=1, read_timeout_s=1)
    with pytest.raises(ValueError, match="positive"):
        CentralClient("http://x", "K", "s" * 16, connect_timeout_s=0, read_timeout_s=1)


# --- servers that misbehave on purpose ----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_nothing_listening_is_offline() -> None:
    with (
        CentralClient(
            f"http://127.0.0.1:{_free_port()}",
            "K0001",
            "s" * 16,
            connect_timeout_s=2,
            read_timeout_s=2,
        ) as c,
        pytest.raises(CentralOffline),
    ):
        c.ping()


def test_unresolvable_host_is_offline() -> None:
    with (
        CentralClient(
            "http://central.invalid", "K0001", "s" * 16, connect_timeout_s=2, read_timeout_s=2
        ) as c,
        pytest.raises(CentralOffline),
    ):
        c.ping()


class _RawServer:
    """A TCP server on 127.0.0.1 that accepts and then does what ``behave`` says."""

    def __init__(self, behave: str) -> None:
        self.behave = behave
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            if self.behave == "silent":
                self.held.append(conn)  # read nothing, answer nothing
            else:  # "reset": close with RST before any answer
                conn.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                )
                conn.recv(65536)
                conn.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        for conn in self.held:
            conn.close()
        self.sock.close()


def test_a_server_that_never_answers_is_a_timeout() -> None:
    raw = _RawServer("silent")
    try:
        with (
            CentralClient(
                f"http://127.0.0.1:{raw.port}",
                "K0001",
                "s" * 16,
                connect_timeout_s=2,
                read_timeout_s=0.3,
            ) as c,
            pytest.raises(CentralTimeout),
        ):
            c.ping()
    finally:
        raw.close()


def test_a_connection_reset_before_an_answer_is_offline() -> None:
    raw = _RawServer("reset")
    try:
        with (
            CentralClient(
                f"http://127.0.0.1:{raw.port}",
                "K0001",
                "s" * 16,
                connect_timeout_s=2,
                read_timeout_s=2,
            ) as c,
            pytest.raises(CentralOffline),
        ):
            c.ping()
    finally:
        raw.close()


GOOD_PAYMENT = {
    "txn_id": "K0001-00000001",
    "status": "posted",
    "server_ref": "CS1",
    "allocations": [{"period": "2026-01", "principal_fen": 100, "late_fee_fen": 0}],
    "credited_to_balance_fen": 0,
    "balance_fen": 0,
    "receipt_url": "http://x/r/K0001-00000001?h=0",
}


class _Scripted(BaseHTTPRequestHandler):
    answer: tuple[int, bytes, str] = (200, b"{}", "application/json")

    def _reply(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        status, body, kind = self.server.answer  # type: ignore[attr-defined]
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = _reply  # noqa: N815 - the names http.server dispatches to
    do_POST = _reply  # noqa: N815

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def scripted() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Scripted)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def _client_for(httpd: ThreadingHTTPServer) -> CentralClient:
    return CentralClient(
        f"http://127.0.0.1:{httpd.server_address[1]}",
        "K0001",
        "s" * 16,
        connect_timeout_s=2,
        read_timeout_s=5,
    )


def _payment_body() -> dict[str, object]:
    return {
        "txn_id": "K0001-00000001",
        "account_no": "3100000001",
        "amount_fen": 100,
        "method": "cash",
    }


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ((500, b'{"error": "internal_error"}', "application/json"), "HTTP 500 internal_error"),
        ((502, b"<html>bad gateway</html>", "text/html"), "HTTP 502"),
        ((404, b"<html>not found</html>", "text/html"), "not the wire format"),
        ((200, b"not json", "text/plain"), "not JSON"),
        (
            (201, json.dumps({**GOOD_PAYMENT, "balance_fen": 12.5}).encode(), "application/json"),
            "balance_fen",
        ),
        (
            (201, json.dumps({**GOOD_PAYMENT, "balance_fen": "0"}).encode(), "application/json"),
            "balance_fen",
        ),
        (
            (201, json.dumps({**GOOD_PAYMENT, "allocations": None}).encode(), "application/json"),
            "allocations",
        ),
        (
            (
                201,
                json.dumps({k: v for k, v in GOOD_PAYMENT.items() if k != "server_ref"}).encode(),
                "application/json",
            ),
            "server_ref",
        ),
        ((201, b"[]", "application/json"), "JSON object"),
    ],
)
def test_answers_that_break_the_wire_format_are_server_errors(
    scripted: ThreadingHTTPServer, answer: tuple[int, bytes, str], message: str
) -> None:
    scripted.answer = answer  # type: ignore[attr-defined]
    with _client_for(scripted) as c, pytest.raises(CentralServerError, match=message):
        c.post_payment(_payment_body())


def test_a_well_formed_answer_parses_into_fen(scripted: ThreadingHTTPServer) -> None:
    scripted.answer = (201, json.dumps(GOOD_PAYMENT).encode(), "application/json")  # type: ignore[attr-defined]
    with _client_for(scripted) as c:
        answer = c.post_payment(_payment_body())
    assert answer.allocations[0].principal_fen == 100
    assert not answer.replayed


def test_batch_results_must_match_the_payments(scripted: ThreadingHTTPServer) -> None:
    scripted.answer = (200, json.dumps({"results": []}).encode(), "application/json")  # type: ignore[attr-defined]
    with _client_for(scripted) as c, pytest.raises(CentralServerError, match="0 results for 1"):
        c.post_batch([_payment_body()])


def test_the_client_does_not_retry(tmp_path: Path) -> None:
    hits = []

    class Counting(_Scripted):
        def _reply(self) -> None:
            hits.append(self.path)
            super()._reply()

        do_GET = _reply  # noqa: N815 - the name http.server dispatches to

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Counting)
    httpd.answer = (503, b'{"error": "database_busy"}', "application/json")  # type: ignore[attr-defined]
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        with _client_for(httpd) as c, pytest.raises(CentralServerError):
            c.ping()
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
    assert hits == ["/v1/ping"]


# --- the server's clock --------------------------------------------------------------------------


@pytest.fixture
def counted() -> Iterator[tuple[ThreadingHTTPServer, list[str]]]:
    """A scripted server that counts requests; its Date header is the real time."""
    hits: list[str] = []

    class Counting(_Scripted):
        def _reply(self) -> None:
            hits.append(self.headers.get("X-Timestamp") or "")
            super()._reply()

        do_GET = _reply  # noqa: N815 - the names http.server dispatches to
        do_POST = _reply  # noqa: N815

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Counting)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield httpd, hits
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def _skewed_client(httpd: ThreadingHTTPServer, skew_s: float) -> CentralClient:
    return CentralClient(
        f"http://127.0.0.1:{httpd.server_address[1]}",
        "K0001",
        "s" * 16,
        connect_timeout_s=2,
        read_timeout_s=5,
        clock=lambda: time.time() + skew_s,
    )


def _json(status: int, body: dict[str, object]) -> tuple[int, bytes, str]:
    return (status, json.dumps(body).encode(), "application/json")


@pytest.mark.parametrize("skew_s", [-3600.0, 3600.0])
def test_every_answer_teaches_the_clock_and_requests_are_signed_with_it(
    counted: tuple[ThreadingHTTPServer, list[str]], skew_s: float
) -> None:
    httpd, hits = counted
    httpd.answer = _json(200, {"server_time": datetime.now(UTC).isoformat()})  # type: ignore[attr-defined]
    with _skewed_client(httpd, skew_s) as c:
        c.ping()
        assert c.clock.offset_s is not None
        assert abs(c.clock.offset_s + skew_s) < 2
        c.ping()
    first, second = (int(t) for t in hits)
    assert abs(first - time.time() - skew_s) < 5  # signed with the kiosk's own clock
    assert abs(second - time.time()) < 5  # then with the server's


def test_a_clock_skew_refusal_is_signed_again_once(
    counted: tuple[ThreadingHTTPServer, list[str]],
) -> None:
    httpd, hits = counted
    refusal = {
        "error": "unauthorized",
        "reason": "clock_skew",
        "server_time": datetime.now(UTC).isoformat(),
    }
    httpd.answer = _json(401, refusal)  # type: ignore[attr-defined]
    with _skewed_client(httpd, 3600) as c, pytest.raises(CentralUnauthorized) as caught:
        c.ping()  # a server that keeps refusing gets two requests, never a storm
    assert caught.value.clock_skew
    assert len(hits) == 2
    assert abs(int(hits[1]) - time.time()) < 5


def test_an_older_server_that_gives_no_reason_is_judged_by_its_date_header(
    counted: tuple[ThreadingHTTPServer, list[str]],
) -> None:
    httpd, hits = counted
    httpd.answer = _json(401, {"error": "unauthorized"})  # type: ignore[attr-defined]
    with _skewed_client(httpd, -3600) as c, pytest.raises(CentralUnauthorized) as caught:
        c.ping()
    assert caught.value.reason is None
    assert len(hits) == 2  # the Date header moved the offset by an hour: signed again once
    hits.clear()
    with _skewed_client(httpd, 0) as c, pytest.raises(CentralUnauthorized):
        c.ping()
    assert len(hits) == 1  # the clock was right: a wrong secret is not retried


def test_other_refusals_are_not_signed_again(
    counted: tuple[ThreadingHTTPServer, list[str]],
) -> None:
    httpd, hits = counted
    for reason in ("bad_signature", "kiosk_disabled"):
        hits.clear()
        httpd.answer = _json(401, {"error": "unauthorized", "reason": reason})  # type: ignore[attr-defined]
        with _skewed_client(httpd, 3600) as c, pytest.raises(CentralUnauthorized) as caught:
            c.ping()
        assert caught.value.reason == reason
        assert len(hits) == 1


@pytest.mark.parametrize(
    ("reason", "refused"),
    [
        ("clock_skew", False),
        ("reused_nonce", False),
        ("bad_signature", True),
        ("kiosk_disabled", True),
        (None, True),  # an older server that gives no reason
    ],
)
def test_which_401s_refuse_the_kiosk_itself(reason: str | None, refused: bool) -> None:
    detail = {} if reason is None else {"reason": reason}
    error = CentralUnauthorized(401, "unauthorized", detail)
    assert error.credentials_refused is refused
    assert error.clock_skew is (reason == "clock_skew")
