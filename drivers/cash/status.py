"""What a device's poll answer means, independent of the protocol.

Each codec parses its status bytes into a ``DeviceStatus``; the host's state tracking works on
these kinds only, so CCNET, ID-003 and ICT share it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from drivers.cash.api import FaultKind


class StatusKind(enum.Enum):
    POWER_UP = "power_up"
    POWER_UP_BILL_IN_VALIDATOR = "power_up_bill_in_validator"
    POWER_UP_BILL_IN_STACKER = "power_up_bill_in_stacker"
    INITIALIZING = "initializing"
    IDLE = "idle"  # enabled, waiting for a bill
    DISABLED = "disabled"
    ACCEPTING = "accepting"
    ESCROW = "escrow"  # detail: the bill type (CCNET) or escrow code (ID-003)
    HOLDING = "holding"
    STACKING = "stacking"
    STACKED = "stacked"  # the credit report the host must acknowledge (CCNET 81, ID-003 15)
    STACKED_INFO = "stacked_info"  # ID-003 16: after VEND VALID was acknowledged
    RETURNING = "returning"
    RETURNED = "returned"  # CCNET 82 (detail: bill type)
    REJECTING = "rejecting"  # detail: the reason code
    BUSY = "busy"
    PAUSED = "paused"
    CASSETTE_FULL = "cassette_full"
    CASSETTE_OUT = "cassette_out"
    VALIDATOR_JAM = "validator_jam"
    CASSETTE_JAM = "cassette_jam"
    CHEATED = "cheated"
    FAILURE = "failure"  # detail: the failure code
    COMMUNICATION_ERROR = "communication_error"  # ID-003 4A
    INVALID_COMMAND = "invalid_command"  # ID-003 4B, ICT 2A
    FAULT_CLEARED = "fault_cleared"  # ICT 2F: the device says its error is over


POWER_UP_KINDS = {
    StatusKind.POWER_UP: None,
    StatusKind.POWER_UP_BILL_IN_VALIDATOR: "validator",
    StatusKind.POWER_UP_BILL_IN_STACKER: "stacker",
}

FAULT_KINDS: dict[StatusKind, FaultKind] = {
    StatusKind.CASSETTE_FULL: FaultKind.CASSETTE_FULL,
    StatusKind.CASSETTE_OUT: FaultKind.CASSETTE_REMOVED,
    StatusKind.VALIDATOR_JAM: FaultKind.VALIDATOR_JAM,
    StatusKind.CASSETTE_JAM: FaultKind.CASSETTE_JAM,
    StatusKind.CHEATED: FaultKind.CHEATED,
    StatusKind.FAILURE: FaultKind.FAILURE,
    StatusKind.PAUSED: FaultKind.PAUSE,
}

# States in which the device is settled and takes settings (enable masks).
SETTLED_KINDS = frozenset({StatusKind.IDLE, StatusKind.DISABLED})

# States a device passes through while it starts: the host polls until it has left them.
STARTING_KINDS = frozenset({*POWER_UP_KINDS, StatusKind.INITIALIZING, StatusKind.BUSY})

# Reports that carry a bill's outcome and wait for the host (CCNET 81 / 82, ID-003 15).
OUTCOME_KINDS = frozenset({StatusKind.STACKED, StatusKind.RETURNED})

# A bill is in the mechanism: the device finishes with it before it can be reset cleanly.
BILL_IN_MOTION_KINDS = frozenset(
    {
        StatusKind.ACCEPTING,
        StatusKind.ESCROW,
        StatusKind.HOLDING,
        StatusKind.STACKING,
        StatusKind.STACKED_INFO,
        StatusKind.RETURNING,
        StatusKind.REJECTING,
    }
)


@dataclass(frozen=True)
class DeviceStatus:
    kind: StatusKind
    code: int  # the status byte as sent
    detail: int | None = None  # bill type, escrow code, reject reason or failure code
    reason: str = ""  # the reject reason or failure, in words
