"""ICT codes (ICT protocol for RS232 v0.3), and status parsing.

The usual ICT code tables omit ``26``: the device's "communication error", sent when the host
did not answer its power-up in time (e-kiosk's ICT constants, the source of the others too).

9600 baud 8E1, single bytes, no framing and no checksum. The device speaks first at power-up
(``80 8F``) and whenever a bill reaches escrow (``81`` then the bill type); it answers the
host's poll ``0C`` with one status byte.
"""

from __future__ import annotations

import enum

from drivers.cash.status import DeviceStatus, StatusKind
from drivers.errors import DriverError

FIRST_BILL_TYPE = 0x40
LAST_BILL_TYPE = 0x48  # 40..44 on most units; some firmware goes up to 48
POWER_UP_ANSWER_S = 2.0  # the host must answer 80 8F with 02 within this, or the device inhibits


class HostCommand(enum.IntEnum):
    """What the controller sends: one byte each, none of them answered but the poll."""

    ACCEPT = 0x02  # the answer to power-up, and "stack" for a bill in escrow
    POLL = 0x0C
    REJECT = 0x0F  # hand the bill in escrow back
    HOLD = 0x18
    RESET = 0x30
    ENABLE = 0x3E
    DISABLE = 0x5E


class DeviceByte(enum.IntEnum):
    STACKED = 0x10  # after ACCEPT: the bill went in (count it as credit)
    REJECTED = 0x11  # after REJECT (or the device's own refusal): the bill came back
    MOTOR_FAILURE = 0x20
    CHECKSUM_ERROR = 0x21
    BILL_JAM = 0x22
    BILL_REMOVED = 0x23
    STACKER_OPEN = 0x24
    SENSOR_PROBLEM = 0x25
    POWER_UP_UNANSWERED = 0x26  # nobody answered 80 8F in time: the device inhibited itself
    BILL_FISH = 0x27
    STACKER_PROBLEM = 0x28
    BILL_REJECT = 0x29
    INVALID_COMMAND = 0x2A
    ERROR_CLEARED = 0x2F
    ENABLED = 0x3E
    INHIBITED = 0x5E
    POWER_UP = 0x80  # followed by POWER_UP_SECOND
    ESCROW = 0x81  # followed by the bill type
    POWER_UP_SECOND = 0x8F


POWER_UP_MESSAGE = bytes([DeviceByte.POWER_UP, DeviceByte.POWER_UP_SECOND])

_SINGLE: dict[int, tuple[StatusKind, str]] = {
    DeviceByte.STACKED: (StatusKind.STACKED, ""),
    DeviceByte.REJECTED: (StatusKind.RETURNED, ""),
    DeviceByte.MOTOR_FAILURE: (StatusKind.FAILURE, "motor_failure"),
    DeviceByte.CHECKSUM_ERROR: (StatusKind.FAILURE, "checksum_error"),
    DeviceByte.BILL_JAM: (StatusKind.VALIDATOR_JAM, ""),
    DeviceByte.BILL_REMOVED: (StatusKind.REJECTING, "bill_removed"),
    DeviceByte.STACKER_OPEN: (StatusKind.CASSETTE_OUT, ""),
    DeviceByte.SENSOR_PROBLEM: (StatusKind.FAILURE, "sensor_problem"),
    # It restarted and nobody answered: start it up again (RESET, then 80 8F answered in time).
    DeviceByte.POWER_UP_UNANSWERED: (StatusKind.POWER_UP, "power_up_unanswered"),
    DeviceByte.BILL_FISH: (StatusKind.CHEATED, ""),
    DeviceByte.STACKER_PROBLEM: (StatusKind.CASSETTE_JAM, ""),
    DeviceByte.BILL_REJECT: (StatusKind.REJECTING, "bill_reject"),
    DeviceByte.INVALID_COMMAND: (StatusKind.INVALID_COMMAND, ""),
    DeviceByte.ERROR_CLEARED: (StatusKind.FAULT_CLEARED, ""),
    DeviceByte.ENABLED: (StatusKind.IDLE, ""),
    DeviceByte.INHIBITED: (StatusKind.DISABLED, ""),
}
SINGLE_BYTES = frozenset(_SINGLE)
HOST_BYTES = frozenset(int(c) for c in HostCommand)


class StatusParseError(DriverError, ValueError):
    """Bytes that are not an ICT message."""


def parse_status(message: bytes) -> DeviceStatus:
    """The meaning of one whole message from the device (see codec.decode)."""
    if message == POWER_UP_MESSAGE:
        return DeviceStatus(StatusKind.POWER_UP, DeviceByte.POWER_UP)
    if len(message) == 2 and message[0] == DeviceByte.ESCROW and is_bill_type(message[1]):
        return DeviceStatus(StatusKind.ESCROW, DeviceByte.ESCROW, message[1])
    if len(message) == 1 and message[0] in _SINGLE:
        kind, reason = _SINGLE[message[0]]
        detail = message[0] if kind in (StatusKind.FAILURE, StatusKind.REJECTING) else None
        return DeviceStatus(kind, message[0], detail, reason)
    raise StatusParseError(f"not an ICT message: {message.hex(' ')}")


def is_bill_type(value: int) -> bool:
    return FIRST_BILL_TYPE <= value <= LAST_BILL_TYPE
