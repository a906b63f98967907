"""ESC/POS receipt printer: status codec, job builder, Chinese text, and the serial host.

Layers as for every device: ``status`` and ``text``/``commands`` are pure (bytes in, bytes
out); ``printer.ReceiptPrinter`` holds a serial transport and does the I/O.

Exception tree (under ``drivers.errors.DriverError``)::

    PrinterError
    ├── PrinterUnavailableError   the port cannot be opened or failed in use
    ├── JobTooLargeError          a job over MAX_JOB_BYTES (a bug in whatever built it)
    └── PrintJobError             a job was not printed or may be incomplete (``.status``)
        ├── PrinterNotReadyError  the printer could not print; nothing was sent
        └── PrintIncompleteError  sent, then the printer reported a fault
"""

from drivers.printer.commands import Align, EscposJob, QrErrorCorrection, TextSize
from drivers.printer.errors import (
    JobTooLargeError,
    PrinterError,
    PrinterNotReadyError,
    PrinterUnavailableError,
    PrintIncompleteError,
    PrintJobError,
)
from drivers.printer.printer import MAX_JOB_BYTES, ReceiptPrinter, wire_time_s
from drivers.printer.status import PrinterState, PrinterStatus
from drivers.printer.text import PrinterEncoding, cells, sanitize, wrap

__all__ = [
    "MAX_JOB_BYTES",
    "Align",
    "EscposJob",
    "JobTooLargeError",
    "PrintIncompleteError",
    "PrintJobError",
    "PrinterEncoding",
    "PrinterError",
    "PrinterNotReadyError",
    "PrinterState",
    "PrinterStatus",
    "PrinterUnavailableError",
    "QrErrorCorrection",
    "ReceiptPrinter",
    "TextSize",
    "cells",
    "sanitize",
    "wire_time_s",
    "wrap",
]
