"""Heartbeats from a test kiosk, the server's clock moved by the test, a webhook receiver."""

from __future__ import annotations

import contextlib
import http.server
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from tests.central.conftest import Live
from tests.central.wire_helpers import send


def beat(live: Live, kiosk_id: str, **changes: Any) -> requests.Response:
    """One signed heartbeat; the body is a healthy kiosk's unless ``changes`` say otherwise."""
    body: dict[str, Any] = {
        "version": "1.4.2",
        "devices": {"acceptor": "ready", "printer": "ready"},
        "cashbox": {"10000": 3, "5000": 2},
        "outbox_pending": 0,
        "oldest_unposted_at": None,
        "clock_offset_s": 0.4,
    }
    body.update(changes)
    answer = send(
        live.url,
        "POST",
        "/v1/heartbeat",
        body,
        kiosk_id=kiosk_id,
        secret=live.kiosk_secrets[kiosk_id],
    )
    assert answer.status_code == 200, answer.text
    return answer


@contextlib.contextmanager
def server_time(live: Live, at: datetime) -> Iterator[None]:
    """The server believes it is ``at`` (heartbeats, sweeps and alerts use its clock)."""
    real = live.central.clock
    live.central.clock = lambda: at
    try:
        yield
    finally:
        live.central.clock = real


def later(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


@dataclass
class Receiver:
    url: str
    received: list[dict[str, Any]] = field(default_factory=list)
    failures_left: int = 0  # answer 500 this many times first


@contextlib.contextmanager
def webhook_receiver() -> Iterator[Receiver]:
    receiver = Receiver("")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            data = self.rfile.read(int(self.headers["Content-Length"]))
            if receiver.failures_left > 0:
                receiver.failures_left -= 1
                self.send_response(500)
            else:
                receiver.received.append(json.loads(data))
                self.send_response(204)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{httpd.server_address[1]}/hook"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)
