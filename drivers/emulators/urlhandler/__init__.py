"""pyserial URL handlers for the emulators: ``emulator://DEVICE?OPTIONS`` (``protocol_emulator``).

pyserial's ``serial_for_url`` resolves ``scheme://...`` by importing ``protocol_<scheme>`` from
each package named in ``serial.protocol_handler_packages``; ``register()`` adds this one, once.
``drivers.transport`` calls it on import, so every driver (cash, printer, scanner) opens
``emulator://ccnet``, ``emulator://escpos`` or ``emulator://scanner`` like any other URL.
Importing this package imports no emulator: pyserial loads the handler on the first such URL.
"""

from __future__ import annotations

import serial

PACKAGE = __name__


def register() -> None:
    """Let ``serial.serial_for_url`` open ``emulator://`` URLs (safe to call again)."""
    if PACKAGE not in serial.protocol_handler_packages:
        serial.protocol_handler_packages.append(PACKAGE)


__all__ = ["PACKAGE", "register"]
