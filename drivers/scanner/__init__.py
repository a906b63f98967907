"""Payment-code scanners: serial scanners, and USB scanners in their serial (CDC) mode.

Layers as for every device: ``codec`` is pure (bytes in, codes out, tested from byte fixtures);
``host.ScannerHost`` holds a serial transport (``drivers.transport``, any pyserial URL) and a
reader thread, and reports typed events (``api``) to one ``on_event`` callback.

``open_scanner("/dev/kiosk-scanner", on_event=..., terminator="crlf")`` builds a host; nothing is
opened before ``start()``. The URL is any pyserial URL; ``emulator://scanner`` (optionally
``?terminator=lf&prefix=...&suffix=...``) is an emulated scanner, plugged in while the port is
open (``drivers.emulators.urlhandler``; ``kiosk emulate scanner`` runs one on its own, scripted
with ``kiosk emulate ctl SOCKET scan CODE``).

The driver decides nothing about payments: which provider a code belongs to, and how it may be
shown, is the kiosk's policy (``kiosk.paycode``).

Exception tree (under ``drivers.errors.DriverError``)::

    ScannerError (a DriverError, drivers/errors.py)
    ├── ScannerSettingError  an impossible setting (also a ValueError): a prefix with a control
    │                        byte, max_length 0, an unknown terminator
    └── ScannerStateError    start() twice, or after stop()

Port errors (``drivers.transport.TransportError``) never leave the host: they become
``Disconnected`` events and reconnection rounds.
"""

from __future__ import annotations

from typing import Any

from drivers.scanner.api import (
    Connected,
    Disconnected,
    EventSink,
    GaveUp,
    Scanned,
    ScannerEvent,
    ScanRefused,
)
from drivers.scanner.codec import (
    Code,
    CodecSettings,
    Refusal,
    RefusalReason,
    ScanDecoder,
    Terminator,
)
from drivers.scanner.errors import ScannerError, ScannerSettingError, ScannerStateError
from drivers.scanner.host import ScannerHost, ScannerHostSettings
from drivers.transport import SerialTransport

__all__ = [
    "Code",
    "CodecSettings",
    "Connected",
    "Disconnected",
    "EventSink",
    "GaveUp",
    "Refusal",
    "RefusalReason",
    "ScanDecoder",
    "ScanRefused",
    "Scanned",
    "ScannerError",
    "ScannerEvent",
    "ScannerHost",
    "ScannerHostSettings",
    "ScannerSettingError",
    "ScannerStateError",
    "Terminator",
    "open_scanner",
]


def open_scanner(
    url: str,
    *,
    on_event: EventSink,
    baudrate: int = 9600,
    terminator: Terminator | str = Terminator.ANY,
    prefix: str = "",
    suffix: str = "",
    max_length: int = 64,
    **settings: Any,
) -> ScannerHost:
    """A scanner host on ``url``; more ``ScannerHostSettings`` by name.

    Raises ScannerSettingError naming a wrong setting.
    """
    try:
        codec = CodecSettings(
            terminator=Terminator(terminator),
            prefix=prefix,
            suffix=suffix,
            max_length=max_length,
        )
    except ValueError as exc:
        raise ScannerSettingError(f"scanner: {exc}") from exc
    try:
        host_settings = ScannerHostSettings(**settings)
    except TypeError as exc:
        raise ScannerSettingError(f"unknown scanner setting: {exc}") from exc
    if baudrate <= 0:
        raise ScannerSettingError(f"baudrate {baudrate} must be positive")
    transport = SerialTransport(url, baudrate=baudrate, timeout_s=host_settings.read_timeout_s)
    return ScannerHost(transport, on_event=on_event, codec=codec, settings=host_settings)
