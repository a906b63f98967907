"""The printer driver's exception tree (drawn in ``drivers.printer``)."""

from __future__ import annotations

from drivers.errors import DriverError
from drivers.printer.status import PrinterStatus


class PrinterError(DriverError):
    """Base of the errors the printer driver raises on purpose."""


class PrinterUnavailableError(PrinterError):
    """The port cannot be opened, or it failed while in use (unplugged, closed)."""


class PrintJobError(PrinterError):
    """A job was not printed, or may be incomplete; ``status`` says what the printer reported."""

    def __init__(self, message: str, status: PrinterStatus) -> None:
        super().__init__(message)
        self.status = status


class PrinterNotReadyError(PrintJobError):
    """The printer could not print before the job was sent; nothing was written."""


class PrintIncompleteError(PrintJobError):
    """The job was sent, then the printer reported a fault: the receipt may be cut short."""


class JobTooLargeError(PrinterError):
    """A job is larger than one write may be; split it or check what built it."""
