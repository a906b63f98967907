"""The generic emulator helpers: a pty a real pyserial port can open, and the control socket."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import serial

from drivers.emulators import CommandError, PtyClosedError
from drivers.emulators.control import CommandTable, ControlServer, parse_bool, send_command
from drivers.emulators.pty_device import PtyDevice


def read_until(device: PtyDevice, count: int) -> bytes:
    received = b""
    deadline = time.monotonic() + 5
    while len(received) < count and time.monotonic() < deadline:
        received += device.read(timeout_s=0.05)
    return received


def test_pyserial_talks_to_the_pty_both_ways_without_echo() -> None:
    device = PtyDevice()
    path = device.open()
    try:
        device.write(b"stale")  # sent before the host opens: flushed by the open, never echoed
        with serial.serial_for_url(path, baudrate=9600, timeout=1) as port:
            device.write(b"\x02\x03\x06")
            assert port.read(3) == b"\x02\x03\x06"
            port.write(b"\x0a\x0d\xff\x00")
            assert read_until(device, 4) == b"\x0a\x0d\xff\x00"  # raw: no CR/LF translation
        assert device.read(timeout_s=0.05) == b""
    finally:
        device.close()


def test_unplug_and_replug_keep_the_link_path(tmp_path: Path) -> None:
    link = tmp_path / "kiosk-cash"
    device = PtyDevice(link)
    assert device.open() == str(link)
    first_target = os.readlink(link)
    port = serial.serial_for_url(str(link), baudrate=9600, timeout=0.2)
    try:
        device.close()
        assert not link.exists()
        with pytest.raises(serial.SerialException):
            port.read(1)  # the host sees the device vanish
        with pytest.raises(PtyClosedError):
            device.read()
        with pytest.raises(PtyClosedError):
            device.write(b"x")
    finally:
        port.close()
    device.open()
    try:
        assert link.is_symlink()
        with serial.serial_for_url(str(link), baudrate=9600, timeout=1) as again:
            device.write(b"back")
            assert again.read(4) == b"back"
        assert os.readlink(link) != first_target or os.path.exists(first_target)
    finally:
        device.close()


@pytest.fixture
def server() -> Iterator[tuple[ControlServer, list[Any]]]:
    calls: list[Any] = []
    table = CommandTable()
    table.add("insert", lambda fen: calls.append(fen) or {"inserted": fen}, ("fen", int))
    table.add(
        "power-cycle",
        lambda stacker=False: calls.append(("power", stacker)) or None,
        ("bill_in_stacker", parse_bool),
        optional=1,
    )

    def broken() -> None:
        raise RuntimeError("boom")

    table.add("broken", broken)
    control = ControlServer(table)
    control.start()
    try:
        yield control, calls
    finally:
        control.stop()
    assert not control.path.exists()


def test_control_socket_runs_commands_and_names_bad_input(
    server: tuple[ControlServer, list[Any]],
) -> None:
    control, calls = server
    assert send_command(control.path, "insert 1000") == {"ok": True, "inserted": 1000}
    assert send_command(control.path, "power-cycle yes") == {"ok": True}
    assert send_command(control.path, "power-cycle") == {"ok": True}
    assert calls == [1000, ("power", True), ("power", False)]
    bad = send_command(control.path, "insert ten")
    assert bad["ok"] is False
    assert "bad fen 'ten'" in bad["error"]
    assert "usage: insert fen" in send_command(control.path, "insert")["error"]
    assert "unknown command 'fly'" in send_command(control.path, "fly")["error"]
    assert send_command(control.path, "broken") == {"ok": False, "error": "internal error: boom"}
    assert "power-cycle [bill_in_stacker]" in str(send_command(control.path, "help"))


def test_one_connection_may_send_many_lines(server: tuple[ControlServer, list[Any]]) -> None:
    control, calls = server
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.settimeout(5)
        client.connect(str(control.path))
        client.sendall(b"insert 1\ninsert 2\n")
        received = b""
        while received.count(b"\n") < 2:
            received += client.recv(4096)
    assert calls == [1, 2]


def test_command_table_refuses_empty_lines() -> None:
    with pytest.raises(CommandError, match="empty command"):
        CommandTable().run("   ")
