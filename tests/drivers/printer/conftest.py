"""A printer emulator on a real pty, and a driver connected to it."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.emulators.printer_emulator import PrinterEmulator
from drivers.printer import ReceiptPrinter

STATUS_TIMEOUT_S = 1.0  # generous: a loaded CI machine must not look like a silent printer


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[PrinterEmulator]:
    emulator = PrinterEmulator(tmp_path / "out", control_path=tmp_path / "ctl.sock")
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def printer(emulator: PrinterEmulator) -> Iterator[ReceiptPrinter]:
    printer = ReceiptPrinter(emulator.path, status_timeout_s=STATUS_TIMEOUT_S)
    printer.open()
    try:
        yield printer
    finally:
        printer.close()
