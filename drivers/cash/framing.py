"""The framing CCNET and ID-003 share: ``SYNC | ... LNG (whole frame) ... | DATA | CRC-16/KERMIT``.

Both protocols find frames in a byte stream the same way; they differ only in the sync byte,
where the length byte sits and how long the header is. ``scan`` does the finding once for both.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.crc import crc16_kermit

CRC_SIZE = 2


@dataclass(frozen=True)
class Layout:
    sync: int
    length_at: int  # offset of the length byte from SYNC
    header_size: int  # bytes before the data
    max_frame: int

    @property
    def min_frame(self) -> int:
        return self.header_size + 1 + CRC_SIZE


@dataclass(frozen=True)
class Scan:
    frames: list[bytes]  # whole frames with a good CRC, header and CRC included
    leftover: bytes  # what may still begin a frame
    bad_crc: int  # frames whose CRC did not match
    garbage: int  # bytes skipped that were not part of a frame


def scan(buffer: bytes, layout: Layout) -> Scan:
    """Every whole, valid frame in ``buffer``; garbage and bad-CRC frames skipped and counted."""
    frames: list[bytes] = []
    bad_crc = garbage = 0
    position = 0
    end = len(buffer)
    while position < end:
        if buffer[position] != layout.sync:
            position += 1
            garbage += 1
            continue
        if end - position < layout.header_size:
            break
        length = buffer[position + layout.length_at]
        if not layout.min_frame <= length <= layout.max_frame:
            position += 1  # not a frame start: resynchronise on the next SYNC
            garbage += 1
            continue
        if end - position < length:
            break
        frame = buffer[position : position + length]
        if crc16_kermit(frame[:-CRC_SIZE]) != int.from_bytes(frame[-CRC_SIZE:], "little"):
            bad_crc += 1
            position += 1  # the real frame may start inside this one
            continue
        frames.append(bytes(frame))
        position += length
    return Scan(frames, bytes(buffer[position:]), bad_crc, garbage)
