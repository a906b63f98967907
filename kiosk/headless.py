"""Headless automation: run a script of intents against a real engine, print every snapshot.

A script is JSON lines, one step each:
- ``{"do": "enter_account", "account_no": "..."}``: an intent (any engine intent, with args);
- ``{"wait": "cash_insert", "timeout": 20}``: wait until the session reaches that state;
- ``{"wait_for": "result.printing", "equals": "printed", "timeout": 30}``: wait for a field;
- ``{"ctl": "/path/to/control.sock", "command": "insert 10000"}``: tell an emulator;
- ``{"sleep": 1.5}``.
Every snapshot the engine publishes is printed as one JSON line on stdout. Exit 0 when every
step succeeded, 1 when a wait timed out or a line was not understood (named on stderr).
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterable
from typing import IO, Any

from kiosk import KioskError
from kiosk.engine import Engine, Intent

log = logging.getLogger("kiosk.headless")

DEFAULT_WAIT_S = 30.0


class ScriptError(KioskError):
    """A script line is malformed or a wait timed out."""


class SnapshotLog:
    def __init__(self, out: IO[str]) -> None:
        self._out = out
        self._lock = threading.Condition()
        self.latest: dict[str, Any] = {}

    def __call__(self, snapshot: dict[str, Any]) -> None:
        with self._lock:
            self.latest = snapshot
            self._out.write(json.dumps(snapshot, ensure_ascii=False, default=str) + "\n")
            self._out.flush()
            self._lock.notify_all()

    def wait(self, path: str, expected: Any, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._lock:
            while _field(self.latest, path) != expected:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ScriptError(
                        f"waited {timeout:g} s for {path} = {expected!r}; "
                        f"it is {_field(self.latest, path)!r}"
                    )
                self._lock.wait(min(left, 0.5))
            return self.latest


def _field(snapshot: dict[str, Any], path: str) -> Any:
    value: Any = snapshot
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def control(socket_path: str, command: str, timeout: float = 5.0) -> dict[str, Any]:
    """Send one command line to an emulator's control socket; return its JSON answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(socket_path)
        sock.sendall(command.encode("utf-8") + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    answer: dict[str, Any] = json.loads(data.decode("utf-8") or "{}")
    return answer


def run_script(engine: Engine, lines: Iterable[str], log_: SnapshotLog) -> None:
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        try:
            step = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ScriptError(f"line {number}: not JSON: {exc}") from exc
        if not isinstance(step, dict):
            raise ScriptError(f"line {number}: a step is a JSON object")
        timeout = float(step.pop("timeout", DEFAULT_WAIT_S))
        if "do" in step:
            name = step.pop("do")
            engine.submit(Intent(str(name), step))
        elif "wait" in step:
            log_.wait("state", step["wait"], timeout)
        elif "wait_for" in step:
            log_.wait(step["wait_for"], step.get("equals"), timeout)
        elif "ctl" in step:
            answer = control(step["ctl"], str(step["command"]))
            if answer.get("ok") is False:
                raise ScriptError(f"line {number}: emulator refused {step['command']!r}: {answer}")
        elif "sleep" in step:
            time.sleep(float(step["sleep"]))
        else:
            raise ScriptError(f"line {number}: expected do, wait, wait_for, ctl or sleep")
