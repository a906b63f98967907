"""The emulators' exception tree (drawn in ``drivers.emulators``)."""

from __future__ import annotations

from drivers.errors import DriverError


class EmulatorError(DriverError):
    """Base of the errors an emulator raises on purpose."""


class CommandError(EmulatorError):
    """A control command is unknown or its arguments are wrong; the message says which."""


class PtyClosedError(EmulatorError):
    """The pseudo-terminal is closed (the device is unplugged)."""
