"""The scanner host: one reader thread that owns the port, decodes lines and reports events.

A scanner only talks: the host never writes to it. The reader thread opens the port (a round
of at most ``connect_attempts`` opens before ``connect_deadline_s``), drops what was waiting,
reports ``Connected``, then reads with a short timeout so that ``stop()`` is seen within
``read_timeout_s``. A port error (the scanner unplugged) reports ``Disconnected`` once and
starts rounds again, ``reconnect_backoff_initial_s`` doubling up to
``reconnect_backoff_max_s`` between failed rounds, until the port opens, ``stop()``, or
``max_reconnect_rounds`` failed rounds in a row (``GaveUp``; None: until stop(), so a
replugged scanner comes back).

Events and their order: ``drivers.scanner.api``. Bytes to frames: ``drivers.scanner.codec``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from drivers.backoff import Backoff
from drivers.scanner.api import (
    Connected,
    Disconnected,
    EventSink,
    GaveUp,
    Scanned,
    ScannerEvent,
    ScanRefused,
)
from drivers.scanner.codec import Code, CodecSettings, Frame, ScanDecoder, Terminator
from drivers.scanner.errors import ScannerSettingError, ScannerStateError
from drivers.transport import PortLostError, SerialTransport

log = logging.getLogger("drivers.scanner")

READ_CHUNK = 4096
STOP_JOIN_S = 10.0


@dataclass(frozen=True)
class ScannerHostSettings:
    read_timeout_s: float = 0.1  # one read's wait: how soon stop() and a frame gap are seen
    frame_gap_s: float = 0.5  # an unfinished frame silent this long is dropped (INCOMPLETE)
    connect_attempts: int = 3  # port opens per round
    connect_deadline_s: float = 3.0  # per round
    reconnect_backoff_initial_s: float = 0.5
    reconnect_backoff_max_s: float = 5.0
    max_reconnect_rounds: int | None = None  # failed rounds in a row before GaveUp
    start_timeout_s: float = 3.0  # start() returns after Connected, Disconnected or this

    def __post_init__(self) -> None:
        if not 0.005 <= self.read_timeout_s <= 5:
            raise ScannerSettingError(f"read_timeout_s {self.read_timeout_s} is not in 0.005..5")
        if not self.read_timeout_s <= self.frame_gap_s <= 60:
            raise ScannerSettingError(
                f"frame_gap_s {self.frame_gap_s} is not in read_timeout_s..60"
            )
        if self.connect_attempts < 1 or self.connect_deadline_s <= 0:
            raise ScannerSettingError("connect_attempts must be >= 1, connect_deadline_s > 0")
        if self.max_reconnect_rounds is not None and self.max_reconnect_rounds < 1:
            raise ScannerSettingError("max_reconnect_rounds must be >= 1 (or None: until stop)")
        if not 0 <= self.start_timeout_s <= 60:
            raise ScannerSettingError(f"start_timeout_s {self.start_timeout_s} is not in 0..60")
        try:
            Backoff(self.reconnect_backoff_initial_s, self.reconnect_backoff_max_s)
        except ValueError as exc:
            raise ScannerSettingError(f"reconnect backoff: {exc}") from exc


class ScannerHost:
    """A code scanner on a serial transport; ``start()`` it, ``stop()`` it, read its events."""

    def __init__(
        self,
        transport: SerialTransport,
        *,
        on_event: EventSink,
        codec: CodecSettings | None = None,
        settings: ScannerHostSettings | None = None,
    ) -> None:
        self.codec = codec or CodecSettings()
        self.settings = settings or ScannerHostSettings()
        self._backoff = Backoff(
            self.settings.reconnect_backoff_initial_s, self.settings.reconnect_backoff_max_s
        )
        self._transport = transport
        self._on_event = on_event
        self._counters: Counter[str] = Counter()
        self._stopping = threading.Event()
        self._first_outcome = threading.Event()
        self._thread: threading.Thread | None = None
        # reader-thread state
        self._decoder = ScanDecoder(self.codec)
        self._linked = False
        self._disconnected_reported = False
        self._terminator_warned = False

    # ---- the interface (any thread) -------------------------------------------------

    @property
    def url(self) -> str:
        return self._transport.url

    @property
    def connected(self) -> bool:
        """True while the port is open."""
        return self._linked

    @property
    def running(self) -> bool:
        """True from start() until stop(), or until the host gave up."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def counters(self) -> Mapping[str, int]:
        """scans, refused_<reason>, connects, disconnects, errors in on_event, line endings."""
        counters = dict(self._counters)  # one C-level copy each: safe beside the reader
        endings = dict(self._decoder.endings)
        counters.update({f"ended_{k}": v for k, v in endings.items()})
        return counters

    def start(self) -> None:
        """Start the reader; return once the port opened or failed (at most start_timeout_s)."""
        if self._thread is not None or self._stopping.is_set():
            raise ScannerStateError("a scanner host starts once; make a new one to start again")
        self._thread = threading.Thread(target=self._run, name="scanner-read", daemon=True)
        self._thread.start()
        if not self._first_outcome.wait(self.settings.start_timeout_s):
            log.warning(
                "%s: not open within %.1f s; still trying in the background",
                self.url,
                self.settings.start_timeout_s,
            )

    def stop(self) -> None:
        """Stop the reader and close the port; safe to call twice, or without start()."""
        self._stopping.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout=STOP_JOIN_S)
            if thread.is_alive():
                log.error("%s: reader thread did not stop within %.0f s", self.url, STOP_JOIN_S)
        self._transport.close()
        self._linked = False

    # ---- the reader thread ------------------------------------------------------------

    def _run(self) -> None:
        failed_rounds = 0
        try:
            while not self._stopping.is_set():
                if self._connect_round():
                    failed_rounds = 0
                    self._read_until_lost()
                    continue
                failed_rounds += 1
                limit = self.settings.max_reconnect_rounds
                if limit is not None and failed_rounds >= limit:
                    reason = f"{self.url}: not open after {failed_rounds} rounds of attempts"
                    log.error("%s; giving up", reason)
                    self._emit(GaveUp(reason))
                    return
                self._stopping.wait(self._backoff.delay(failed_rounds - 1))
        finally:
            self._linked = False
            self._transport.close()
            self._first_outcome.set()

    def _connect_round(self) -> bool:
        self._transport.close()
        settings = self.settings
        opened = self._transport.open_with_retry(
            attempts=settings.connect_attempts,
            deadline_s=settings.connect_deadline_s,
            backoff_initial_s=min(0.1, settings.reconnect_backoff_initial_s),
            backoff_max_s=settings.reconnect_backoff_max_s,
            stop=self._stopping,
        )
        if opened:
            try:
                self._transport.flush_input()  # scanned while nobody listened: no one's code
            except PortLostError as exc:
                self._report_disconnected(str(exc))
                return False
        if self._stopping.is_set():
            return False
        if not opened:
            self._report_disconnected(f"cannot open {self.url}")
            return False
        self._decoder = ScanDecoder(self.codec, endings=self._decoder.endings)
        self._linked = True
        self._disconnected_reported = False
        self._counters["connects"] += 1
        log.info("%s: scanner port open", self.url)
        self._emit(Connected(self.url))
        self._first_outcome.set()
        return True

    def _read_until_lost(self) -> None:
        last_byte = time.monotonic()
        while not self._stopping.is_set():
            try:
                data = self._transport.read(READ_CHUNK, timeout_s=self.settings.read_timeout_s)
            except PortLostError as exc:
                self._linked = False
                self._decoder.flush()  # half a code from a scanner pulled out: nobody's
                self._report_disconnected(str(exc))
                return
            now = time.monotonic()
            if data:
                last_byte = now
                for frame in self._decoder.feed(data):
                    self._deliver(frame)
                self._check_terminator()
            elif self._decoder.pending and now - last_byte >= self.settings.frame_gap_s:
                refusal = self._decoder.flush()
                if refusal is not None:
                    self._deliver(refusal)

    def _deliver(self, frame: Frame) -> None:
        if isinstance(frame, Code):
            self._counters["scans"] += 1
            self._emit(Scanned(frame.text))
        else:
            self._counters[f"refused_{frame.reason.value}"] += 1
            log.info("%s: scan refused: %s, %d bytes", self.url, frame.reason.value, frame.length)
            self._emit(ScanRefused(frame.reason, frame.length))

    def _check_terminator(self) -> None:
        expected = self.codec.terminator
        if expected is Terminator.ANY or self._terminator_warned:
            return
        others = {k: v for k, v in self._decoder.endings.items() if k != expected.value and v}
        if others:
            self._terminator_warned = True
            log.warning(
                "%s: the scanner ends codes with %s, the config says %s; they are read "
                "either way: set the scanner or the config to match",
                self.url,
                ", ".join(sorted(others)),
                expected.value,
            )

    def _report_disconnected(self, reason: str) -> None:
        if not self._disconnected_reported:
            self._disconnected_reported = True
            self._counters["disconnects"] += 1
            log.warning("%s: scanner disconnected: %s", self.url, reason)
            self._emit(Disconnected(reason))
        self._first_outcome.set()

    def _emit(self, event: ScannerEvent) -> None:
        if event.at == 0.0:
            object.__setattr__(event, "at", time.monotonic())  # frozen: stamped once, here
        try:
            self._on_event(event)
        except Exception:  # the receiver's bug must not stop the scanner
            self._counters["sink_errors"] += 1
            log.exception("on_event(%r) failed", event)
