"""`kiosk emulate scanner` and `kiosk emulate ctl ... scan ...`, run as a technician would."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.scanner import Connected, Disconnected, Scanned, ScannerEvent, open_scanner
from drivers.transport import SerialTransport

KIOSK = [sys.executable, "-m", "kiosk.cli"]
WECHAT = "134567890123456789"
PATIENCE_S = 20.0  # a safety net only: the waits end when the line or event arrives


class Emulator:
    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        assert process.stdout is not None
        self.device = process.stdout.readline().strip()
        self.control = process.stdout.readline().strip()

    def ctl(self, *words: str) -> tuple[int, dict[str, object]]:
        done = subprocess.run(
            [*KIOSK, "emulate", "ctl", self.control.split(" ", 1)[1], *words],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        return done.returncode, json.loads(done.stdout)


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[Emulator]:
    process = subprocess.Popen(
        [*KIOSK, "emulate", "scanner", "--terminator", "crlf", "--prefix", "]Q",
         "--link", str(tmp_path / "scanner"), "--control", str(tmp_path / "ctl.sock")],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    try:
        yield Emulator(process)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
        assert process.stdout is not None
        process.stdout.close()


def test_prints_device_and_control_and_sends_what_ctl_scans(
    emulator: Emulator, tmp_path: Path
) -> None:
    assert emulator.device == f"DEVICE {tmp_path / 'scanner'}"
    assert emulator.control == f"CONTROL {tmp_path / 'ctl.sock'}"
    with SerialTransport(str(tmp_path / "scanner"), timeout_s=0.05) as port:
        code, answer = emulator.ctl("scan", WECHAT)
        assert code == 0
        assert answer["ok"] is True
        assert answer["scans"] == 1
        assert WECHAT not in json.dumps(answer)  # answers never carry a code
        expected = b"]Q" + WECHAT.encode() + b"\r\n"
        received = b""
        while len(received) < len(expected):
            chunk = port.read(64, timeout_s=PATIENCE_S)
            assert chunk, f"only {received!r} arrived"
            received += chunk
        assert received == expected
        code, answer = emulator.ctl("noise", "00ff0d0a")
        assert (code, answer["noise_bytes"]) == (0, 4)
        assert port.read(64, timeout_s=PATIENCE_S) == b"\x00\xff\r\n"
    assert emulator.process.poll() is None
    emulator.process.send_signal(signal.SIGTERM)
    assert emulator.process.wait(timeout=60) == 0
    assert not (tmp_path / "ctl.sock").exists()


def test_a_host_sees_scans_unplug_and_replug_through_the_cli(
    emulator: Emulator, tmp_path: Path
) -> None:
    events: queue.Queue[ScannerEvent] = queue.Queue()
    host = open_scanner(
        str(tmp_path / "scanner"),
        on_event=events.put,
        terminator="crlf",
        prefix="]Q",
        read_timeout_s=0.02,
        connect_deadline_s=0.5,
        reconnect_backoff_initial_s=0.05,
        reconnect_backoff_max_s=0.2,
    )
    host.start()
    try:
        assert isinstance(events.get(timeout=PATIENCE_S), Connected)
        assert emulator.ctl("scan", WECHAT)[0] == 0
        scanned = events.get(timeout=PATIENCE_S)
        assert isinstance(scanned, Scanned)
        assert scanned.code == WECHAT
        code, answer = emulator.ctl("unplug")
        assert (code, answer["plugged"]) == (0, False)
        assert isinstance(events.get(timeout=PATIENCE_S), Disconnected)
        assert emulator.ctl("scan", WECHAT) == (
            1,
            {"ok": False, "error": "the scanner is unplugged; replug it first"},
        )
        assert emulator.ctl("replug")[1]["plugged"] is True
        assert isinstance(events.get(timeout=PATIENCE_S), Connected)
        code, status = emulator.ctl("status")
        assert status["device"] == str(tmp_path / "scanner")
        assert status["terminator"] == "crlf"
    finally:
        host.stop()
    assert not any(t.name == "scanner-read" for t in threading.enumerate())


def test_bad_noise_and_bad_options_are_named(emulator: Emulator) -> None:
    code, answer = emulator.ctl("noise", "zz")
    assert code == 1
    assert "bad hex" in str(answer["error"])
    refused = subprocess.run(
        [*KIOSK, "emulate", "scanner", "--prefix", "\t"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert refused.returncode == 2
    assert "prefix" in refused.stderr
