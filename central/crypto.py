"""Keys at rest, using only the standard library.

Kiosk secrets must be readable by the server (HMAC needs the key itself) but must not be in a
database dump: they are *sealed* with a key derived from ``server.secret_key``, which lives in
the configuration or the environment, not in the database. The seal is encrypt-then-MAC with
HMAC-SHA256 as the pseudo-random function: a keystream from HMAC(key, salt || counter), XORed
with the secret, and a tag over salt and ciphertext. Card PINs are hashed with PBKDF2-SHA256,
salted and peppered with another derived key, so that a dump alone cannot test PINs.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from central import CentralError

_SEAL_VERSION = "s1"
_PIN_VERSION = "p1"
PIN_ITERATIONS = 20_000
RECEIPT_TAG_HEX = 16


class SealBroken(CentralError):
    """A sealed value was altered or sealed under another server.secret_key."""


def derive(secret_key: str, purpose: str) -> bytes:
    """A separate 32-byte key per purpose, so one configured key serves several uses."""
    return hmac.new(secret_key.encode(), b"central/" + purpose.encode(), hashlib.sha256).digest()


def _keystream(key: bytes, salt: bytes, length: int) -> bytes:
    blocks = []
    for counter in range((length + 31) // 32):
        blocks.append(hmac.new(key, salt + counter.to_bytes(4, "big"), hashlib.sha256).digest())
    return b"".join(blocks)[:length]


def seal(secret_key: str, plaintext: str) -> str:
    key_enc, key_mac = derive(secret_key, "seal-enc"), derive(secret_key, "seal-mac")
    salt = secrets.token_bytes(16)
    data = plaintext.encode()
    cipher = bytes(a ^ b for a, b in zip(data, _keystream(key_enc, salt, len(data)), strict=True))
    tag = hmac.new(key_mac, salt + cipher, hashlib.sha256).hexdigest()
    return f"{_SEAL_VERSION}${salt.hex()}${cipher.hex()}${tag}"


def unseal(secret_key: str, sealed: str) -> str:
    try:
        version, salt_hex, cipher_hex, tag = sealed.split("$")
        salt, cipher = bytes.fromhex(salt_hex), bytes.fromhex(cipher_hex)
    except ValueError as exc:
        raise SealBroken("a sealed secret is malformed") from exc
    if version != _SEAL_VERSION:
        raise SealBroken(f"unknown seal version {version!r}")
    key_enc, key_mac = derive(secret_key, "seal-enc"), derive(secret_key, "seal-mac")
    expected = hmac.new(key_mac, salt + cipher, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, tag):
        raise SealBroken("a sealed secret does not match server.secret_key")
    stream = _keystream(key_enc, salt, len(cipher))
    return bytes(a ^ b for a, b in zip(cipher, stream, strict=True)).decode()


def hash_pin(secret_key: str, pin: str, *, iterations: int = PIN_ITERATIONS) -> str:
    salt = secrets.token_bytes(16)
    digest = _pin_digest(secret_key, pin, salt, iterations)
    return f"{_PIN_VERSION}${iterations}${salt.hex()}${digest.hex()}"


def verify_pin(secret_key: str, pin: str, stored: str) -> bool:
    try:
        version, iterations, salt_hex, digest_hex = stored.split("$")
        salt, digest, rounds = bytes.fromhex(salt_hex), bytes.fromhex(digest_hex), int(iterations)
    except ValueError:
        return False
    if version != _PIN_VERSION:
        return False
    return hmac.compare_digest(_pin_digest(secret_key, pin, salt, rounds), digest)


def _pin_digest(secret_key: str, pin: str, salt: bytes, iterations: int) -> bytes:
    pepper = derive(secret_key, "card-pin")
    return hashlib.pbkdf2_hmac("sha256", pin.encode(), salt + pepper, iterations)


def receipt_tag(receipt_key: str, txn_id: str) -> str:
    """The short HMAC in receipt links (/r/{txn_id}?h=...): pages cannot be enumerated."""
    mac = hmac.new(receipt_key.encode(), b"receipt/" + txn_id.encode(), hashlib.sha256)
    return mac.hexdigest()[:RECEIPT_TAG_HEX]


def receipt_tag_ok(receipt_key: str, txn_id: str, tag: str) -> bool:
    return hmac.compare_digest(receipt_tag(receipt_key, txn_id), tag)
