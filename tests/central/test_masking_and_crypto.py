"""Privacy masks, sealed kiosk secrets, card PIN hashes and receipt tags."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from central import signing as server_signing
from central.crypto import (
    PIN_ITERATIONS,
    SealBroken,
    hash_pin,
    receipt_tag,
    receipt_tag_ok,
    seal,
    unseal,
    verify_pin,
)
from central.masking import mask_account_no, mask_address, mask_name
from kiosk import signing as kiosk_signing

KEY = "a-server-secret-key-for-tests"


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("王小明", "王*明"),
        ("李华", "李*"),
        ("欧阳小明", "欧**明"),
        ("张", "*"),
        ("John Smith", "J*** S****"),
        ("", "*"),
    ],
)
def test_names_are_masked(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_addresses_keep_only_the_district() -> None:
    assert mask_address("示范市城东区和平路12号3单元502室") == "示范市城东区****"
    assert mask_address("短地址") == "短****"
    assert mask_address("") == ""


def test_account_numbers_on_public_pages_keep_four_digits() -> None:
    assert mask_account_no("3100000001") == "******0001"


def test_a_sealed_secret_opens_only_with_its_key_and_untampered() -> None:
    sealed = seal(KEY, "demo-kiosk-secret-not-for-production")
    assert "demo-kiosk-secret" not in sealed
    assert unseal(KEY, sealed) == "demo-kiosk-secret-not-for-production"
    assert seal(KEY, "same") != seal(KEY, "same")  # salted
    with pytest.raises(SealBroken):
        unseal("another-key-another-key", sealed)
    version, body = sealed.split("$")
    assert version == "s2"
    raw = bytearray(base64.urlsafe_b64decode(body))
    for at in (0, 12, len(raw) - 1):  # the nonce, the ciphertext, the tag
        flipped = bytearray(raw)
        flipped[at] ^= 1
        with pytest.raises(SealBroken):
            unseal(KEY, "s2$" + base64.urlsafe_b64encode(bytes(flipped)).decode())
    for broken in ("garbage", "s2$", "s2$!!!!", "s2$" + body[:20]):
        with pytest.raises(SealBroken):
            unseal(KEY, broken)
    with pytest.raises(SealBroken, match="init-db"):
        unseal(KEY, "s1$00$00$00")


def test_pin_hashes_use_the_current_iteration_count_by_default() -> None:
    stored = hash_pin(KEY, "123456789012")
    assert stored.startswith(f"p2${PIN_ITERATIONS}$")
    assert PIN_ITERATIONS >= 600_000
    assert verify_pin(KEY, "123456789012", stored)


def test_pin_hashes_verify_and_depend_on_the_server_key() -> None:
    stored = hash_pin(KEY, "123456", iterations=1000)
    assert "123456" not in stored
    assert verify_pin(KEY, "123456", stored)
    assert not verify_pin(KEY, "123457", stored)
    assert not verify_pin("another-key-another-key", "123456", stored)
    assert not verify_pin(KEY, "123456", "malformed")


def test_receipt_tags_are_short_and_bound_to_the_txn() -> None:
    tag = receipt_tag(KEY, "K0001-00000042")
    assert len(tag) == 16
    assert receipt_tag_ok(KEY, "K0001-00000042", tag)
    assert not receipt_tag_ok(KEY, "K0001-00000043", tag)


@given(
    method=st.sampled_from(["GET", "POST"]),
    path=st.from_regex(r"/v1/[a-z0-9/_-]{0,40}(\?[a-z0-9=&]{0,20})?", fullmatch=True),
    timestamp=st.integers(0, 10**11),
    nonce=st.from_regex(r"[0-9a-f]{16,64}", fullmatch=True),
    body=st.binary(max_size=200),
)
def test_kiosk_and_server_sign_the_same_canonical_string(
    method: str, path: str, timestamp: int, nonce: str, body: bytes
) -> None:
    assert kiosk_signing.canonical_string(
        method, path, timestamp, nonce, body
    ) == server_signing.canonical_string(method, path, timestamp, nonce, body)
    secret = "s" * 20
    headers = server_signing.parse_headers(
        "K0001",
        str(timestamp),
        nonce,
        kiosk_signing.sign(secret, method, path, timestamp, nonce, body),
    )
    assert not isinstance(headers, str)
    assert server_signing.signature_ok(secret, headers, method, path, body)
    assert not server_signing.signature_ok(secret, headers, method, path, body + b" ")
