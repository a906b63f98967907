"""Bytes from a scanner in, scanned codes out: line framing, prefix and suffix, and refusals.

A scanner in serial (or USB CDC) mode sends each code as it read it, followed by its terminator:
CR, LF or CR LF, whichever the scanner was set to (a setting scanned from its manual). Every CR
or LF ends a frame, whatever the configured terminator, since neither can be part of a code: a
replaced scanner with another setting still works, and the frames it ended differently are
counted (``endings``) for the host to warn about. A LF right after a CR belongs to that CR (CR LF
counts once), also when the two arrive in different reads. A blank line is ignored.

A frame is refused, never passed on, when

- it holds a byte that is not printable ASCII (0x20..0x7E): binary noise, a scanner set to
  another interface, a baud-rate mismatch;
- it grows beyond ``max_length`` (plus prefix and suffix) before its terminator: the bytes are
  discarded as they come, up to the next terminator, so garbage without a terminator cannot
  fill the memory;
- a configured prefix or suffix is missing (the frame is not what the scanner was set to send).

``ScanDecoder.feed(bytes)`` is the whole interface: deterministic, no I/O, no clock; tested from
byte fixtures. The host drops a frame left unfinished for too long with ``flush()``.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field

from drivers.scanner.errors import ScannerSettingError

CR = 0x0D
LF = 0x0A
PRINTABLE = range(0x20, 0x7F)
MAX_LENGTH_LIMIT = 4096


class Terminator(enum.Enum):
    """What the scanner ends a code with. ANY is a decoder setting only: CR, LF or CR LF."""

    ANY = "any"
    CR = "cr"
    LF = "lf"
    CRLF = "crlf"

    @property
    def wire(self) -> bytes:
        """The bytes a scanner set this way sends (ANY: CR, the common factory setting)."""
        return {"any": b"\r", "cr": b"\r", "lf": b"\n", "crlf": b"\r\n"}[self.value]


class RefusalReason(enum.Enum):
    NOT_PRINTABLE = "not_printable"
    TOO_LONG = "too_long"
    NO_PREFIX = "no_prefix"
    NO_SUFFIX = "no_suffix"
    INCOMPLETE = "incomplete"  # no terminator came (flushed by the host after a silence)


@dataclass(frozen=True, repr=False)
class Code:
    """A scanned code, prefix and suffix stripped. Its text is a credential: not in its repr."""

    text: str

    def __repr__(self) -> str:
        return f"Code(<{len(self.text)} characters>)"


@dataclass(frozen=True)
class Refusal:
    """A frame thrown away; ``length`` is how many bytes it had (terminator not counted)."""

    reason: RefusalReason
    length: int


Frame = Code | Refusal


def _printable_ascii(text: str) -> bool:
    return all(ord(c) in PRINTABLE for c in text)


@dataclass(frozen=True)
class CodecSettings:
    terminator: Terminator = Terminator.ANY
    prefix: str = ""  # printable ASCII the scanner sends before each code
    suffix: str = ""  # ... and after it, before the terminator
    max_length: int = 64  # of the code itself; the payment codes are at most 24

    def __post_init__(self) -> None:
        if not 1 <= self.max_length <= MAX_LENGTH_LIMIT:
            raise ScannerSettingError(
                f"max_length {self.max_length} is not in 1..{MAX_LENGTH_LIMIT}"
            )
        for name, affix in (("prefix", self.prefix), ("suffix", self.suffix)):
            if not _printable_ascii(affix):
                raise ScannerSettingError(
                    f"{name} {affix!r} must be printable ASCII (no CR, LF, tabs)"
                )

    @property
    def frame_limit(self) -> int:
        """The longest frame (prefix + code + suffix) that is not refused as too long."""
        return self.max_length + len(self.prefix) + len(self.suffix)


@dataclass
class ScanDecoder:
    """Feed it bytes as they arrive; it returns the frames they complete, in order."""

    settings: CodecSettings = field(default_factory=CodecSettings)
    # frames ended by "cr", "lf", "crlf" (blank lines not counted)
    endings: Counter[str] = field(default_factory=Counter)
    _buffer: bytearray = field(default_factory=bytearray)
    _discarding: RefusalReason | None = None
    _discarded: int = 0
    _after_cr: bool = False  # the last byte was a CR that ended a frame: a LF now is its pair

    @property
    def pending(self) -> int:
        """Bytes of an unfinished frame (kept or being discarded)."""
        return len(self._buffer) + self._discarded

    def feed(self, data: bytes) -> list[Frame]:
        frames: list[Frame] = []
        for byte in data:
            if byte == LF and self._after_cr:
                self._after_cr = False
                if self.endings["cr"] > 0:
                    self.endings["cr"] -= 1
                    self.endings["crlf"] += 1
                continue
            self._after_cr = False
            if byte in (CR, LF):
                frame = self._end_frame()
                if frame is not None:
                    frames.append(frame)
                    self.endings["cr" if byte == CR else "lf"] += 1
                    self._after_cr = byte == CR
                continue
            if self._discarding is not None:
                self._discarded += 1
            elif byte not in PRINTABLE:
                self._discard(RefusalReason.NOT_PRINTABLE, extra=1)
            else:
                self._buffer.append(byte)
                if len(self._buffer) > self.settings.frame_limit:
                    self._discard(RefusalReason.TOO_LONG, extra=0)
        return frames

    def flush(self) -> Refusal | None:
        """Drop an unfinished frame: a Refusal (INCOMPLETE, or why it was being discarded)."""
        self._after_cr = False
        if self._discarding is None and not self._buffer:
            return None
        reason = self._discarding or RefusalReason.INCOMPLETE
        refusal = Refusal(reason, self.pending)
        self._reset()
        return refusal

    def _discard(self, reason: RefusalReason, *, extra: int) -> None:
        self._discarding = reason
        self._discarded = len(self._buffer) + extra
        self._buffer.clear()

    def _reset(self) -> None:
        self._buffer.clear()
        self._discarding = None
        self._discarded = 0

    def _end_frame(self) -> Frame | None:
        if self._discarding is not None:
            refusal = Refusal(self._discarding, self._discarded)
            self._reset()
            return refusal
        if not self._buffer:
            return None  # a blank line
        raw = self._buffer.decode("ascii")  # printable ASCII only, checked byte by byte
        self._reset()
        prefix, suffix = self.settings.prefix, self.settings.suffix
        if not raw.startswith(prefix):
            return Refusal(RefusalReason.NO_PREFIX, len(raw))
        body = raw[len(prefix) :]
        if not body.endswith(suffix):
            return Refusal(RefusalReason.NO_SUFFIX, len(raw))
        return Code(body[: len(body) - len(suffix)])
