"""CCNET command and status codes (the CashCode CCNET protocol description), and status parsing."""

from __future__ import annotations

import enum

from drivers.cash.status import DeviceStatus, StatusKind
from drivers.errors import DriverError

SYNC = 0x02
ADDRESS_BILL_VALIDATOR = 0x03
BILL_TABLE_ENTRIES = 24
BILL_TABLE_ENTRY_SIZE = 5
IDENT_PART_SIZE = 15
IDENT_SERIAL_SIZE = 12
IDENT_ASSET_SIZE = 7


class Command(enum.IntEnum):
    ACK = 0x00
    RESET = 0x30
    GET_STATUS = 0x31
    SET_SECURITY = 0x32
    POLL = 0x33
    ENABLE_BILL_TYPES = 0x34
    STACK = 0x35
    RETURN = 0x36
    IDENTIFICATION = 0x37
    HOLD = 0x38
    GET_BILL_TABLE = 0x41
    NAK = 0xFF


class Reply(enum.IntEnum):
    """One-byte answers to commands (not poll states)."""

    ACK = 0x00
    ILLEGAL_COMMAND = 0x30
    NAK = 0xFF


class PollState(enum.IntEnum):
    POWER_UP = 0x10
    POWER_UP_BILL_IN_VALIDATOR = 0x11
    POWER_UP_BILL_IN_STACKER = 0x12
    INITIALIZE = 0x13
    IDLING = 0x14
    ACCEPTING = 0x15
    STACKING = 0x17
    RETURNING = 0x18
    DISABLED = 0x19
    HOLDING = 0x1A
    BUSY = 0x1B
    REJECTING = 0x1C
    CASSETTE_FULL = 0x41
    CASSETTE_OUT = 0x42
    VALIDATOR_JAMMED = 0x43
    CASSETTE_JAMMED = 0x44
    CHEATED = 0x45
    PAUSE = 0x46
    FAILURE = 0x47
    ESCROW = 0x80
    STACKED = 0x81
    RETURNED = 0x82


class RejectReason(enum.IntEnum):
    INSERTION = 0x60
    MAGNETIC = 0x61
    REMAINING_BILL_IN_HEAD = 0x62
    MULTIPLYING = 0x63
    CONVEYING = 0x64
    IDENTIFICATION = 0x65
    VERIFICATION = 0x66
    OPTIC = 0x67
    INHIBIT = 0x68
    CAPACITANCE = 0x69
    OPERATION = 0x6A
    LENGTH = 0x6C
    UV = 0x6D
    BARCODE_UNRECOGNIZED = 0x92
    BARCODE_INCORRECT_COUNT = 0x93
    BARCODE_UNKNOWN_START = 0x94
    BARCODE_UNKNOWN_STOP = 0x95


class FailureCode(enum.IntEnum):
    STACK_MOTOR = 0x50
    TRANSPORT_MOTOR_SPEED = 0x51
    TRANSPORT_MOTOR = 0x52
    ALIGNING_MOTOR = 0x53
    INITIAL_CASSETTE_STATUS = 0x54
    OPTIC_CANAL = 0x55
    MAGNETIC_CANAL = 0x56
    CAPACITANCE_CANAL = 0x5F


_KIND = {
    PollState.POWER_UP: StatusKind.POWER_UP,
    PollState.POWER_UP_BILL_IN_VALIDATOR: StatusKind.POWER_UP_BILL_IN_VALIDATOR,
    PollState.POWER_UP_BILL_IN_STACKER: StatusKind.POWER_UP_BILL_IN_STACKER,
    PollState.INITIALIZE: StatusKind.INITIALIZING,
    PollState.IDLING: StatusKind.IDLE,
    PollState.ACCEPTING: StatusKind.ACCEPTING,
    PollState.STACKING: StatusKind.STACKING,
    PollState.RETURNING: StatusKind.RETURNING,
    PollState.DISABLED: StatusKind.DISABLED,
    PollState.HOLDING: StatusKind.HOLDING,
    PollState.BUSY: StatusKind.BUSY,
    PollState.REJECTING: StatusKind.REJECTING,
    PollState.CASSETTE_FULL: StatusKind.CASSETTE_FULL,
    PollState.CASSETTE_OUT: StatusKind.CASSETTE_OUT,
    PollState.VALIDATOR_JAMMED: StatusKind.VALIDATOR_JAM,
    PollState.CASSETTE_JAMMED: StatusKind.CASSETTE_JAM,
    PollState.CHEATED: StatusKind.CHEATED,
    PollState.PAUSE: StatusKind.PAUSED,
    PollState.FAILURE: StatusKind.FAILURE,
    PollState.ESCROW: StatusKind.ESCROW,
    PollState.STACKED: StatusKind.STACKED,
    PollState.RETURNED: StatusKind.RETURNED,
}

# States whose second byte is part of the status.
WITH_DETAIL = frozenset(
    {
        PollState.REJECTING,
        PollState.FAILURE,
        PollState.ESCROW,
        PollState.STACKED,
        PollState.RETURNED,
    }
)


class StatusParseError(DriverError, ValueError):
    """A poll answer that is not a CCNET poll state."""


def parse_status(data: bytes) -> DeviceStatus:
    """The meaning of a POLL answer's data bytes; raise StatusParseError if it has none."""
    if not data:
        raise StatusParseError("empty poll answer")
    try:
        state = PollState(data[0])
    except ValueError as exc:
        raise StatusParseError(f"unknown poll state 0x{data[0]:02X}") from exc
    detail: int | None = None
    reason = ""
    if state in WITH_DETAIL:
        if len(data) < 2:
            raise StatusParseError(f"poll state 0x{data[0]:02X} without its second byte")
        detail = data[1]
        if state is PollState.REJECTING:
            reason = _name(RejectReason, detail)
        elif state is PollState.FAILURE:
            reason = _name(FailureCode, detail)
    return DeviceStatus(_KIND[state], state.value, detail, reason)


def encode_status(state: PollState, detail: int | None = None) -> bytes:
    """The data bytes of a POLL answer (used by the emulator and by tests)."""
    if state in WITH_DETAIL:
        if detail is None:
            raise ValueError(f"{state.name} needs its second byte")
        return bytes([state, detail])
    return bytes([state])


def _name(codes: type[enum.IntEnum], value: int) -> str:
    try:
        return codes(value).name.lower()
    except ValueError:
        return f"code_0x{value:02x}"
