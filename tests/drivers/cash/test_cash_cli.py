"""`kiosk emulate cash`, `kiosk emulate ctl` and `kiosk diag cash` as separate processes."""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from drivers.emulators.control import send_command


def kiosk(*args: str) -> list[str]:
    return [sys.executable, "-m", "kiosk.cli", *args]


class Lines:
    """Lines from a child's stdout with a timeout (never hangs on a silent child)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._fd = stream.fileno()
        self._buffer = b""

    def next(self, timeout_s: float = 10.0) -> str:
        deadline = time.monotonic() + timeout_s
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            with selectors.DefaultSelector() as selector:
                selector.register(self._fd, selectors.EVENT_READ)
                if remaining <= 0 or not selector.select(remaining):
                    raise AssertionError(f"no complete line in {timeout_s} s: {self._buffer!r}")
            chunk = os.read(self._fd, 4096)
            if not chunk:
                return ""
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode()

    def until(self, wanted: str, timeout_s: float = 10.0) -> list[dict[str, Any]]:
        lines: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            line = self.next(deadline - time.monotonic())
            if not line:
                break
            lines.append(json.loads(line))
            if lines[-1]["event"] == wanted:
                return lines
        raise AssertionError(f"no {wanted} event; got {lines}")


@pytest.fixture(params=["ccnet", "id003"])
def emulator(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    state = tmp_path / "cassette.json"
    child = subprocess.Popen(
        kiosk(
            "emulate",
            "cash",
            "--protocol",
            request.param,
            "--state",
            str(state),
            "--bills",
            "1000,2000,5000",
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert child.stdout is not None
        lines = Lines(child.stdout)
        device = lines.next().split()
        control = lines.next().split()
        assert device[0] == "DEVICE"
        assert control[0] == "CONTROL"
        yield device[1], control[1], state
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=10) == 0  # a clean stop on SIGTERM
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if child.stdout is not None:
            child.stdout.close()


def test_emulate_ctl_prints_the_answer_and_fails_on_refusal(
    emulator: tuple[str, str, Path],
) -> None:
    _, control, _ = emulator
    status = subprocess.run(
        kiosk("emulate", "ctl", control, "status"), capture_output=True, text=True, check=False
    )
    assert status.returncode == 0, status.stderr
    answer = json.loads(status.stdout)
    assert answer["ok"] is True
    assert answer["state"] == "power_up"  # nobody has reset it yet
    refused = subprocess.run(
        kiosk("emulate", "ctl", control, "insert", "1000"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 1
    assert "does not take a bill" in json.loads(refused.stdout)["error"]


def test_diag_cash_prints_identity_table_and_events(emulator: tuple[str, str, Path]) -> None:
    device, control, state = emulator
    protocol = send_command(control, "status")["protocol"]
    diag = subprocess.Popen(
        kiosk("diag", "cash", device, "--protocol", protocol, "--stack-all", "--seconds", "4"),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert diag.stdout is not None
        output = Lines(diag.stdout)
        lines = output.until("ready")
        ready = lines[-1]
        assert ready["identity"]["protocol"] == protocol
        assert sorted(ready["bill_table"].values()) == [1000, 2000, 5000]
        deadline = time.monotonic() + 5
        while send_command(control, "status")["state"] != "idle":
            assert time.monotonic() < deadline, "diag did not enable the acceptor"
            time.sleep(0.05)
        assert send_command(control, "insert 2000")["ok"]
        events = output.until("stacked")
        assert [e["event"] for e in events] == ["escrow", "stacked"]
        assert events[-1]["denomination_fen"] == 2000
        summary = output.until("summary")[-1]
        assert summary["counters"]["stacked"] == 1
        assert diag.wait(timeout=10) == 0
    finally:
        if diag.poll() is None:
            diag.kill()
            diag.wait()
        if diag.stdout is not None:
            diag.stdout.close()
    deadline = time.monotonic() + 5
    while json.loads(state.read_text(encoding="utf-8"))["cassette"] != {"2000": 1}:
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_ctl_names_a_missing_socket(tmp_path: Path) -> None:
    done = subprocess.run(
        kiosk("emulate", "ctl", str(tmp_path / "nope.sock"), "status"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2  # bad input from outside: one line and exit 2 (0a372f4)
    assert "nope.sock" in done.stderr
    assert "start the emulator" in done.stderr


def test_diag_cash_exits_1_when_nothing_answers(tmp_path: Path) -> None:
    done = subprocess.run(
        kiosk("diag", "cash", str(tmp_path / "ttyNONE"), "--protocol", "ccnet", "--seconds", "1"),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 1
    first = json.loads(done.stdout.splitlines()[0])
    assert first["event"] == "disconnected"
    assert "ttyNONE" in first["reason"]


def test_bad_bill_list_is_refused() -> None:
    done = subprocess.run(
        kiosk("emulate", "cash", "--protocol", "ccnet", "--bills", "ten"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "give denominations in fen" in done.stderr


def test_emulate_and_diag_cash_speak_ict(tmp_path: Path) -> None:
    """ICT end to end through the two commands; the bill types come from --bill-types."""
    child = subprocess.Popen(
        kiosk("emulate", "cash", "--protocol", "ict", "--bills", "1000,2000,5000"),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert child.stdout is not None
        lines = Lines(child.stdout)
        device = lines.next().split()[1]
        control = lines.next().split()[1]
        diag = subprocess.Popen(
            kiosk(
                "diag",
                "cash",
                device,
                "--protocol",
                "ict",
                "--bill-types",
                "40=1000,41=2000,42=5000",
                "--stack-all",
                "--seconds",
                "4",
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert diag.stdout is not None
            output = Lines(diag.stdout)
            ready = output.until("ready")[-1]
            assert ready["identity"]["protocol"] == "ict"
            assert sorted(ready["bill_table"].values()) == [1000, 2000, 5000]
            deadline = time.monotonic() + 5
            while send_command(control, "status")["state"] != "idle":
                assert time.monotonic() < deadline, "diag did not enable the acceptor"
                time.sleep(0.05)
            assert send_command(control, "insert 5000")["ok"]
            assert output.until("stacked")[-1]["denomination_fen"] == 5000
            assert diag.wait(timeout=10) == 0
        finally:
            if diag.poll() is None:
                diag.kill()
                diag.wait()
            if diag.stdout is not None:
                diag.stdout.close()
        assert send_command(control, "status")["cassette"] == {"5000": 1}
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=10) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if child.stdout is not None:
            child.stdout.close()
