"""Framing for the transcripts, written from the specifications (not the drivers' codecs).

CCNET: ``02 03 LNG DATA CRC``; ID-003: ``FC LNG DATA CRC``; LNG is the whole frame, the CRC
is CRC-16/KERMIT low byte first (its check vectors are in tests/drivers/test_crc.py). ICT has
no framing: each byte is a message, but for ``80 8F`` and ``81 TT``.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.crc import crc16_kermit

ICT_PAIRS = (0x80, 0x81)


@dataclass(frozen=True)
class Wire:
    protocol: str
    poll: bytes  # the host's poll message
    host_ignorable: frozenset[bytes]  # host messages a player lets pass (repeated ACKs)

    def frame(self, data: bytes) -> bytes:
        if self.protocol == "ict":
            return data
        if self.protocol == "ccnet":
            body = bytes([0x02, 0x03, len(data) + 5]) + data
        else:
            body = bytes([0xFC, len(data) + 4]) + data
        return body + crc16_kermit(body).to_bytes(2, "little")

    def split(self, buffer: bytes, *, from_device: bool) -> tuple[list[bytes], bytes]:
        """Whole messages in ``buffer`` and what is left; damaged frames are a test failure."""
        if self.protocol == "ict":
            return _split_ict(buffer, from_device=from_device)
        sync, header = (0x02, 3) if self.protocol == "ccnet" else (0xFC, 2)
        messages: list[bytes] = []
        while buffer:
            if buffer[0] != sync:
                raise AssertionError(f"not a frame start: {buffer.hex(' ')}")
            if len(buffer) < header or len(buffer) < buffer[header - 1]:
                break
            size = buffer[header - 1]
            frame, buffer = buffer[:size], buffer[size:]
            if crc16_kermit(frame[:-2]) != int.from_bytes(frame[-2:], "little"):
                raise AssertionError(f"bad CRC: {frame.hex(' ')}")
            messages.append(frame[header:-2])
        return messages, buffer


def _split_ict(buffer: bytes, *, from_device: bool) -> tuple[list[bytes], bytes]:
    messages: list[bytes] = []
    position = 0
    while position < len(buffer):
        size = 2 if from_device and buffer[position] in ICT_PAIRS else 1
        if position + size > len(buffer):
            break
        messages.append(buffer[position : position + size])
        position += size
    return messages, buffer[position:]


WIRES = {
    "ccnet": Wire("ccnet", b"\x33", frozenset({b"\x00"})),
    "id003": Wire("id003", b"\x11", frozenset({b"\x50"})),
    "ict": Wire("ict", b"\x0c", frozenset()),
}
