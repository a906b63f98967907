"""CRC-16/KERMIT against the the specifications' check vectors and the CRC catalogue."""

from __future__ import annotations

import pytest

from drivers.crc import crc16_kermit, crc16_kermit_bytes


@pytest.mark.parametrize(
    ("frame", "crc"),
    [
        ("02030633", "da81"),  # CCNET POLL
        ("02030600", "c282"),  # CCNET ACK
        ("fc0511", "2756"),  # ID-003 status request
    ],
)
def test_reference_check_vectors(frame: str, crc: str) -> None:
    assert crc16_kermit_bytes(bytes.fromhex(frame)).hex() == crc


def test_catalogue_check_value() -> None:
    assert crc16_kermit(b"123456789") == 0x2189


def test_empty_input_is_the_initial_value() -> None:
    assert crc16_kermit(b"") == 0


def test_a_single_flipped_bit_changes_the_crc() -> None:
    frame = bytes.fromhex("0203063381")
    good = crc16_kermit(frame)
    for index in range(len(frame) * 8):
        flipped = bytearray(frame)
        flipped[index // 8] ^= 1 << (index % 8)
        assert crc16_kermit(bytes(flipped)) != good
