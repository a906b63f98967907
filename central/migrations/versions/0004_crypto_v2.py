"""Re-seal kiosk secrets with AES-256-GCM (s1 -> s2) and wrap card PIN hashes (p1 -> p2w).

The s1 seal (an HMAC-SHA256 keystream, encrypt-then-MAC) is opened here with its code frozen
below, and sealed again by central.crypto. A p1 PIN hash (PBKDF2-SHA256, 20,000 iterations)
cannot be recomputed without the PIN, so it is wrapped: the p2 function applied to the p1
digest, which central.crypto.verify_pin checks by recomputing p1 from the PIN first. Cards
already used are wrapped too: their PINs are worthless, but no weak hash stays in a dump.

Needs ``server.secret_key``: ``kiosk-central init-db`` passes it (central.migrate.upgrade).
A database with no sealed secret and no PIN hash migrates without it. Each row is rewritten
in the migration's transaction, so a failure leaves every row as it was.

Cannot be undone (a wrapped hash cannot be unwrapped): restore the backup taken before.

Revision ID: 0004_crypto_v2
Revises: 0003_collection_days
"""

from __future__ import annotations

import hashlib
import hmac

import sqlalchemy as sa
from alembic import context, op

from central import ServerError
from central.crypto import seal, wrap_legacy_pin_hash

revision = "0004_crypto_v2"
down_revision = "0003_collection_days"
branch_labels = None
depends_on = None

_kiosks = sa.table(
    "kiosks",
    sa.column("kiosk_id", sa.String),
    sa.column("secret_sealed", sa.String),
    sa.column("secret_previous_sealed", sa.String),
)
_cards = sa.table("cards", sa.column("card_no", sa.String), sa.column("pin_hash", sa.String))


class MigrationRefused(ServerError):
    """0004 cannot re-seal: no key, another key, or a malformed row (nothing is changed)."""


def _s1_unseal(secret_key: str, sealed: str) -> str:
    """The s1 seal of releases up to 0003, frozen here so that it can be read once more."""

    def derive(purpose: str) -> bytes:
        return hmac.new(
            secret_key.encode(), b"central/" + purpose.encode(), hashlib.sha256
        ).digest()

    version, salt_hex, cipher_hex, tag = sealed.split("$")
    salt, cipher = bytes.fromhex(salt_hex), bytes.fromhex(cipher_hex)
    assert version == "s1"
    expected = hmac.new(derive("seal-mac"), salt + cipher, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, tag):
        raise MigrationRefused(
            "a sealed kiosk secret does not match server.secret_key: configure the key the"
            " secrets were sealed with, then run init-db again"
        )
    key = derive("seal-enc")
    stream = b"".join(
        hmac.new(key, salt + n.to_bytes(4, "big"), hashlib.sha256).digest()
        for n in range((len(cipher) + 31) // 32)
    )
    return bytes(a ^ b for a, b in zip(cipher, stream, strict=False)).decode()


def _secret_key() -> str:
    key = context.config.attributes.get("secret_key")
    if not key:
        raise MigrationRefused(
            "migration 0004 re-seals kiosk secrets and card PIN hashes with server.secret_key:"
            " run `kiosk-central init-db` with the server's configuration"
        )
    return str(key)


def upgrade() -> None:
    conn = op.get_bind()
    kiosks = conn.execute(
        sa.select(_kiosks).where(
            sa.or_(
                _kiosks.c.secret_sealed.like("s1$%"),
                _kiosks.c.secret_previous_sealed.like("s1$%"),
            )
        )
    ).all()
    cards = conn.execute(
        sa.select(_cards.c.card_no, _cards.c.pin_hash).where(_cards.c.pin_hash.like("p1$%"))
    ).all()
    if not kiosks and not cards:
        return
    key = _secret_key()
    for row in kiosks:
        values = {}
        for column in ("secret_sealed", "secret_previous_sealed"):
            sealed = getattr(row, column)
            if sealed is not None and sealed.startswith("s1$"):
                values[column] = seal(key, _s1_unseal(key, sealed))
        conn.execute(sa.update(_kiosks).where(_kiosks.c.kiosk_id == row.kiosk_id).values(values))
    for card in cards:
        wrapped = wrap_legacy_pin_hash(key, card.pin_hash)
        if wrapped is None:
            raise MigrationRefused(f"card {card.card_no}: its PIN hash is malformed")
        conn.execute(
            sa.update(_cards).where(_cards.c.card_no == card.card_no).values(pin_hash=wrapped)
        )


def downgrade() -> None:
    raise NotImplementedError(
        "0004 cannot be undone (a wrapped PIN hash cannot be unwrapped): restore the backup"
        " taken before `kiosk-central init-db`"
    )
