"""Keys at rest: kiosk secrets sealed with AES-256-GCM, card PINs hashed with PBKDF2-SHA256.

Kiosk secrets must be readable by the server (HMAC needs the key itself) but must not be in a
database dump: they are *sealed* under a key derived from ``server.secret_key``, which lives
in the configuration or the environment, never in the database. Card PINs are hashed, salted
per card and peppered with another key derived from it, so that a dump alone cannot test PINs.
All primitives are those of the ``cryptography`` package; nothing here is home-made.

Key derivation. ``server.secret_key`` is a configured string of at least 16 characters. The
installer generates a random one, but nothing proves an operator did not type a guessable
phrase, so it is first stretched once per process with scrypt (n=2**15, r=8, p=1: 32 MiB and
about 0.1 s, memory-hard, OWASP's recommended KDF family) into a 256-bit master key; HKDF-SHA256
then splits that into one independent key per purpose (``seal``, ``card-pin``). HKDF alone
would do for a random 256-bit key; the scrypt step makes a weak configured key expensive to
search from a dump, at a cost paid once per process, not per request.

Seal (version ``s2``): ``s2$`` + base64url(nonce 12 bytes || AES-256-GCM ciphertext and tag),
the version string as associated data. A random 96-bit nonce per seal is safe far beyond the
number of kiosks a server will ever seal secrets for.

PIN hash (version ``p2``): PBKDF2-HMAC-SHA256 at ``PIN_ITERATIONS`` = 600,000 (OWASP's
current figure), a 16-byte salt per card, and the ``card-pin`` key appended to the salt as a
pepper: ``p2$iterations$salt$digest``. Hashes written before (``p1``, 20,000 iterations) are
wrapped by migration 0004 into ``p2w``: the p2 function over the old digest, so they are as
strong as p2 without knowing any PIN (central/migrations/versions/0004_crypto_v2.py).

Exception tree (a leaf of the server's, drawn in central/__init__.py)::

    ServerError
    └── SealBroken    a sealed value was altered, malformed, or sealed under another key
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from central import ServerError

SEAL_VERSION = "s2"
PIN_VERSION = "p2"
PIN_WRAPPED_VERSION = "p2w"  # a p1 hash (20,000 iterations) wrapped by migration 0004
PIN_ITERATIONS = 600_000
LEGACY_PIN_ITERATIONS = 20_000
RECEIPT_TAG_HEX = 16
_NONCE_BYTES = 12
_MASTER_SALT = b"central/server.secret_key/v2"  # fixed: the key is one per server, not per user


class SealBroken(ServerError):
    """A sealed value was altered, malformed, or sealed under another server.secret_key."""


@functools.lru_cache(maxsize=8)
def _master_key(secret_key: str) -> bytes:
    kdf = Scrypt(salt=_MASTER_SALT, length=32, n=2**15, r=8, p=1)
    return kdf.derive(secret_key.encode())


def derive(secret_key: str, purpose: str) -> bytes:
    """A separate 32-byte key per purpose, so one configured key serves several uses."""
    hkdf = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"central/" + purpose.encode()
    )
    return hkdf.derive(_master_key(secret_key))


def seal(secret_key: str, plaintext: str) -> str:
    nonce = secrets.token_bytes(_NONCE_BYTES)
    cipher = AESGCM(derive(secret_key, "seal")).encrypt(
        nonce, plaintext.encode(), SEAL_VERSION.encode()
    )
    return f"{SEAL_VERSION}${base64.urlsafe_b64encode(nonce + cipher).decode()}"


def unseal(secret_key: str, sealed: str) -> str:
    version, _, body = sealed.partition("$")
    if version != SEAL_VERSION:
        raise SealBroken(
            f"unknown seal version {version!r}"
            + (": run `kiosk-central init-db` to re-seal it" if version == "s1" else "")
        )
    try:
        raw = base64.urlsafe_b64decode(body.encode())
    except ValueError as exc:
        raise SealBroken("a sealed secret is malformed") from exc
    if len(raw) < _NONCE_BYTES + 16:
        raise SealBroken("a sealed secret is malformed")
    try:
        plain = AESGCM(derive(secret_key, "seal")).decrypt(
            raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], SEAL_VERSION.encode()
        )
    except InvalidTag as exc:
        raise SealBroken("a sealed secret does not match server.secret_key") from exc
    return plain.decode()


def hash_pin(secret_key: str, pin: str, *, iterations: int = PIN_ITERATIONS) -> str:
    salt = secrets.token_bytes(16)
    digest = _pin_digest(secret_key, pin.encode(), salt, iterations)
    return f"{PIN_VERSION}${iterations}${salt.hex()}${digest.hex()}"


def wrap_legacy_pin_hash(
    secret_key: str, stored: str, *, iterations: int = PIN_ITERATIONS
) -> str | None:
    """A p1 hash made p2w (the p2 function over the p1 digest); None if ``stored`` is not p1."""
    try:
        version, old_rounds, old_salt, old_digest = stored.split("$")
        digest = bytes.fromhex(old_digest)
        int(old_rounds), bytes.fromhex(old_salt)
    except ValueError:
        return None
    if version != "p1":
        return None
    salt = secrets.token_bytes(16)
    wrapped = _pin_digest(secret_key, digest, salt, iterations)
    return (
        f"{PIN_WRAPPED_VERSION}${old_rounds}${old_salt}${iterations}${salt.hex()}${wrapped.hex()}"
    )


def verify_pin(secret_key: str, pin: str, stored: str) -> bool:
    version, _, rest = stored.partition("$")
    try:
        if version == PIN_VERSION:
            rounds, salt_hex, digest_hex = rest.split("$")
            secret = pin.encode()
        elif version == PIN_WRAPPED_VERSION:
            old_rounds, old_salt, rounds, salt_hex, digest_hex = rest.split("$")
            secret = _legacy_pin_digest(secret_key, pin, bytes.fromhex(old_salt), int(old_rounds))
        else:
            return False
        salt, digest = bytes.fromhex(salt_hex), bytes.fromhex(digest_hex)
        computed = _pin_digest(secret_key, secret, salt, int(rounds))
    except ValueError:
        return False
    return hmac.compare_digest(computed, digest)


def _pin_digest(secret_key: str, secret: bytes, salt: bytes, iterations: int) -> bytes:
    pepper = derive(secret_key, "card-pin")
    kdf = PBKDF2HMAC(
        algorithm=hashes.SHA256(), length=32, salt=salt + pepper, iterations=iterations
    )
    return kdf.derive(secret)


def _legacy_pin_digest(secret_key: str, pin: str, salt: bytes, iterations: int) -> bytes:
    """The p1 digest, recomputed only to check a PIN against a wrapped (p2w) hash."""
    pepper = hmac.new(secret_key.encode(), b"central/card-pin", hashlib.sha256).digest()
    return hashlib.pbkdf2_hmac("sha256", pin.encode(), salt + pepper, iterations)


def receipt_tag(receipt_key: str, txn_id: str) -> str:
    """The short HMAC in receipt links (/r/{txn_id}?h=...): pages cannot be enumerated."""
    mac = hmac.new(receipt_key.encode(), b"receipt/" + txn_id.encode(), hashlib.sha256)
    return mac.hexdigest()[:RECEIPT_TAG_HEX]


def receipt_tag_ok(receipt_key: str, txn_id: str, tag: str) -> bool:
    return hmac.compare_digest(receipt_tag(receipt_key, txn_id), tag)
