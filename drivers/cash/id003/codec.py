"""ID-003 framing: ``SYNC FC | LNG (whole frame) | CMD | DATA | CRC-16/KERMIT (low byte first)``.

Pure functions, the same shape as the CCNET codec: ``decode_stream`` skips garbage and frames
with a bad CRC and counts them; an incomplete frame stays as leftover.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.cash import framing
from drivers.cash.id003.codes import SYNC
from drivers.crc import crc16_kermit_bytes

HEADER_SIZE = 2  # SYNC, LNG
CRC_SIZE = 2
MIN_FRAME = HEADER_SIZE + 1 + CRC_SIZE
MAX_FRAME = 255
LAYOUT = framing.Layout(sync=SYNC, length_at=1, header_size=HEADER_SIZE, max_frame=MAX_FRAME)


@dataclass(frozen=True)
class Frame:
    data: bytes  # command or status byte first

    @property
    def first(self) -> int:
        return self.data[0]


@dataclass(frozen=True)
class DecodeResult:
    frames: list[Frame]
    leftover: bytes
    bad_crc: int
    garbage: int


def encode(data: bytes) -> bytes:
    """A whole frame around ``data`` (command and parameters, or a status and its data)."""
    length = HEADER_SIZE + len(data) + CRC_SIZE
    if not data or length > MAX_FRAME:
        raise ValueError(f"ID-003 data must be 1..{MAX_FRAME - MIN_FRAME + 1} bytes")
    body = bytes([SYNC, length]) + data
    return body + crc16_kermit_bytes(body)


def encode_command(command: int, parameters: bytes = b"") -> bytes:
    return encode(bytes([command]) + parameters)


def decode_stream(buffer: bytes) -> DecodeResult:
    """Every whole, valid frame in ``buffer``; what may begin a frame is left over."""
    found = framing.scan(buffer, LAYOUT)
    frames = [Frame(frame[HEADER_SIZE:-CRC_SIZE]) for frame in found.frames]
    return DecodeResult(frames, found.leftover, found.bad_crc, found.garbage)


def decode(buffer: bytes) -> tuple[list[Frame], bytes]:
    """Frames and leftover bytes (bad frames and garbage skipped; see ``decode_stream``)."""
    result = decode_stream(buffer)
    return result.frames, result.leftover
