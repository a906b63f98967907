"""ID-003 command and status codes (JCM's ID-003 command and status tables), and status parsing."""

from __future__ import annotations

import enum

from drivers.cash.status import DeviceStatus, StatusKind
from drivers.errors import DriverError

SYNC = 0xFC
FIRST_ESCROW_CODE = 0x61
ESCROW_CODES = 8  # 0x61..0x68, one inhibit bit each in the first byte of C0
# The currency assignment names the country with one byte. The ID-003 tables at hand do not give
# JCM's code for China, so this project uses the ISO 4217 number of CNY (156); hosts take it as a
# setting, so a real device's code is one configuration change away.
COUNTRY_CNY = 156


class Command(enum.IntEnum):
    STATUS_REQUEST = 0x11
    RESET = 0x40
    STACK_1 = 0x41
    STACK_2 = 0x42
    RETURN = 0x43
    HOLD = 0x44
    WAIT = 0x45
    ACK = 0x50
    SET_DENOMINATIONS = 0xC0  # 2 bytes; a set bit inhibits that denomination
    SET_SECURITY = 0xC1
    SET_COMMUNICATION_MODE = 0xC2
    SET_INHIBIT = 0xC3  # 00 accept, 01 inhibit
    SET_DIRECTION = 0xC4
    SET_OPTIONAL_FUNCTION = 0xC5
    GET_VERSION = 0x88
    GET_CURRENCY_ASSIGNMENT = 0x8A


OPERATION_COMMANDS = frozenset(
    {Command.RESET, Command.STACK_1, Command.STACK_2, Command.RETURN, Command.HOLD, Command.WAIT}
)
SETTING_COMMANDS = frozenset(
    {
        Command.SET_DENOMINATIONS,
        Command.SET_SECURITY,
        Command.SET_COMMUNICATION_MODE,
        Command.SET_INHIBIT,
        Command.SET_DIRECTION,
        Command.SET_OPTIONAL_FUNCTION,
    }
)
INHIBIT_ACCEPT = 0x00
INHIBIT_ALL = 0x01


class Status(enum.IntEnum):
    ENABLE = 0x11  # idling
    ACCEPTING = 0x12
    ESCROW = 0x13
    STACKING = 0x14
    VEND_VALID = 0x15
    STACKED = 0x16
    REJECTING = 0x17
    RETURNING = 0x18
    HOLDING = 0x19
    DISABLE = 0x1A  # inhibited
    INITIALIZE = 0x1B
    POWER_UP = 0x40
    POWER_UP_BILL_IN_ACCEPTOR = 0x41
    POWER_UP_BILL_IN_STACKER = 0x42
    STACKER_FULL = 0x43
    STACKER_OPEN = 0x44
    ACCEPTOR_JAM = 0x45
    STACKER_JAM = 0x46
    PAUSE = 0x47
    CHEATED = 0x48
    FAILURE = 0x49
    COMMUNICATION_ERROR = 0x4A
    INVALID_COMMAND = 0x4B


class RejectReason(enum.IntEnum):
    INSERTION = 0x71
    MAGNETIC = 0x72
    REMAINING_BILL = 0x73
    COMPENSATION = 0x74
    CONVEYING = 0x75
    DENOMINATION = 0x76
    PHOTO_PATTERN_1 = 0x77
    PHOTO_LEVEL = 0x78
    INHIBIT = 0x79
    OPERATION = 0x7B
    STACKER = 0x7C
    LENGTH = 0x7D
    PHOTO_PATTERN_2 = 0x7E


_KIND = {
    Status.ENABLE: StatusKind.IDLE,
    Status.ACCEPTING: StatusKind.ACCEPTING,
    Status.ESCROW: StatusKind.ESCROW,
    Status.STACKING: StatusKind.STACKING,
    Status.VEND_VALID: StatusKind.STACKED,
    Status.STACKED: StatusKind.STACKED_INFO,
    Status.REJECTING: StatusKind.REJECTING,
    Status.RETURNING: StatusKind.RETURNING,
    Status.HOLDING: StatusKind.HOLDING,
    Status.DISABLE: StatusKind.DISABLED,
    Status.INITIALIZE: StatusKind.INITIALIZING,
    Status.POWER_UP: StatusKind.POWER_UP,
    Status.POWER_UP_BILL_IN_ACCEPTOR: StatusKind.POWER_UP_BILL_IN_VALIDATOR,
    Status.POWER_UP_BILL_IN_STACKER: StatusKind.POWER_UP_BILL_IN_STACKER,
    Status.STACKER_FULL: StatusKind.CASSETTE_FULL,
    Status.STACKER_OPEN: StatusKind.CASSETTE_OUT,
    Status.ACCEPTOR_JAM: StatusKind.VALIDATOR_JAM,
    Status.STACKER_JAM: StatusKind.CASSETTE_JAM,
    Status.PAUSE: StatusKind.PAUSED,
    Status.CHEATED: StatusKind.CHEATED,
    Status.FAILURE: StatusKind.FAILURE,
    Status.COMMUNICATION_ERROR: StatusKind.COMMUNICATION_ERROR,
    Status.INVALID_COMMAND: StatusKind.INVALID_COMMAND,
}

WITH_DETAIL = frozenset({Status.ESCROW, Status.REJECTING, Status.FAILURE})


class StatusParseError(DriverError, ValueError):
    """An answer that is not an ID-003 status."""


def parse_status(data: bytes) -> DeviceStatus:
    """The meaning of a status answer (command byte first); raise StatusParseError if none."""
    if not data:
        raise StatusParseError("empty status answer")
    try:
        status = Status(data[0])
    except ValueError as exc:
        raise StatusParseError(f"unknown status 0x{data[0]:02X}") from exc
    detail: int | None = None
    reason = ""
    if status in WITH_DETAIL:
        if len(data) < 2:
            raise StatusParseError(f"status 0x{data[0]:02X} without its data byte")
        detail = data[1]
        if status is Status.REJECTING:
            try:
                reason = RejectReason(detail).name.lower()
            except ValueError:
                reason = f"code_0x{detail:02x}"
        elif status is Status.FAILURE:
            reason = f"failure_0x{detail:02x}"
    return DeviceStatus(_KIND[status], status.value, detail, reason)


def encode_status(status: Status, detail: int | None = None) -> bytes:
    """The data of a status answer (used by the emulator and by tests)."""
    if status in WITH_DETAIL:
        if detail is None:
            raise ValueError(f"{status.name} needs its data byte")
        return bytes([status, detail])
    return bytes([status])
