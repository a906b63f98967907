"""`kiosk emulate printer` and `kiosk diag printer`, run as a technician would."""

import json
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.emulators.control import send_command

KIOSK = [sys.executable, "-m", "kiosk.cli"]


class Lines:
    """The emulator's stdout, line by line, read by a thread (a pipe's buffer hides lines
    from select())."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self._lines: queue.Queue[str] = queue.Queue()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line.rstrip("\n"))

    def next(self, timeout_s: float = 20) -> str:
        try:
            return self._lines.get(timeout=timeout_s)
        except queue.Empty:
            raise TimeoutError(f"no line from the emulator (exit {self.process.poll()})") from None

    def close(self) -> None:
        self._thread.join(timeout=20)
        assert self.process.stdout is not None
        self.process.stdout.close()


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[tuple[Lines, str, str]]:
    process = subprocess.Popen(
        [*KIOSK, "emulate", "printer", "--out", str(tmp_path / "out"), "--paper-width", "58",
         "--control", str(tmp_path / "ctl.sock")],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    lines = Lines(process)
    try:
        device = lines.next()
        control = lines.next()
        assert device.startswith("DEVICE /dev/pts/")
        assert control == f"CONTROL {tmp_path / 'ctl.sock'}"
        yield lines, device.split(" ", 1)[1], control.split(" ", 1)[1]
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=20)
        lines.close()


def diag(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*KIOSK, "diag", "printer", "--timeout-ms", "1000", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_status_test_page_and_a_fault(emulator: tuple[Lines, str, str], tmp_path: Path) -> None:
    lines, device, control = emulator
    process = lines.process
    ready = diag(device, "--status")
    assert ready.returncode == 0, ready.stderr
    assert json.loads(ready.stdout) == {
        "device": device,
        "state": "ready",
        "can_print": True,
        "detail": "ready",
        "raw": "12 12 12 12",
    }
    page = diag(device, "--test-page", "--paper-width", "58")
    assert page.returncode == 0, page.stderr
    printed = json.loads(page.stdout)
    assert printed["printed"] == "test_page"
    assert printed["bytes"] < 1000
    saved = json.loads(lines.next())
    assert saved["cut"] is True
    assert saved["problems"] == []
    text = Path(saved["txt"]).read_text(encoding="utf-8")
    assert "全角：，。：；（）《》【】￥“”" in text
    assert "[QR: kiosk-test:" in text
    assert Path(saved["png"]).stat().st_size > 5000

    assert send_command(control, "paper-out")["state"] == "paper_out"
    out = diag(device)  # --status is the default
    assert out.returncode == 1
    assert json.loads(out.stdout)["state"] == "paper_out"
    refused = diag(device, "--test-page")
    assert refused.returncode == 1
    assert json.loads(refused.stdout)["printed"] is False

    send_command(control, "paper-near-end")
    near_end = diag(device, "--status")
    assert near_end.returncode == 1  # it can print, but it is not ready: it needs attention
    assert json.loads(near_end.stdout)["can_print"] is True

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "receipt-0001.png",
        "receipt-0001.txt",
    ]


def test_a_printer_that_is_not_there(tmp_path: Path) -> None:
    absent = diag(str(tmp_path / "no-such-tty"))
    assert absent.returncode == 1
    line = json.loads(absent.stdout)
    assert line["state"] == "not_answering"
    assert "no-such-tty" in line["error"]


def test_settings_from_a_bad_config_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "kiosk.toml"
    bad.write_text("[kiosk]\n", encoding="utf-8")
    done = diag("loop://", "--config", str(bad))
    assert done.returncode == 2
    assert "configuration error" in done.stderr
