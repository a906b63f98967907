"""A serial transport: bytes in and out of a pyserial ``serial_for_url`` port, with timeouts.

Any URL pyserial knows works: ``/dev/ttyUSB0``, a pty path, ``loop://``, ``socket://host:port``,
and ``emulator://DEVICE`` (an emulated device on a pty: ``drivers.emulators.urlhandler``, which
this module registers with pyserial on import).
Every call is bounded: reads wait at most their timeout, writes at most ``write_timeout_s``,
and ``open_with_retry`` tries a bounded number of times before a deadline.

Exception tree::

    TransportError
    ├── PortUnavailableError  the port cannot be opened (missing, busy, no permission)
    └── PortLostError         the open port failed (unplugged, closed under us, write timeout)
"""

from __future__ import annotations

import enum
import logging
import os
import termios
import threading
import time
from types import TracebackType

import serial

from drivers.backoff import Backoff
from drivers.emulators import urlhandler
from drivers.errors import DriverError

log = logging.getLogger("drivers.transport")

urlhandler.register()  # emulator:// opens like any URL: no driver special-cases it


class TransportError(DriverError):
    """Base of the transport's errors."""


class PortUnavailableError(TransportError):
    """The port cannot be opened."""


class PortLostError(TransportError):
    """The port was open and stopped working."""


class Parity(enum.Enum):
    NONE = serial.PARITY_NONE
    EVEN = serial.PARITY_EVEN
    ODD = serial.PARITY_ODD


def _is_pty(url: str) -> bool:
    return "://" not in url and os.path.realpath(url).startswith("/dev/pts/")


class SerialTransport:
    """One serial port; opened and reopened on request, never by surprise."""

    def __init__(
        self,
        url: str,
        *,
        baudrate: int = 9600,
        parity: Parity = Parity.NONE,
        timeout_s: float = 0.1,
        write_timeout_s: float = 1.0,
    ) -> None:
        self.url = url
        self.baudrate = baudrate
        self.parity = parity
        self.timeout_s = timeout_s
        self.write_timeout_s = write_timeout_s
        self._port: serial.SerialBase | None = None

    def __enter__(self) -> SerialTransport:
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
        return self._port is not None

    def open(self) -> None:
        """Open the port (input flushed); raise PortUnavailableError naming the URL and why."""
        if self._port is not None:
            return
        parity = self.parity
        if parity is not Parity.NONE and _is_pty(self.url):
            # A pty carries no parity bits, and some kernels refuse PARENB on one (EINVAL at
            # open or at the next reconfiguration): the emulated device is reached without it.
            log.debug("%s is a pty: parity %s not applied", self.url, parity.name)
            parity = Parity.NONE
        port = self._open_port(parity)
        self._port = port
        log.debug("opened %s at %d %s", self.url, self.baudrate, self.parity.name)

    def _open_port(self, parity: Parity) -> serial.SerialBase:
        options: dict[str, object] = {}
        if "://" not in self.url:
            options["exclusive"] = True  # a real device: a second process must not share it
        try:
            port: serial.SerialBase = serial.serial_for_url(
                self.url,
                baudrate=self.baudrate,
                bytesize=serial.EIGHTBITS,
                parity=parity.value,
                stopbits=serial.STOPBITS_ONE,
                timeout=self.timeout_s,
                write_timeout=self.write_timeout_s,
                **options,
            )
        except (serial.SerialException, OSError, ValueError, termios.error) as exc:
            raise PortUnavailableError(f"cannot open {self.url}: {exc}") from exc
        return port

    def open_with_retry(
        self,
        *,
        attempts: int,
        deadline_s: float,
        backoff_initial_s: float = 0.1,
        backoff_max_s: float = 2.0,
        stop: threading.Event | None = None,
    ) -> bool:
        """Try ``open`` up to ``attempts`` times within ``deadline_s``, backing off between tries.

        Return True once open, False when the attempts or the time ran out (or ``stop`` was set).
        """
        deadline = time.monotonic() + deadline_s
        backoff = Backoff(backoff_initial_s, backoff_max_s)
        for attempt in range(1, attempts + 1):
            try:
                self.open()
            except PortUnavailableError as exc:
                log.debug("attempt %d/%d: %s", attempt, attempts, exc)
            else:
                return True
            remaining = deadline - time.monotonic()
            if attempt == attempts or remaining <= 0:
                break
            pause = min(backoff.delay(attempt - 1), remaining)
            if stop is not None:
                if stop.wait(pause):
                    break
            else:
                time.sleep(pause)
        return False

    def close(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except (serial.SerialException, OSError, termios.error) as exc:
                log.debug("closing %s: %s", self.url, exc)

    def _require(self) -> serial.SerialBase:
        if self._port is None:
            raise PortLostError(f"{self.url} is not open")
        return self._port

    def write(self, data: bytes) -> None:
        """Write all of ``data`` or raise PortLostError."""
        port = self._require()
        try:
            port.write(data)
            port.flush()
        except (serial.SerialException, OSError, termios.error) as exc:
            self.close()
            raise PortLostError(f"{self.url}: write failed: {exc}") from exc

    def read(self, max_bytes: int = 4096, timeout_s: float | None = None) -> bytes:
        """Wait up to ``timeout_s`` (default: the transport's) for data; return what arrived.

        Returns b"" on timeout; once a byte arrives, also returns whatever else is already
        waiting, up to ``max_bytes``, without waiting longer.
        """
        port = self._require()
        wait = self.timeout_s if timeout_s is None else timeout_s
        try:
            if port.timeout != wait:
                port.timeout = wait
            first: bytes = port.read(1)
            if not first:
                return b""
            waiting: int = min(port.in_waiting, max_bytes - 1)
            rest: bytes = port.read(waiting) if waiting > 0 else b""
            return first + rest
        except (serial.SerialException, OSError, termios.error) as exc:
            self.close()
            raise PortLostError(f"{self.url}: read failed: {exc}") from exc

    def flush_input(self) -> None:
        """Drop whatever the device sent that nobody read."""
        port = self._require()
        try:
            port.reset_input_buffer()
        except (serial.SerialException, OSError, termios.error) as exc:
            self.close()
            raise PortLostError(f"{self.url}: flush failed: {exc}") from exc
