"""A payment-code scanner on a pseudo-terminal, scripted through its control socket.

A scanner in serial mode only talks: each code it reads goes out as prefix + code + suffix +
terminator, in one write, as a real scanner sends a line at once. ``unplug`` closes the pty
(the host's port fails, as when the USB cable is pulled) and ``replug`` makes a new one, at the
same path when a ``link`` was given (what a udev rule such as ``/dev/kiosk-scanner`` gives a
real scanner). ``noise`` sends raw bytes: a scanner set to another baud rate, a bad cable.

Control (``kiosk emulate ctl <socket> scan 134567890123456789``): ``scan CODE``, ``unplug``,
``replug``, ``noise HEX``, ``status``, ``help``. Answers never carry a scanned code.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from drivers.emulators.control import CommandTable, ControlServer
from drivers.emulators.device_emulator import DeviceEmulator
from drivers.emulators.errors import CommandError, PtyClosedError
from drivers.emulators.pty_device import PtyDevice
from drivers.scanner.codec import PRINTABLE, Terminator

log = logging.getLogger("drivers.emulators.scanner")

MAX_NOISE_BYTES = 4096


def parse_hex(text: str) -> bytes:
    """Bytes as hex digits, e.g. ``00ff0d`` (what ``noise`` takes)."""
    data = bytes.fromhex(text)
    if not data or len(data) > MAX_NOISE_BYTES:
        raise ValueError(f"give 1 to {MAX_NOISE_BYTES} bytes as hex digits, e.g. 00ff0d")
    return data


class ScannerEmulator(DeviceEmulator):
    """A scanner on a pty; ``start()`` returns the path a host opens."""

    def __init__(
        self,
        *,
        terminator: Terminator = Terminator.CR,
        prefix: str = "",
        suffix: str = "",
        link: Path | None = None,
        control_path: Path | None = None,
    ) -> None:
        if terminator is Terminator.ANY:
            raise CommandError("a scanner sends cr, lf or crlf; 'any' is for the host")
        for name, affix in (("prefix", prefix), ("suffix", suffix)):
            if not all(ord(c) in PRINTABLE for c in affix):
                raise CommandError(f"{name} {affix!r} must be printable ASCII")
        self.terminator = terminator
        self.prefix = prefix
        self.suffix = suffix
        self._pty = PtyDevice(link)
        self._control = ControlServer(self._command_table(), control_path)
        self._lock = threading.Lock()
        self.scans = 0
        self.noise_bytes = 0
        self.dropped_bytes = 0  # not taken by the pty (nobody reading, buffer full)

    # --- life cycle ------------------------------------------------------------------------

    def start(self) -> str:
        path = self._pty.open()
        self._control.start()
        log.info("scanner emulator on %s, control %s", path, self.control_path)
        return path

    def stop(self) -> None:
        self._control.stop()
        self._pty.close()

    @property
    def plugged(self) -> bool:
        return self._pty.is_open

    # --- scripting -------------------------------------------------------------------------

    def scan(self, code: str) -> None:
        """Send one code the way the scanner is set up to (prefix, suffix, terminator)."""
        if not code or not all(ord(c) in PRINTABLE for c in code):
            raise CommandError("a code is printable ASCII (send other bytes with noise)")
        line = (self.prefix + code + self.suffix).encode("ascii") + self.terminator.wire
        with self._lock:
            self._send(line)
            self.scans += 1

    def noise(self, data: bytes) -> None:
        """Send raw bytes, as they are."""
        with self._lock:
            self._send(data)
            self.noise_bytes += len(data)

    def unplug(self) -> None:
        self._pty.close()
        log.info("scanner emulator unplugged")

    def replug(self) -> str:
        path = self._pty.open()
        log.info("scanner emulator plugged in at %s", path)
        return path

    def describe(self) -> dict[str, Any]:
        with self._lock:
            return {
                "plugged": self.plugged,
                "device": self.path if self.plugged else None,
                "terminator": self.terminator.value,
                "prefix": self.prefix,
                "suffix": self.suffix,
                "scans": self.scans,
                "noise_bytes": self.noise_bytes,
                "dropped_bytes": self.dropped_bytes,
            }

    def _send(self, data: bytes) -> None:
        try:
            written = self._pty.write(data)
        except PtyClosedError as exc:
            raise CommandError("the scanner is unplugged; replug it first") from exc
        self.dropped_bytes += len(data) - written

    def _command_table(self) -> CommandTable:
        table = CommandTable()

        def scan(code: str) -> dict[str, Any]:
            self.scan(code)
            return self.describe()

        def noise(data: bytes) -> dict[str, Any]:
            self.noise(data)
            return self.describe()

        def unplug() -> dict[str, Any]:
            self.unplug()
            return self.describe()

        def replug() -> dict[str, Any]:
            self.replug()
            return self.describe()

        table.add("scan", scan, ("code", str), help="send a code with prefix, suffix, terminator")
        table.add("noise", noise, ("hex", parse_hex), help="send raw bytes, e.g. noise 00ff0d")
        table.add("unplug", unplug, help="pull the cable: the pty closes")
        table.add("replug", replug, help="plug it back in (same path with --link)")
        table.add("status", self.describe, help="plugged, counters, settings")
        return table
