"""Headless automation: run a script of intents against a real engine, print every snapshot.

A script is JSON lines, one step each:
- ``{"do": "enter_account", "account_no": "..."}``: an intent (any engine intent, with args);
- ``{"wait": "cash_insert", "timeout": 20}``: wait until the session reaches that state;
- ``{"wait_for": "result.printing", "equals": "printed", "timeout": 30}``: wait for a field;
- ``{"ctl": "/path/to/control.sock", "command": "insert 10000"}``: tell an emulator;
- ``{"sleep": 1.5}``.
Every snapshot the engine publishes is printed as one JSON line on stdout. The whole script
is read and checked before the kiosk starts (``read_script``): a file that cannot be read or
a line that is not a step is ``ScriptInvalid`` (`kiosk run` exits 2 naming the line); a step
that fails while running (a wait timed out, an emulator refused or cannot be reached) is
``ScriptError`` (exit 1). Timeouts and sleeps are seconds, at most a day.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from kiosk import KioskError
from kiosk.emulator_control import ControlUnreachable, control
from kiosk.engine import Engine, Intent

__all__ = [  # control: the reliability suites drive emulators through this module
    "ControlUnreachable",
    "ScriptError",
    "ScriptInvalid",
    "SnapshotLog",
    "Step",
    "control",
    "parse_script",
    "read_script",
    "run_script",
    "run_steps",
]

log = logging.getLogger("kiosk.headless")

DEFAULT_WAIT_S = 30.0
MAX_SECONDS = 86_400.0  # a timeout or sleep longer than a day is a typo
STEP_KINDS = ("do", "wait", "wait_for", "ctl", "sleep")


class ScriptError(KioskError):
    """A step failed while running: a wait timed out, an emulator refused or is unreachable."""


class ScriptInvalid(ScriptError):
    """The script cannot be read, or a line is not a step; nothing was run."""


@dataclass(frozen=True)
class Step:
    line: int
    kind: str  # one of STEP_KINDS
    value: Any  # the intent's name, the state, the field's path, the socket or the seconds
    args: dict[str, Any] = field(default_factory=dict)  # do: the intent's arguments
    timeout: float = DEFAULT_WAIT_S


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


def read_script(path: Path) -> list[Step]:
    """Read and check a script file; ScriptInvalid names the file (and line) otherwise."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScriptInvalid(f"{path}: no such file; pass a JSON-lines script to --script") from None
    except IsADirectoryError:
        raise ScriptInvalid(f"{path}: a directory; pass a JSON-lines script to --script") from None
    except UnicodeDecodeError as exc:
        raise ScriptInvalid(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc
    except OSError as exc:
        raise ScriptInvalid(f"{path}: cannot be read ({exc.strerror})") from exc
    return parse_script(text.splitlines(), source=str(path))


def parse_script(lines: Iterable[str], *, source: str = "script") -> list[Step]:
    """Every line checked before anything runs; blank lines and ``#`` comments skipped."""
    steps = []
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if text and not text.startswith("#"):
            steps.append(_parse_step(text, number, f"{source}, line {number}"))
    return steps


def _parse_step(text: str, number: int, where: str) -> Step:
    def bad(why: str) -> ScriptInvalid:
        return ScriptInvalid(f"{where}: {why}")

    try:
        step = json.loads(text)
    except json.JSONDecodeError as exc:
        raise bad(f"not JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(step, dict):
        raise bad('a step is a JSON object, e.g. {"wait": "home"}')
    kind = next((k for k in STEP_KINDS if k in step), None)
    if kind is None:
        raise bad(f"expected one of {', '.join(STEP_KINDS)} in {text}")
    value = step.pop(kind)
    timeout = _seconds(step.pop("timeout", DEFAULT_WAIT_S), "timeout", bad, allow_zero=False)
    if kind == "sleep":
        return Step(number, kind, _seconds(value, "sleep", bad, allow_zero=True))
    if not isinstance(value, str) or not value:
        raise bad(f"{kind} takes a non-empty string, got {value!r}")
    if kind == "do":
        return Step(number, kind, value, step, timeout)
    if kind == "wait":
        return Step(number, kind, value, timeout=timeout)
    if kind == "wait_for":
        return Step(number, kind, value, {"equals": step.get("equals")}, timeout)
    command = step.get("command")
    if not isinstance(command, str) or not command.strip():
        raise bad('a ctl step needs "command", e.g. {"ctl": SOCKET, "command": "insert 10000"}')
    return Step(number, kind, value, {"command": command}, timeout)


def _seconds(
    value: Any, key: str, bad: Callable[[str], ScriptInvalid], *, allow_zero: bool
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad(f"{key} must be a number of seconds, got {value!r}")
    low = 0.0 if allow_zero else 0.001
    if not low <= value <= MAX_SECONDS:
        raise bad(f"{key} must be between {low:g} and {MAX_SECONDS:g} seconds, got {value!r}")
    return float(value)


def run_script(engine: Engine, lines: Iterable[str], log_: SnapshotLog) -> None:
    """Check every line, then run the steps (ScriptInvalid before any step runs)."""
    run_steps(engine, parse_script(lines), log_)


def run_steps(engine: Engine, steps: Sequence[Step], log_: SnapshotLog) -> None:
    for step in steps:
        try:
            _run_step(engine, step, log_)
        except (ScriptError, ControlUnreachable) as exc:
            raise ScriptError(f"line {step.line}: {exc}") from exc


def _run_step(engine: Engine, step: Step, log_: SnapshotLog) -> None:
    if step.kind == "do":
        engine.submit(Intent(step.value, dict(step.args)))
    elif step.kind == "wait":
        log_.wait("state", step.value, step.timeout)
    elif step.kind == "wait_for":
        log_.wait(step.value, step.args["equals"], step.timeout)
    elif step.kind == "ctl":
        command = step.args["command"]
        answer = control(step.value, command, timeout=step.timeout)
        if answer.get("ok") is False:
            raise ScriptError(f"emulator refused {command!r}: {answer}")
    else:
        time.sleep(step.value)
