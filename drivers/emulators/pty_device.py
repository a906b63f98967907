"""A serial device on a pseudo-terminal: the emulator holds the master end, the host opens the path.

The slave end is switched to raw mode at once and kept open by the emulator, so nothing written
before the host opens the port is echoed or translated, and the master never sees EIO while the
host closes and reopens the port. Each new pty gets a new ``/dev/pts/N``; an optional symlink
(what a udev rule such as ``/dev/kiosk-cash`` gives a real device) keeps the path stable across
``close()`` (unplug) and ``open()`` (replug).

One thread reads and writes; ``close()`` may come from any thread (it waits for a read in
progress, which lasts at most its timeout).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import select
import threading
import tty
from pathlib import Path

from drivers.emulators.errors import PtyClosedError

log = logging.getLogger("drivers.emulators.pty")


class PtyDevice:
    """The device side of a pty pair; ``open()`` returns the path a host should open."""

    def __init__(self, link: Path | None = None) -> None:
        self._link = link
        self._master: int | None = None
        self._slave: int | None = None
        self._slave_path = ""
        self._lock = threading.Lock()

    @property
    def path(self) -> str:
        """The path for the host: the symlink when one was asked for, else the slave device."""
        return str(self._link) if self._link is not None else self._slave_path

    @property
    def is_open(self) -> bool:
        return self._master is not None

    def open(self) -> str:
        """Create the pty (plug the device in) and return its path."""
        with self._lock:
            if self._master is not None:
                return self.path
            master, slave = os.openpty()
            tty.setraw(slave)
            os.set_blocking(master, False)
            self._master, self._slave = master, slave
            self._slave_path = os.ttyname(slave)
            if self._link is not None:
                temporary = self._link.with_name(self._link.name + ".new")
                with contextlib.suppress(FileNotFoundError):
                    temporary.unlink()
                temporary.symlink_to(self._slave_path)
                temporary.replace(self._link)  # atomic: a host never sees a half-made link
            log.debug("pty open: %s -> %s", self.path, self._slave_path)
            return self.path

    def close(self) -> None:
        """Close both ends (unplug): a host with the port open sees the device vanish."""
        with self._lock:
            if self._master is None:
                return
            if self._link is not None:
                with contextlib.suppress(FileNotFoundError):
                    self._link.unlink()
            for fd in (self._master, self._slave):
                if fd is not None:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            self._master = self._slave = None
            log.debug("pty closed: %s", self._slave_path)

    def read(self, max_bytes: int = 4096, timeout_s: float = 0.05) -> bytes:
        """Return what the host sent, or b"" after ``timeout_s``; PtyClosedError when closed."""
        with self._lock:
            master = self._master
            if master is None:
                raise PtyClosedError(f"{self.path or 'pty'} is closed")
            ready, _, _ = select.select([master], [], [], timeout_s)
            if not ready:
                return b""
            try:
                return os.read(master, max_bytes)
            except BlockingIOError:
                return b""
            except OSError as exc:
                if exc.errno == errno.EIO:  # no slave open at all: nothing to read
                    return b""
                raise PtyClosedError(f"{self.path}: {exc}") from exc

    def write(self, data: bytes) -> int:
        """Send bytes to the host; like a UART with nobody listening, what does not fit is lost."""
        with self._lock:
            master = self._master
            if master is None:
                raise PtyClosedError(f"{self.path or 'pty'} is closed")
            try:
                written = os.write(master, data)
            except BlockingIOError:
                written = 0
            except OSError as exc:
                raise PtyClosedError(f"{self.path}: {exc}") from exc
            if written < len(data):
                dropped = len(data) - written
                log.warning("pty %s: %d of %d bytes dropped", self.path, dropped, len(data))
            return written
