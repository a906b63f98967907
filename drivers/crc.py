"""CRC-16/KERMIT, the frame check of CCNET and ID-003.

Polynomial 0x1021 reflected (0x8408), initial value 0, no final XOR, bits LSB first; the CRC
travels low byte first. Check vectors: CCNET POLL ``02 03 06 33`` -> ``DA 81``; the catalogue
check value of ``b"123456789"`` is 0x2189.
"""

from __future__ import annotations


def _make_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_TABLE = _make_table()


def crc16_kermit(data: bytes) -> int:
    """The CRC of ``data`` as an integer (0..0xFFFF)."""
    crc = 0
    for byte in data:
        crc = (crc >> 8) ^ _TABLE[(crc ^ byte) & 0xFF]
    return crc


def crc16_kermit_bytes(data: bytes) -> bytes:
    """The CRC of ``data`` as it goes on the wire: low byte first."""
    return crc16_kermit(data).to_bytes(2, "little")
