"""The scanner driver's exception tree (drawn in ``drivers.scanner``)."""

from __future__ import annotations

from drivers.errors import DriverError


class ScannerError(DriverError):
    """Base of the errors the scanner driver raises on purpose."""


class ScannerSettingError(ScannerError, ValueError):
    """A setting is impossible (a prefix with a control byte, a zero max_length, ...)."""


class ScannerStateError(ScannerError):
    """A host was asked to start twice, or to start again after stop()."""
