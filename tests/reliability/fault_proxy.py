"""A loopback HTTP/1.1 proxy that breaks requests on purpose, by a schedule.

    proxy = FaultProxy(server.url, schedule=lambda request: Fault.PASS)
    proxy.start()                         # proxy.url is http://127.0.0.1:<port>
    client = CentralClient(proxy.url, ...)
    proxy.stop()

Per request the schedule picks one ``Fault``:

- ``PASS``: forward, answer with the server's answer;
- ``DROP_REQUEST``: close the connection before forwarding (the server never sees it);
- ``DROP_RESPONSE``: forward, let the server process it, then close without answering;
- ``DELAY``: wait ``delay_s`` (possibly past the client's read timeout), then forward;
- ``ERROR_500``: answer 500 without forwarding;
- ``ERROR_500_AFTER``: forward (the server processes it), then answer 500 instead.

Each client connection has its own thread; requests are forwarded on a fresh upstream
connection each, with a timeout. ``stop()`` closes the listener and joins every thread, so a
request still delayed when a test ends has reached the server (or failed) by then.
"""

from __future__ import annotations

import contextlib
import enum
import http.client
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

UPSTREAM_TIMEOUT_S = 15.0
CLIENT_IDLE_TIMEOUT_S = 10.0
POLL_S = 0.02  # how often a waiting thread looks at the stop flag
MAX_HEADER_BYTES = 65536
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "te",
        "upgrade",
        "content-length",
    }
)


class Fault(enum.Enum):
    PASS = "pass"
    DROP_REQUEST = "drop_request"
    DROP_RESPONSE = "drop_response"
    DELAY = "delay"
    ERROR_500 = "error_500"
    ERROR_500_AFTER = "error_500_after"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class Decision:
    fault: Fault
    delay_s: float = 0.0


Schedule = Callable[[Request], Decision]


class FaultProxy:
    def __init__(self, upstream_url: str, schedule: Schedule) -> None:
        parts = urlsplit(upstream_url)
        assert parts.scheme == "http" and parts.hostname, upstream_url
        self._upstream = (parts.hostname, parts.port or 80)
        self.schedule = schedule
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(POLL_S)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._in_flight = 0
        self._idle = threading.Condition(self._lock)
        self.counts: Counter[Fault] = Counter()
        self.forwarded = 0

    # ---------------------------------------------------------------- life cycle
    def start(self) -> None:
        thread = threading.Thread(target=self._accept, name="fault-proxy", daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self) -> None:
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() at once
        for thread in list(self._threads):
            thread.join(timeout=UPSTREAM_TIMEOUT_S + CLIENT_IDLE_TIMEOUT_S)
            assert not thread.is_alive(), f"{thread.name} did not stop"
        self._listener.close()

    def wait_idle(self, timeout_s: float = UPSTREAM_TIMEOUT_S + 5) -> None:
        """Until no request is being delayed or forwarded (a late duplicate has landed)."""
        deadline = time.monotonic() + timeout_s
        with self._idle:
            while self._in_flight:
                left = deadline - time.monotonic()
                assert left > 0, f"{self._in_flight} requests still in the proxy"
                self._idle.wait(left)

    # ---------------------------------------------------------------- serving
    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(
                target=self._serve, args=(conn,), name="fault-proxy-conn", daemon=True
            )
            thread.start()
            with self._lock:
                self._threads = [t for t in self._threads if t.is_alive()]
                self._threads.append(thread)

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(POLL_S)
        reader = _Reader(conn, self._stopping)
        try:
            while True:
                request = reader.request()
                if request is None:
                    return
                with self._lock:
                    self._in_flight += 1
                try:
                    if not self._handle(conn, request):
                        return
                finally:
                    with self._idle:
                        self._in_flight -= 1
                        self._idle.notify_all()
        except OSError:
            return
        finally:
            conn.close()

    def _handle(self, conn: socket.socket, request: Request) -> bool:
        """Answer one request; False when the connection is to be closed."""
        decision = self.schedule(request)
        with self._lock:
            self.counts[decision.fault] += 1
        fault = decision.fault
        if fault is Fault.DROP_REQUEST:
            return False
        if fault is Fault.ERROR_500:
            conn.sendall(_response(500, [], json.dumps({"error": "internal"}).encode()))
            return True
        if fault is Fault.DELAY:
            time.sleep(decision.delay_s)
        status, headers, body = self._forward(request)
        if fault is Fault.DROP_RESPONSE:
            return False
        if fault is Fault.ERROR_500_AFTER:
            status, headers, body = 500, [], json.dumps({"error": "internal"}).encode()
        conn.sendall(_response(status, headers, body))
        return True

    def _forward(self, request: Request) -> tuple[int, list[tuple[str, str]], bytes]:
        upstream = http.client.HTTPConnection(*self._upstream, timeout=UPSTREAM_TIMEOUT_S)
        try:
            headers = {k: v for k, v in request.headers if k.lower() not in HOP_BY_HOP}
            upstream.request(
                request.method, request.path, body=request.body or None, headers=headers
            )
            answer = upstream.getresponse()
            body = answer.read()
            with self._lock:
                self.forwarded += 1
            kept = [(k, v) for k, v in answer.getheaders() if k.lower() not in HOP_BY_HOP]
            return answer.status, kept, body
        finally:
            upstream.close()


def _response(status: int, headers: list[tuple[str, str]], body: bytes) -> bytes:
    reason = http.client.responses.get(status, "Status")
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{k}: {v}" for k, v in headers]
    if not any(k.lower() == "content-type" for k, _ in headers):
        lines.append("Content-Type: application/json")
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class _Reader:
    """HTTP/1.1 requests (Content-Length bodies only, as requests sends them) off a socket."""

    def __init__(self, conn: socket.socket, stopping: threading.Event) -> None:
        self._conn = conn
        self._stopping = stopping
        self._buffer = b""

    def _fill(self) -> bool:
        idle_since = time.monotonic()
        while True:
            if self._stopping.is_set() or time.monotonic() - idle_since > CLIENT_IDLE_TIMEOUT_S:
                return False
            try:
                chunk = self._conn.recv(65536)
            except TimeoutError:
                continue
            if not chunk:
                return False
            self._buffer += chunk
            return True

    def request(self) -> Request | None:
        while b"\r\n\r\n" not in self._buffer:
            if len(self._buffer) > MAX_HEADER_BYTES or not self._fill():
                return None
        head, self._buffer = self._buffer.split(b"\r\n\r\n", 1)
        first, *lines = head.decode("latin-1").split("\r\n")
        method, path, _version = first.split(" ", 2)
        headers = [(k.strip(), v.strip()) for k, v in (line.split(":", 1) for line in lines)]
        length = next((int(v) for k, v in headers if k.lower() == "content-length"), 0)
        while len(self._buffer) < length:
            if not self._fill():
                return None
        body, self._buffer = self._buffer[:length], self._buffer[length:]
        return Request(method, path, headers, body)
