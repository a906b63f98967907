"""Raw signed HTTP requests for tests that must send what the client never would."""

from __future__ import annotations

import json
from typing import Any

import requests

from central import seed
from kiosk.signing import signed_headers


def send(
    url: str,
    method: str,
    path: str,
    body: bytes | dict[str, Any] | list[Any] | None = None,
    *,
    kiosk_id: str = seed.DEMO_KIOSK_ID,
    secret: str = seed.DEMO_KIOSK_SECRET,
    headers: dict[str, str] | None = None,
    sign: bool = True,
    now: float | None = None,
    nonce: str | None = None,
) -> requests.Response:
    data = body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
    sent = {"Content-Type": "application/json", **(headers or {})}
    if sign:
        sent.update(signed_headers(kiosk_id, secret, method, path, data, now=now, nonce=nonce))
    return requests.request(method, url + path, data=data, headers=sent, timeout=30)
