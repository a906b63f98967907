"""Migration 0004: kiosk secrets sealed by the old cipher and p1 PIN hashes, upgraded in place."""

from __future__ import annotations

import hashlib
import hmac
import secrets

import pytest
from alembic import command
from sqlalchemy import insert, select

from central import ServerError, migrate
from central.crypto import PIN_WRAPPED_VERSION, SEAL_VERSION, unseal, verify_pin
from central.db import make_engine
from central.schema import cards, kiosks, utcnow

KEY = "the-server-secret-key-of-the-last-release"


def s1_seal(secret_key: str, plaintext: str) -> str:
    """What central/crypto.py wrote up to migration 0003 (the HMAC keystream cipher)."""

    def derive(purpose: str) -> bytes:
        return hmac.new(
            secret_key.encode(), b"central/" + purpose.encode(), hashlib.sha256
        ).digest()

    salt, data = secrets.token_bytes(16), plaintext.encode()
    stream = b"".join(
        hmac.new(derive("seal-enc"), salt + n.to_bytes(4, "big"), hashlib.sha256).digest()
        for n in range((len(data) + 31) // 32)
    )
    cipher = bytes(a ^ b for a, b in zip(data, stream, strict=False))
    tag = hmac.new(derive("seal-mac"), salt + cipher, hashlib.sha256).hexdigest()
    return f"s1${salt.hex()}${cipher.hex()}${tag}"


def p1_hash(secret_key: str, pin: str) -> str:
    pepper = hmac.new(secret_key.encode(), b"central/card-pin", hashlib.sha256).digest()
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt + pepper, 20_000)
    return f"p1$20000${salt.hex()}${digest.hex()}"


def at_0003_with_old_rows(url: str):
    engine = make_engine(url)
    command.upgrade(migrate.alembic_config(engine), "0003_collection_days")
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            insert(kiosks),
            [
                {
                    "kiosk_id": "K0101",
                    "name": "rotated",
                    "secret_sealed": s1_seal(KEY, "new-secret-of-K0101-xxxxxxxxxxxxxxxxxxxx"),
                    "secret_previous_sealed": s1_seal(KEY, "old-secret-of-K0101"),
                    "enabled": True,
                    "created_at": now,
                },
                {
                    "kiosk_id": "K0102",
                    "name": "plain",
                    "secret_sealed": s1_seal(KEY, "秘密 K0102"),
                    "secret_previous_sealed": None,
                    "enabled": True,
                    "created_at": now,
                },
            ],
        )
        conn.execute(
            insert(cards),
            [
                {
                    "card_no": f"880000000000010{n}",
                    "face_fen": 5000,
                    "pin_hash": p1_hash(KEY, f"12345678901{n}"),
                    "failed_attempts": 0,
                    "locked": False,
                    "created_at": now,
                }
                for n in range(2)
            ],
        )
    return engine


def test_old_seals_and_pin_hashes_are_upgraded(fresh_url: str) -> None:
    engine = at_0003_with_old_rows(fresh_url)
    try:
        assert migrate.upgrade(engine, KEY) == "0003_collection_days"
        assert migrate.current_revision(engine) == migrate.HEAD_REVISION
        with engine.connect() as conn:
            rows = {r.kiosk_id: r for r in conn.execute(select(kiosks)).all()}
            hashes = dict(conn.execute(select(cards.c.card_no, cards.c.pin_hash)).all())
        assert rows["K0101"].secret_sealed.startswith(SEAL_VERSION + "$")
        assert unseal(KEY, rows["K0101"].secret_sealed) == "new-secret-of-K0101-" + "x" * 20
        assert unseal(KEY, rows["K0101"].secret_previous_sealed) == "old-secret-of-K0101"
        assert unseal(KEY, rows["K0102"].secret_sealed) == "秘密 K0102"
        assert rows["K0102"].secret_previous_sealed is None
        for n in range(2):
            stored = hashes[f"880000000000010{n}"]
            assert stored.startswith(PIN_WRAPPED_VERSION + "$")
            assert verify_pin(KEY, f"12345678901{n}", stored)
            assert not verify_pin(KEY, f"12345678901{1 - n}", stored)
            assert not verify_pin("another-server-secret-key", f"12345678901{n}", stored)
    finally:
        engine.dispose()


def test_without_the_secret_key_old_rows_stop_the_migration(fresh_url: str) -> None:
    engine = at_0003_with_old_rows(fresh_url)
    try:
        with pytest.raises(ServerError, match=r"server\.secret_key"):
            migrate.upgrade(engine)
        assert migrate.current_revision(engine) == "0003_collection_days"
        with engine.connect() as conn:
            sealed = conn.execute(select(kiosks.c.secret_sealed)).scalars().all()
        assert all(s.startswith("s1$") for s in sealed)
    finally:
        engine.dispose()


def test_a_wrong_secret_key_changes_nothing(fresh_url: str) -> None:
    engine = at_0003_with_old_rows(fresh_url)
    try:
        with pytest.raises(ServerError, match="does not match"):
            migrate.upgrade(engine, "not-the-key-it-was-sealed-with")
        assert migrate.current_revision(engine) == "0003_collection_days"
    finally:
        engine.dispose()
