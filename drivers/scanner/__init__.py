"""Payment-code scanners: serial scanners, and USB scanners in their serial (CDC) mode.

Layers as for every device: ``codec`` is pure (bytes in, codes out, tested from byte fixtures);
``host.ScannerHost`` holds a serial transport (``drivers.transport``, any pyserial URL) and a
reader thread, and reports typed events (``api``) to one ``on_event`` callback.

``open_scanner("/dev/kiosk-scanner", on_event=..., terminator="crlf")`` builds a host; nothing is
opened before ``start()``. ``emulator://scanner`` (optionally ``?terminator=lf``) gives the host
its own emulated scanner on a pty, started and stopped with it (``kiosk emulate scanner`` runs
one on its own, scripted with ``kiosk emulate ctl SOCKET scan CODE``).

The driver decides nothing about payments: which provider a code belongs to, and how it may be
shown, is the kiosk's policy (``kiosk.paycode``).

Exception tree (under ``drivers.errors.DriverError``)::

    ScannerError (a DriverError, drivers/errors.py)
    ├── ScannerSettingError  an impossible setting (also a ValueError): a prefix with a control
    │                        byte, max_length 0, an unknown terminator or emulator option
    └── ScannerStateError    start() twice, or after stop()

Port errors (``drivers.transport.TransportError``) never leave the host: they become
``Disconnected`` events and reconnection rounds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

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

if TYPE_CHECKING:
    from drivers.emulators.scanner import ScannerEmulator

EMULATOR_URL = "emulator://scanner"

__all__ = [
    "EMULATOR_URL",
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
    host = ScannerHost(transport, on_event=on_event, codec=codec, settings=host_settings)
    if url.split("?", 1)[0] == EMULATOR_URL:
        emulator = _emulator(url, codec)
        host.own_device(emulator.start, emulator.stop)
    elif url.startswith("emulator://"):
        raise ScannerSettingError(f"{url}: the scanner emulator is {EMULATOR_URL}")
    return host


def _emulator(url: str, codec: CodecSettings) -> ScannerEmulator:
    """The emulator an ``emulator://scanner?terminator=cr`` URL asks for (prefix and suffix
    are the host's, so that what it sends is what the host expects)."""
    from drivers.emulators.scanner import ScannerEmulator  # the emulators import this package

    query = parse_qs(urlsplit(url).query)
    unknown = set(query) - {"terminator"}
    if unknown:
        raise ScannerSettingError(f"{url}: unknown emulator options {sorted(unknown)}")
    sent = codec.terminator
    if "terminator" in query:
        try:
            sent = Terminator(query["terminator"][0])
        except ValueError as exc:
            raise ScannerSettingError(f"{url}: terminator is cr, lf or crlf") from exc
    if sent is Terminator.ANY:
        sent = Terminator.CR
    return ScannerEmulator(terminator=sent, prefix=codec.prefix, suffix=codec.suffix)
