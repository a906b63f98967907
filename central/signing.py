"""Request signing (docs/wire-format.md), the server's side.

``X-Signature`` = hex HMAC-SHA256 with the kiosk's secret over::

    METHOD \\n PATH (as sent, percent-encoded, with ?query if any) \\n TIMESTAMP \\n NONCE \\n
    sha256hex(BODY)

The kiosk's copy of this code is kiosk/signing.py; the two share only this definition.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

KIOSK_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
TIMESTAMP = re.compile(r"^[0-9]{1,12}$")
NONCE = re.compile(r"^[0-9a-fA-F]{16,64}$")
SIGNATURE = re.compile(r"^[0-9a-fA-F]{64}$")


@dataclass(frozen=True)
class SignedHeaders:
    kiosk_id: str
    timestamp: int
    nonce: str
    signature: str


def canonical_string(method: str, path: str, timestamp: int, nonce: str, body: bytes) -> bytes:
    digest = hashlib.sha256(body).hexdigest()
    return f"{method.upper()}\n{path}\n{timestamp}\n{nonce}\n{digest}".encode()


def signature(secret: str, canonical: bytes) -> str:
    return hmac.new(secret.encode(), canonical, hashlib.sha256).hexdigest()


def parse_headers(
    kiosk_id: str | None, timestamp: str | None, nonce: str | None, sig: str | None
) -> SignedHeaders | str:
    """The four headers, or the reason they are unusable (for the log, never the answer)."""
    if kiosk_id is None or timestamp is None or nonce is None or sig is None:
        return "a signing header is missing"
    if not KIOSK_ID.match(kiosk_id):
        return "X-Kiosk-Id is malformed"
    if not TIMESTAMP.match(timestamp):
        return "X-Timestamp is not unix seconds"
    if not NONCE.match(nonce):
        return "X-Nonce is not 16-64 hex characters"
    if not SIGNATURE.match(sig):
        return "X-Signature is not 64 hex characters"
    return SignedHeaders(kiosk_id, int(timestamp), nonce.lower(), sig.lower())


def signature_ok(secret: str, headers: SignedHeaders, method: str, path: str, body: bytes) -> bool:
    expected = signature(
        secret, canonical_string(method, path, headers.timestamp, headers.nonce, body)
    )
    return hmac.compare_digest(expected, headers.signature)
