"""The central server's time, as this kiosk best knows it: its own wall clock plus an offset.

The kiosk signs every request with a timestamp the server refuses when it is more than
300 s from its own clock, stamps payments with the time they were taken, and prints that time
on receipts. The operating system keeps the real clock (systemd-timesyncd or chrony, see
docs/deployment.md); this module is what the kiosk does when that failed: every answer from
the central server says what time it is there, and the kiosk keeps the difference.

Each answer gives an *interval* for the offset (server minus kiosk), not a point:

* the server's time is somewhere in the round trip: after the request was sent, before the
  answer arrived, so a time ``T`` seen in an answer says the offset is between
  ``T - received`` and ``T - sent``;
* the HTTP ``Date`` header has whole seconds (cut, not rounded), and a server may reuse it
  for a while (uvicorn refreshes its copy once a second), so it widens that interval by two
  seconds on the late side; the heartbeat's ``server_time`` has microseconds and is written
  while the request is being handled.

The estimate is kept while it lies inside each new interval (with a small slack), and moves to
the new interval's midpoint only when it falls outside: a kiosk whose clock is right within a
second reports the same offset from one answer to the next instead of flapping between two
values, while a clock that steps (chrony finally synchronises, someone sets the BIOS clock) is
followed at the next answer. Once the server has written its own time in an answer, a ``Date``
header (which a reverse proxy may write from its own clock) moves the estimate only when it
disagrees by more than a few seconds.

Times are read from injected clocks so tests need no sleeping: ``wall`` is the kiosk's wall
clock (unix seconds; what a wrong clock gets wrong) and ``monotonic`` measures round trips.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

DATE_RESOLUTION_S = 1.0  # the HTTP Date header has whole seconds...
DATE_REUSED_S = 1.0  # ...and uvicorn refreshes the one it sends once a second
SLACK_S = 0.05  # the kiosk's clocks are read a little after sending, before receiving
# Once the server has written its own time in an answer, a Date header must disagree by more
# than this to move the estimate: a reverse proxy's Date comes from another clock, and the two
# must not pull the estimate to and fro. A real step of the kiosk's clock is larger.
DATE_AFTER_SERVER_TIME_SLACK_S = 5.0
WARN_OFFSET_S = 60.0  # past this the maintenance status warns: the OS clock is not kept


@dataclass(frozen=True)
class Exchange:
    """One request's round trip, read from the kiosk's clocks when it went and came back."""

    sent_monotonic: float
    received_monotonic: float
    received_wall: float

    @property
    def sent_wall(self) -> float:
        # from the monotonic round trip, so a wall clock step mid-request cannot widen it
        return self.received_wall - max(0.0, self.received_monotonic - self.sent_monotonic)


class ServerClock:
    """The offset between the kiosk's wall clock and the central server's, kept from answers.

    Thread safe: the outbox, the heartbeat and the UI's calls all report what they saw.
    """

    def __init__(
        self,
        *,
        wall: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._wall = wall
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._offset_s: float | None = None
        self._had_server_time = False
        self.samples = 0

    # ---------------------------------------------------------------- reading
    @property
    def offset_s(self) -> float | None:
        """Server time minus kiosk time, in seconds; None until the server has answered once."""
        with self._lock:
            return self._offset_s

    def clock_offset_s(self) -> int | None:
        """How far the kiosk's clock is *ahead* of the server's (kiosk minus server), in whole
        seconds: what the status, the snapshot and the heartbeat report as ``clock_offset_s``
        (the fleet console's sign: +3600 is a kiosk an hour fast). None until known."""
        offset = self.offset_s
        return None if offset is None else -round(offset)

    def needs_warning(self) -> bool:
        """True when the kiosk's own clock is off by more than ``WARN_OFFSET_S``."""
        offset = self.offset_s
        return offset is not None and abs(offset) > WARN_OFFSET_S

    def now(self) -> float:
        """Unix seconds by the server's clock (the kiosk's own while nothing is known)."""
        return self._wall() + (self.offset_s or 0.0)

    def now_utc(self) -> datetime:
        """``now()`` as an aware UTC datetime: what receipts and journal stamps should use."""
        return datetime.fromtimestamp(self.now(), UTC)

    def journal_stamp(self) -> str:
        """``now_utc()`` in the journal's format (ISO 8601, milliseconds, UTC)."""
        return self.now_utc().isoformat(timespec="milliseconds")

    # ---------------------------------------------------------------- learning
    def begin(self) -> float:
        """Call when a request is sent; hand the result to ``finish``."""
        return self._monotonic()

    def finish(self, sent_monotonic: float) -> Exchange:
        """Call when its answer arrived."""
        return Exchange(sent_monotonic, self._monotonic(), self._wall())

    def observe_date_header(self, exchange: Exchange, value: str | None) -> bool:
        """Learn from an answer's ``Date`` header; False when it is missing or unreadable."""
        if not value:
            return False
        try:
            stamped = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return False
        if stamped.tzinfo is None:
            return False
        with self._lock:
            slack = DATE_AFTER_SERVER_TIME_SLACK_S if self._had_server_time else SLACK_S
        self.observe(
            exchange,
            stamped.timestamp(),
            resolution_s=DATE_RESOLUTION_S + DATE_REUSED_S,
            slack_s=slack,
        )
        return True

    def observe_server_time(self, exchange: Exchange, server_time: datetime) -> None:
        """Learn from a time the server wrote in its answer (heartbeat, ping, a clock_skew 401)."""
        with self._lock:
            self._had_server_time = True
        self.observe(exchange, server_time.timestamp(), resolution_s=0.0)

    def observe(
        self, exchange: Exchange, server_s: float, *, resolution_s: float, slack_s: float = SLACK_S
    ) -> None:
        """The server said it was ``server_s`` (cut to ``resolution_s``) during ``exchange``."""
        low = server_s - exchange.received_wall - slack_s
        high = server_s + resolution_s - exchange.sent_wall + slack_s
        with self._lock:
            self.samples += 1
            if self._offset_s is None or not low <= self._offset_s <= high:
                self._offset_s = (low + high) / 2
