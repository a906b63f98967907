"""What a scanner host reports: typed events through one ``on_event`` callback.

Events are delivered on the host's reader thread, in the order they happened; the receiver
must not block it for long (a scan is a line of bytes, and a slow receiver only delays the
next one: nothing is lost, the port buffers it). An exception from the receiver is logged
and the host goes on.

Delivery rules the core can rely on:

- ``Connected`` whenever the port has been opened: at start and after every ``Disconnected``.
  What the scanner sent while nobody listened is dropped on opening (a code scanned then
  belongs to no customer).
- ``Scanned`` once per code, prefix and suffix stripped, never empty of bytes it did not send:
  a frame with a non-printable byte, a frame longer than ``max_length``, a frame without its
  configured prefix or suffix, and a frame left without terminator for ``frame_gap_s`` come as
  ``ScanRefused`` (with the reason and length only).
- ``Disconnected`` once per loss of the port (unplugged, or it cannot be opened); rounds of
  opening attempts follow, with a capped backoff, until ``Connected``, ``stop()``, or
  ``max_reconnect_rounds`` failed rounds in a row, which end with ``GaveUp``.

A scanned code is a bearer credential: ``Scanned`` leaves it out of its repr, so logging the
event never logs the code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from drivers.scanner.codec import RefusalReason


@dataclass(frozen=True)
class ScannerEvent:
    """Base of every event; ``at`` is time.monotonic() when the host saw it."""

    at: float = field(default=0.0, compare=False, kw_only=True)


@dataclass(frozen=True, repr=False)
class Scanned(ScannerEvent):
    code: str  # printable ASCII, prefix and suffix stripped; may be "" (prefix + suffix only)

    def __repr__(self) -> str:
        return f"Scanned(<{len(self.code)} characters>)"


@dataclass(frozen=True)
class ScanRefused(ScannerEvent):
    """Bytes that were not a code; the screen may ask the customer to scan again."""

    reason: RefusalReason
    length: int


@dataclass(frozen=True)
class Connected(ScannerEvent):
    url: str


@dataclass(frozen=True)
class Disconnected(ScannerEvent):
    reason: str


@dataclass(frozen=True)
class GaveUp(ScannerEvent):
    """No more attempts to open the port (``max_reconnect_rounds`` used up); stop() to end."""

    reason: str


EventSink = Callable[[ScannerEvent], None]
