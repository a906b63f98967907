"""Real-time status of an ESC/POS printer: ``DLE EOT n`` requests and what the replies mean.

Pure functions over bytes, no I/O. Each of the four requests is answered by one byte whose
bits 1 and 4 are always set and bits 0 and 7 always clear; a byte that breaks this is not
a status reply. A request that gets no reply means the printer is not answering, and a
printer that is not answering is never ready.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from drivers.printer.codes import DLE, EOT

# Bits 1 and 4 set, 0 and 7 clear in every real-time status byte.
FIXED_BITS_MASK = 0x93
FIXED_BITS_VALUE = 0x12


class StatusQuery(enum.IntEnum):
    """The ``n`` of ``DLE EOT n``."""

    PRINTER = 1
    OFFLINE_CAUSE = 2
    ERROR_CAUSE = 3
    PAPER_SENSOR = 4


class PrinterFlag(enum.IntFlag):
    """Reply to ``DLE EOT 1``."""

    OFFLINE = 0x08
    WAITING_FOR_RECOVERY = 0x20
    FEED_BUTTON = 0x40


class OfflineCause(enum.IntFlag):
    """Reply to ``DLE EOT 2``."""

    COVER_OPEN = 0x04
    FEED_BUTTON = 0x08
    PAPER_END_STOP = 0x20
    ERROR = 0x40


class ErrorCause(enum.IntFlag):
    """Reply to ``DLE EOT 3``."""

    CUTTER = 0x08
    UNRECOVERABLE = 0x20
    AUTO_RECOVERABLE = 0x40


class PaperSensor(enum.IntFlag):
    """Reply to ``DLE EOT 4``: each condition is reported by two bits."""

    NEAR_END = 0x0C
    PAPER_END = 0x60


class PrinterState(enum.StrEnum):
    """What the kiosk needs to know, worst first when several apply."""

    NOT_ANSWERING = "not_answering"
    UNRECOVERABLE_ERROR = "unrecoverable_error"
    CUTTER_ERROR = "cutter_error"
    COVER_OPEN = "cover_open"
    PAPER_OUT = "paper_out"
    OFFLINE = "offline"
    PAPER_NEAR_END = "paper_near_end"
    READY = "ready"


PRINTABLE_STATES = frozenset({PrinterState.READY, PrinterState.PAPER_NEAR_END})


@dataclass(frozen=True)
class PrinterStatus:
    """One status reading. ``can_print`` follows from ``state``; ``raw`` is the four replies."""

    state: PrinterState
    detail: str
    raw: bytes = b""
    can_print: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "can_print", self.state in PRINTABLE_STATES)

    def as_json(self) -> dict[str, object]:
        return {
            "state": self.state.value,
            "can_print": self.can_print,
            "detail": self.detail,
            "raw": self.raw.hex(" "),
        }


def status_request(query: StatusQuery) -> bytes:
    """``DLE EOT n``."""
    return DLE + EOT + bytes([query])


def is_status_byte(value: int) -> bool:
    return 0 <= value <= 0xFF and value & FIXED_BITS_MASK == FIXED_BITS_VALUE


def not_answering(detail: str, raw: bytes = b"") -> PrinterStatus:
    return PrinterStatus(PrinterState.NOT_ANSWERING, detail, raw)


def interpret(replies: Mapping[StatusQuery, int]) -> PrinterStatus:
    """Turn the four replies into one state; a missing or malformed reply is not answering."""
    raw = bytes(replies[q] for q in StatusQuery if q in replies)
    for query in StatusQuery:
        if query not in replies:
            return not_answering(f"no reply to DLE EOT {query.value} ({query.name})", raw)
        if not is_status_byte(replies[query]):
            return not_answering(
                f"malformed reply 0x{replies[query]:02X} to DLE EOT {query.value} "
                f"({query.name}); expected bits 1 and 4 set, 0 and 7 clear",
                raw,
            )
    printer = PrinterFlag(replies[StatusQuery.PRINTER] & ~FIXED_BITS_VALUE & 0x7F)
    offline = OfflineCause(replies[StatusQuery.OFFLINE_CAUSE] & ~FIXED_BITS_VALUE & 0x7F)
    error = ErrorCause(replies[StatusQuery.ERROR_CAUSE] & ~FIXED_BITS_VALUE & 0x7F)
    paper = PaperSensor(replies[StatusQuery.PAPER_SENSOR] & ~FIXED_BITS_VALUE & 0x7F)
    # Worst first: the first rule that holds names the state.
    rules = (
        (
            ErrorCause.UNRECOVERABLE in error,
            PrinterState.UNRECOVERABLE_ERROR,
            "unrecoverable error: power-cycle the printer",
        ),
        (
            ErrorCause.CUTTER in error,
            PrinterState.CUTTER_ERROR,
            "autocutter error: clear the cutter",
        ),
        (
            OfflineCause.COVER_OPEN in offline,
            PrinterState.COVER_OPEN,
            "cover open: close the cover",
        ),
        (
            OfflineCause.PAPER_END_STOP in offline or bool(paper & PaperSensor.PAPER_END),
            PrinterState.PAPER_OUT,
            "paper out: load a new roll",
        ),
        (
            ErrorCause.AUTO_RECOVERABLE in error,
            PrinterState.OFFLINE,
            "auto-recoverable error (print head too hot?)",
        ),
        (
            PrinterFlag.OFFLINE in printer or OfflineCause.ERROR in offline,
            PrinterState.OFFLINE,
            "offline",
        ),
        (
            bool(paper & PaperSensor.NEAR_END),
            PrinterState.PAPER_NEAR_END,
            "paper near end: replace the roll soon",
        ),
    )
    for holds, state, detail in rules:
        if holds:
            return PrinterStatus(state, detail, raw)
    return PrinterStatus(PrinterState.READY, "ready", raw)


def reply_for(state: PrinterState, query: StatusQuery) -> int:
    """The byte a printer in this state answers to a query (used by the emulator and tests)."""
    value = FIXED_BITS_VALUE
    if query is StatusQuery.PRINTER and state not in PRINTABLE_STATES:
        value |= PrinterFlag.OFFLINE
    elif query is StatusQuery.OFFLINE_CAUSE:
        value |= {
            PrinterState.COVER_OPEN: OfflineCause.COVER_OPEN,
            PrinterState.PAPER_OUT: OfflineCause.PAPER_END_STOP,
            PrinterState.CUTTER_ERROR: OfflineCause.ERROR,
            PrinterState.UNRECOVERABLE_ERROR: OfflineCause.ERROR,
        }.get(state, 0)
    elif query is StatusQuery.ERROR_CAUSE:
        value |= {
            PrinterState.CUTTER_ERROR: ErrorCause.CUTTER,
            PrinterState.UNRECOVERABLE_ERROR: ErrorCause.UNRECOVERABLE,
        }.get(state, 0)
    elif query is StatusQuery.PAPER_SENSOR:
        value |= {
            PrinterState.PAPER_NEAR_END: PaperSensor.NEAR_END,
            PrinterState.PAPER_OUT: PaperSensor.NEAR_END | PaperSensor.PAPER_END,
        }.get(state, 0)
    return value
