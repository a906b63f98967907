"""Request signing for the central server (docs/wire-format.md), the kiosk's side.

``X-Signature`` = hex HMAC-SHA256 with the kiosk's secret over::

    METHOD \\n PATH (as sent, percent-encoded, with ?query if any) \\n TIMESTAMP \\n NONCE \\n
    sha256hex(BODY)

``X-Timestamp`` is unix seconds; ``X-Nonce`` is 32 random hex characters, never reused.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

NONCE_BYTES = 16


def canonical_string(method: str, path: str, timestamp: int, nonce: str, body: bytes) -> bytes:
    digest = hashlib.sha256(body).hexdigest()
    return f"{method.upper()}\n{path}\n{timestamp}\n{nonce}\n{digest}".encode()


def sign(secret: str, method: str, path: str, timestamp: int, nonce: str, body: bytes) -> str:
    canonical = canonical_string(method, path, timestamp, nonce, body)
    return hmac.new(secret.encode(), canonical, hashlib.sha256).hexdigest()


def signed_headers(
    kiosk_id: str,
    secret: str,
    method: str,
    path: str,
    body: bytes,
    *,
    now: float | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """The four signing headers for one request (``now`` and ``nonce`` for tests)."""
    timestamp = int(time.time() if now is None else now)
    nonce = secrets.token_hex(NONCE_BYTES) if nonce is None else nonce
    return {
        "X-Kiosk-Id": kiosk_id,
        "X-Timestamp": str(timestamp),
        "X-Nonce": nonce,
        "X-Signature": sign(secret, method, path, timestamp, nonce, body),
    }
