"""The receipt printer host: one serial port, real-time status, whole jobs in one write.

Status is read with ``DLE EOT 1..4`` and a short timeout per query; the first query left
unanswered ends the reading (not answering), so a silent printer costs one timeout, not four.
A job is written in one call, then the status is read again: a fault that shows up while the
job goes out (paper out, cover opened) is reported as a possibly incomplete receipt.
"""

from __future__ import annotations

import logging
import termios
import threading
import time
from types import TracebackType

from drivers.printer.errors import (
    JobTooLargeError,
    PrinterNotReadyError,
    PrinterUnavailableError,
    PrintIncompleteError,
)
from drivers.printer.status import (
    PrinterStatus,
    StatusQuery,
    interpret,
    not_answering,
    status_request,
)
from drivers.printer.text import PrinterEncoding
from drivers.transport import SerialTransport, TransportError

log = logging.getLogger("drivers.printer")

# A receipt is about 1 KB; a job many times that is a mistake (a raster image, a loop).
MAX_JOB_BYTES = 16 * 1024
BITS_PER_BYTE = 10  # 8N1: start + 8 data + stop
# Slack over the wire time of the largest job before a write counts as stalled.
WRITE_SLACK_S = 2.0


def wire_time_s(size: int, baudrate: int) -> float:
    """Seconds that ``size`` bytes take on a serial line (8N1)."""
    return size * BITS_PER_BYTE / baudrate


class ReceiptPrinter:
    """An ESC/POS receipt printer on a serial URL (a device path, a pty, ``socket://``).

    ``encoding`` and ``has_cutter`` describe the printer for whoever renders its jobs; they
    come from the kiosk's config, not from a python-escpos profile.
    """

    def __init__(
        self,
        url: str,
        *,
        baudrate: int = 9600,
        encoding: str = "gbk",
        has_cutter: bool = True,
        status_timeout_s: float = 0.3,
    ) -> None:
        if not 0.01 <= status_timeout_s <= 5:
            raise ValueError(f"status_timeout_s {status_timeout_s} is outside 0.01..5 seconds")
        if baudrate <= 0:
            raise ValueError(f"baudrate {baudrate} must be positive")
        self.url = url
        self.baudrate = baudrate
        self.encoding = PrinterEncoding(encoding)
        self.has_cutter = has_cutter
        self.status_timeout_s = status_timeout_s
        self._transport = SerialTransport(
            url,
            baudrate=baudrate,
            timeout_s=status_timeout_s,
            write_timeout_s=wire_time_s(MAX_JOB_BYTES, baudrate) + WRITE_SLACK_S,
        )
        self._lock = threading.Lock()

    def __enter__(self) -> ReceiptPrinter:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def is_open(self) -> bool:
        return self._transport.is_open

    def open(self) -> None:
        """Open the port; raise PrinterUnavailableError naming the URL and the reason."""
        with self._lock:
            try:
                self._transport.open()
            except TransportError as exc:
                raise PrinterUnavailableError(str(exc)) from exc

    def close(self) -> None:
        with self._lock:
            self._transport.close()

    def status(self) -> PrinterStatus:
        """Query ``DLE EOT 1..4``; never raises, never waits more than 4 status timeouts."""
        with self._lock:
            return self._status()

    def _status(self) -> PrinterStatus:
        if not self._transport.is_open:
            # A printer unplugged and plugged back (or not there at start) is reopened on
            # the next status check: one bounded attempt, never a loop.
            try:
                self._transport.open()
            except TransportError as exc:
                return not_answering(f"{self.url} cannot be opened: {exc}")
        replies: dict[StatusQuery, int] = {}
        try:
            for query in StatusQuery:
                # A late reply to an earlier query must not pass for this one.
                self._transport.flush_input()
                self._transport.write(status_request(query))
                reply = self._transport.read(1, timeout_s=self.status_timeout_s)
                if not reply:
                    break
                replies[query] = reply[0]
        except (TransportError, termios.error) as exc:
            # termios.error: the transport lets it through from tcflush on a vanished pty
            return not_answering(f"{self.url}: {exc}")
        status = interpret(replies)
        log.debug("status %s (%s) raw %s", status.state, status.detail, status.raw.hex(" "))
        return status

    def print_job(self, data: bytes) -> PrinterStatus:
        """Check the status, send the whole job in one write, check again; return the status.

        Raises PrinterNotReadyError (nothing sent) or PrintIncompleteError (sent, then a fault),
        PrinterUnavailableError when the port fails, JobTooLargeError for an oversized job.
        """
        if len(data) > MAX_JOB_BYTES:
            raise JobTooLargeError(f"a job of {len(data)} bytes is over {MAX_JOB_BYTES}")
        with self._lock:
            before = self._status()
            if not before.can_print:
                raise PrinterNotReadyError(
                    f"printer at {self.url} cannot print: {before.detail}", before
                )
            started = time.monotonic()
            try:
                self._transport.write(data)
            except (TransportError, termios.error) as exc:
                raise PrinterUnavailableError(f"sending the job failed: {exc}") from exc
            log.info(
                "sent %d bytes in %.3f s (wire time at %d baud: %.3f s)",
                len(data),
                time.monotonic() - started,
                self.baudrate,
                wire_time_s(len(data), self.baudrate),
            )
            after = self._status()
        if not after.can_print:
            raise PrintIncompleteError(
                f"printer at {self.url} reported {after.state} after the job: the receipt may "
                f"be incomplete ({after.detail})",
                after,
            )
        return after
