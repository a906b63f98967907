"""``emulator://DEVICE?OPTIONS``: an emulated device on a pty, plugged in while the port is open.

pyserial imports this module for the ``emulator`` scheme (``drivers.emulators.urlhandler``).
Opening the port starts the emulator on a new pty and opens its slave end as a serial port;
closing the port stops the emulator (unplugs it). A host that reopens the port after a failure
gets a freshly started device, as after a power cycle; ``state=FILE`` keeps the cassette.

Devices and their options (anything else is refused with a ValueError naming it)::

    ccnet, id003, ict   state=FILE (the cassette, kept across runs), bills=1000,2000 (fen)
    escpos (printer)    receipts=DIR (default: a new temporary directory, removed if unused),
                        columns=48, encoding=gbk
    scanner             terminator=cr|lf|crlf (default cr), prefix=TEXT, suffix=TEXT

``port.emulator`` is the running emulator (``control_path`` for ``kiosk emulate ctl``,
``scan``, ``insert``...), ``None`` while the port is closed.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

import serial

from drivers.emulators.cash import CashEmulator
from drivers.emulators.errors import EmulatorError
from drivers.emulators.printer_emulator import PrinterEmulator
from drivers.emulators.scanner import ScannerEmulator
from drivers.scanner.codec import Terminator

log = logging.getLogger("drivers.emulators.urlhandler")

SCHEME = "emulator"
CASH_DEVICES = ("ccnet", "id003", "ict")
PRINTER_DEVICES = ("escpos", "printer")
SCANNER_DEVICES = ("scanner",)
DEVICES = (*CASH_DEVICES, *PRINTER_DEVICES, *SCANNER_DEVICES)
OPTIONS = {
    **dict.fromkeys(CASH_DEVICES, ("state", "bills")),
    **dict.fromkeys(PRINTER_DEVICES, ("receipts", "columns", "encoding")),
    **dict.fromkeys(SCANNER_DEVICES, ("terminator", "prefix", "suffix")),
}


class Emulated(Protocol):
    """What this handler needs of an emulator: plug it in (its path), unplug it."""

    def start(self) -> str: ...

    def stop(self) -> None: ...


def emulator_for_url(url: str) -> Emulated:
    """The (not yet started) emulator ``url`` names; ValueError naming what is wrong."""
    parts = urlsplit(url)
    if parts.scheme.lower() != SCHEME:
        raise ValueError(f"{url}: not an {SCHEME}:// URL")
    device = parts.netloc.lower()
    if device not in DEVICES:
        raise ValueError(f"{url}: unknown emulated device {device!r}; use one of {DEVICES}")
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    unknown = sorted(set(query) - set(OPTIONS[device]))
    if unknown:
        raise ValueError(f"{url}: unknown emulator options {unknown}; use {OPTIONS[device]}")
    try:
        if device in CASH_DEVICES:
            return _cash(url, device, query)
        if device in PRINTER_DEVICES:
            return _printer(url, query)
        return _scanner(url, query)
    except EmulatorError as exc:
        raise ValueError(f"{url}: {exc}") from exc


def _cash(url: str, protocol: str, query: dict[str, str]) -> CashEmulator:
    options: dict[str, Any] = {}
    if "state" in query:
        options["state_file"] = Path(query["state"])
    if "bills" in query:
        try:
            options["bill_table_fen"] = tuple(int(b) for b in query["bills"].split(","))
        except ValueError as exc:
            raise ValueError(f"{url}: bills must be fen, e.g. bills=1000,2000") from exc
    return CashEmulator(protocol, **options)


class _PrinterInTemporaryDirectory(PrinterEmulator):
    """A printer whose receipts go to a directory of its own, removed at stop if still empty."""

    def stop(self) -> None:
        super().stop()
        with contextlib.suppress(OSError):  # not empty: receipts were printed, keep them
            self.out_dir.rmdir()


def _printer(url: str, query: dict[str, str]) -> PrinterEmulator:
    options: dict[str, Any] = {}
    if "columns" in query:
        try:
            options["columns"] = int(query["columns"])
        except ValueError as exc:
            raise ValueError(f"{url}: columns is a number, e.g. columns=48") from exc
    if "encoding" in query:
        options["encoding"] = query["encoding"]
    if "receipts" in query:
        return PrinterEmulator(Path(query["receipts"]), **options)
    out_dir = Path(tempfile.mkdtemp(prefix="kiosk-receipts-"))
    return _PrinterInTemporaryDirectory(out_dir, **options)


def _scanner(url: str, query: dict[str, str]) -> ScannerEmulator:
    try:
        terminator = Terminator(query.get("terminator", Terminator.CR.value))
    except ValueError as exc:
        raise ValueError(f"{url}: terminator is cr, lf or crlf") from exc
    prefix, suffix = query.get("prefix", ""), query.get("suffix", "")
    return ScannerEmulator(terminator=terminator, prefix=prefix, suffix=suffix)


class Serial(serial.Serial):  # type: ignore[misc]  # pyserial has no type hints
    """The slave end of an emulator's pty, the emulator started by ``open`` and stopped by
    ``close``. Parity is never applied: a pty carries no parity bits, and some kernels refuse
    PARENB on one (the same reason ``drivers.transport`` drops it on a pty path)."""

    _port: str | None  # pyserial's: the URL, or while opening the pty's path
    _parity: str

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.emulator: Emulated | None = None
        super().__init__(*args, **kwargs)

    def open(self) -> None:
        url = self._port
        if url is None:
            raise serial.SerialException("Port must be configured before it can be used.")
        emulator = emulator_for_url(url)
        path = emulator.start()
        self._port = self.portstr = path  # what the POSIX port opens; the URL stays its name
        try:
            super().open()
        except BaseException:
            emulator.stop()
            raise
        finally:
            self._port = self.portstr = url
        self.emulator = emulator
        log.debug("%s: emulated on %s", url, path)

    def close(self) -> None:
        try:
            super().close()
        finally:
            emulator, self.emulator = self.emulator, None
            if emulator is not None:
                emulator.stop()

    def _reconfigure_port(self, force_update: bool = False) -> None:
        wanted, self._parity = self._parity, serial.PARITY_NONE
        try:
            super()._reconfigure_port(force_update)
        finally:
            self._parity = wanted
