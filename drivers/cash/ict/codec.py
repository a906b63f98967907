"""ICT "framing": one or two bytes per message, no sync and no checksum. Pure functions.

``decode(buffer) -> (used, message or None)`` takes one step: a whole message, or ``used`` > 0
with None for a byte that begins no message (garbage, skipped), or ``(0, None)`` when the
buffer ends inside a two-byte message. ``decode_stream`` repeats it over a buffer.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.cash.ict.codes import HOST_BYTES, SINGLE_BYTES, DeviceByte, is_bill_type


@dataclass(frozen=True)
class DecodeResult:
    messages: list[bytes]
    leftover: bytes  # the first byte of a two-byte message whose second has not come yet
    garbage: int  # bytes skipped that began no message


def decode(buffer: bytes) -> tuple[int, bytes | None]:  # noqa: PLR0911 - one return per case
    """One step over the device's bytes: see the module docstring."""
    if not buffer:
        return 0, None
    first = buffer[0]
    if first in (DeviceByte.POWER_UP, DeviceByte.ESCROW):
        if len(buffer) < 2:
            return 0, None
        second = buffer[1]
        if first == DeviceByte.POWER_UP and second == DeviceByte.POWER_UP_SECOND:
            return 2, bytes(buffer[:2])
        if first == DeviceByte.ESCROW and is_bill_type(second):
            return 2, bytes(buffer[:2])
        return 1, None  # a broken pair: drop the first byte and look again from the second
    if first in SINGLE_BYTES:
        return 1, bytes([first])
    return 1, None


def decode_stream(buffer: bytes) -> DecodeResult:
    """Every whole message from the device in ``buffer``, in order."""
    messages: list[bytes] = []
    garbage = position = 0
    while position < len(buffer):
        used, message = decode(buffer[position:])
        if used == 0:
            break
        position += used
        if message is None:
            garbage += used
        else:
            messages.append(message)
    return DecodeResult(messages, bytes(buffer[position:]), garbage)


def decode_host(buffer: bytes) -> DecodeResult:
    """The host's bytes, as a device reads them: each known command byte is one message."""
    messages = [bytes([b]) for b in buffer if b in HOST_BYTES]
    return DecodeResult(messages, b"", len(buffer) - len(messages))
