"""What a protocol front of the cash emulator provides: framing and answers to the host."""

from __future__ import annotations

import abc
from dataclasses import dataclass

from drivers.emulators.cash_mechanics import Dialect, Mechanics


@dataclass(frozen=True)
class Decoded:
    frames: list[bytes]  # the data of each valid frame addressed to this device
    leftover: bytes
    bad_crc: int
    garbage: int


class ProtocolFront(abc.ABC):
    """Turns the host's frames into mechanics calls and the mechanics' state into answers."""

    protocol = ""
    dialect: Dialect

    def __init__(self, mechanics: Mechanics) -> None:
        self.mechanics = mechanics
        self.last_status = b""  # the last poll answer, for status and tests

    @abc.abstractmethod
    def decode(self, buffer: bytes) -> Decoded: ...

    @abc.abstractmethod
    def encode(self, data: bytes) -> bytes:
        """A whole frame around an answer's data."""

    @abc.abstractmethod
    def answer(self, data: bytes, now: float) -> bytes | None:
        """The answer's data to one valid frame from the host, or None for no answer."""

    @abc.abstractmethod
    def answer_damaged(self) -> bytes | None:
        """The answer to a frame that arrived with a bad CRC."""

    @abc.abstractmethod
    def power_cycle(self) -> None:
        """Forget the settings the host made (they live in volatile memory)."""

    def unsolicited(self, now: float) -> bytes | None:  # noqa: ARG002 - a hook
        """What the device sends unasked now (ICT); CCNET and ID-003 devices only answer."""
        return None

    def noise_safe(self, byte: int) -> bool:
        """Whether line noise may contain ``byte`` without it being read as a message."""
        return byte not in (0x02, 0xFC)  # the CCNET and ID-003 sync bytes
