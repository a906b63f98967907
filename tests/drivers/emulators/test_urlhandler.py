"""``emulator://`` through plain pyserial: ``serial_for_url`` gives a port on which the emulated
device answers the specification's bytes, and closing the port unplugs the emulator."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import serial

from drivers.emulators.urlhandler import PACKAGE, register
from drivers.printer import ReceiptPrinter
from drivers.printer.status import PrinterState
from tests.drivers.conformance.wire import WIRES

PATIENCE_S = 5.0  # a safety net only: each read ends when its bytes arrived


@pytest.fixture(autouse=True)
def registered() -> None:
    register()


def read_exactly(port: serial.SerialBase, count: int) -> bytes:
    received = b""
    deadline = time.monotonic() + PATIENCE_S
    while len(received) < count and time.monotonic() < deadline:
        received += port.read(count - len(received))
    return received


@pytest.fixture
def opened() -> Iterator[list[serial.SerialBase]]:
    ports: list[serial.SerialBase] = []
    yield ports
    for port in ports:
        port.close()


def open_url(ports: list[serial.SerialBase], url: str, **options: object) -> serial.SerialBase:
    port = serial.serial_for_url(url, timeout=0.2, **options)
    ports.append(port)
    return port


def test_registering_twice_adds_the_package_once() -> None:
    register()
    assert serial.protocol_handler_packages.count(PACKAGE) == 1


def test_a_ccnet_poll_gets_the_power_up_frame(opened: list[serial.SerialBase]) -> None:
    port = open_url(opened, "emulator://ccnet")
    port.write(bytes.fromhex("02 03 06 33 da 81"))  # POLL, CRC-16/KERMIT low byte first
    assert WIRES["ccnet"].frame(b"\x33") == bytes.fromhex("02 03 06 33 da 81")
    assert read_exactly(port, 6) == bytes.fromhex("02 03 06 10 43 92")  # 10: power up


def test_an_id003_status_request_gets_power_up_with_even_parity_asked(
    opened: list[serial.SerialBase],
) -> None:
    port = open_url(opened, "emulator://id003", parity=serial.PARITY_EVEN)
    port.write(WIRES["id003"].frame(b"\x11"))  # STATUS REQUEST
    assert read_exactly(port, 5) == WIRES["id003"].frame(b"\x40")  # 40: power up
    assert port.parity == serial.PARITY_EVEN  # asked for; not applied to the pty


def test_an_ict_acceptor_announces_its_power_up_unasked(opened: list[serial.SerialBase]) -> None:
    port = open_url(opened, "emulator://ict")
    assert read_exactly(port, 2) == bytes.fromhex("80 8f")


def test_the_state_option_keeps_the_cassette(tmp_path: Path) -> None:
    state = tmp_path / "cassette.json"
    port = serial.serial_for_url(f"emulator://ccnet?state={state}&bills=1000,2000")
    try:
        assert port.emulator.status()["cassette"] == {}
    finally:
        port.close()
    assert state.exists()


@pytest.mark.parametrize("device", ["escpos", "printer"])
def test_a_printer_answers_dle_eot_with_a_status_byte(
    device: str, opened: list[serial.SerialBase]
) -> None:
    port = open_url(opened, f"emulator://{device}")
    port.write(bytes.fromhex("10 04 01"))  # DLE EOT 1: printer status
    reply = read_exactly(port, 1)
    assert len(reply) == 1
    assert reply[0] & 0x93 == 0x12  # bits 1 and 4 set, 0 and 7 clear: a status byte
    assert reply[0] & 0x08 == 0  # online


def test_the_receipt_printer_driver_prints_on_an_emulator_url(tmp_path: Path) -> None:
    with ReceiptPrinter(f"emulator://escpos?receipts={tmp_path}&columns=32") as printer:
        assert printer.status().state is PrinterState.READY
        printer.print_job(b"\x1b@hello\n\x1dV\x00")  # initialise, a line, cut
    assert (tmp_path / "receipt-0001.txt").read_text(encoding="utf-8").startswith("hello")


def test_an_unused_temporary_receipt_folder_is_removed() -> None:
    port = serial.serial_for_url("emulator://escpos")
    out_dir = port.emulator.out_dir
    assert out_dir.is_dir()
    port.close()
    assert not out_dir.exists()


def test_a_scanner_sends_its_code_with_prefix_suffix_and_terminator(
    opened: list[serial.SerialBase],
) -> None:
    port = open_url(opened, "emulator://scanner?terminator=crlf&prefix=%5DQ&suffix=%3E")
    port.emulator.scan("134567890123456789")
    assert read_exactly(port, 24) == b"]Q134567890123456789>\r\n"


def test_closing_the_port_unplugs_the_emulator() -> None:
    port = serial.serial_for_url("emulator://scanner")
    emulator = port.emulator
    control = emulator.control_path
    assert control.exists()
    port.close()
    assert port.emulator is None
    assert not control.exists()
    assert not port.is_open


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("emulator://", "unknown emulated device ''"),
        ("emulator://modem", "unknown emulated device 'modem'"),
        ("emulator://ccnet?colour=red", r"unknown emulator options \['colour'\]"),
        ("emulator://id003?bills=ten", "bills must be fen"),
        ("emulator://escpos?columns=wide", "columns is a number"),
        ("emulator://scanner?terminator=tab", "cr, lf or crlf"),
        ("emulator://scanner?prefix=%09", "printable ASCII"),
    ],
)
def test_a_bad_url_is_refused_naming_the_problem(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        serial.serial_for_url(url)
