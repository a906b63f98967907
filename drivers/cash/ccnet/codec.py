"""CCNET framing: ``SYNC 02 | ADR | LNG (whole frame) | DATA | CRC-16/KERMIT (low byte first)``.

Pure functions. A host's frame carries the command as its first data byte; a device's answer
carries the status or the one-byte ACK / NAK / ILLEGAL COMMAND. ``decode_stream`` skips
garbage and frames with a bad CRC and counts them; an incomplete frame stays as leftover.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.cash import framing
from drivers.cash.ccnet.codes import ADDRESS_BILL_VALIDATOR, SYNC, Command
from drivers.crc import crc16_kermit_bytes

HEADER_SIZE = 3  # SYNC, ADR, LNG
CRC_SIZE = 2
MIN_FRAME = HEADER_SIZE + 1 + CRC_SIZE
MAX_FRAME = 250  # longer frames use an extended length form that no command here needs
LAYOUT = framing.Layout(sync=SYNC, length_at=2, header_size=HEADER_SIZE, max_frame=MAX_FRAME)


@dataclass(frozen=True)
class Frame:
    address: int
    data: bytes

    @property
    def first(self) -> int:
        """The command (host frames) or the status / reply byte (device frames)."""
        return self.data[0]


@dataclass(frozen=True)
class DecodeResult:
    frames: list[Frame]
    leftover: bytes
    bad_crc: int  # frames whose CRC did not match
    garbage: int  # bytes skipped that were not part of a frame


def encode(data: bytes, address: int = ADDRESS_BILL_VALIDATOR) -> bytes:
    """A whole frame around ``data`` (command and parameters, or an answer)."""
    length = HEADER_SIZE + len(data) + CRC_SIZE
    if not data or length > MAX_FRAME:
        raise ValueError(f"CCNET data must be 1..{MAX_FRAME - MIN_FRAME + 1} bytes")
    body = bytes([SYNC, address, length]) + data
    return body + crc16_kermit_bytes(body)


def encode_command(command: Command, parameters: bytes = b"") -> bytes:
    return encode(bytes([command]) + parameters)


ACK_FRAME = encode(bytes([Command.ACK]))
NAK_FRAME = encode(bytes([Command.NAK]))


def decode_stream(buffer: bytes) -> DecodeResult:
    """Every whole, valid frame in ``buffer``; what may begin a frame is left over."""
    found = framing.scan(buffer, LAYOUT)
    frames = [Frame(frame[1], frame[HEADER_SIZE:-CRC_SIZE]) for frame in found.frames]
    return DecodeResult(frames, found.leftover, found.bad_crc, found.garbage)


def decode(buffer: bytes) -> tuple[list[Frame], bytes]:
    """Frames and leftover bytes (bad frames and garbage skipped; see ``decode_stream``)."""
    result = decode_stream(buffer)
    return result.frames, result.leftover
