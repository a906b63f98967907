"""Real processes for the reliability suites: device emulators, a headless kiosk, its config.

    cash = EmulatorProcess.cash(tmp_path, "ccnet", state=tmp_path / "cassette.json")
    printer = EmulatorProcess.printer(tmp_path / "receipts")
    config = write_config(tmp_path / "kiosk.toml", data_dir=..., central_url=server.url, ...)
    run = KioskProcess.start(config, script_lines, failpoint="stacked:1")
    run.wait(60)                      # -9 when the failpoint killed it
    cash.status()["cassette_total_fen"]

Every child is stopped by its own ``stop()`` (SIGTERM, then SIGKILL) so a failing test leaves
no process behind.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from kiosk.config import DEFAULT_CONFIG
from kiosk.headless import control

REPO = Path(__file__).resolve().parent.parent.parent
START_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 10.0


def kiosk_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "kiosk.cli", *args]


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def _read_line(stream: IO[bytes], timeout_s: float) -> str:
    """One line of a child's stdout, or AssertionError after the timeout (never hangs)."""
    fd = stream.fileno()
    buffer = b""
    deadline = time.monotonic() + timeout_s
    while not buffer.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            if remaining <= 0 or not selector.select(remaining):
                raise AssertionError(f"no line from the child in {timeout_s} s: {buffer!r}")
        chunk = os.read(fd, 1)  # one byte: the rest stays in the pipe for the next call
        if not chunk:
            break
        buffer += chunk
    return buffer.decode().strip()


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT_S)
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()


@dataclass
class EmulatorProcess:
    """`kiosk emulate cash|printer` in its own process; its DEVICE and CONTROL lines."""

    process: subprocess.Popen[bytes]
    device: str
    control_path: str

    @classmethod
    def _start(cls, args: list[str], log_path: Path) -> EmulatorProcess:
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                kiosk_command(*args),
                stdout=subprocess.PIPE,
                stderr=log,
                env=child_env(),
                cwd=REPO,
            )
        try:
            assert process.stdout is not None
            device = _read_line(process.stdout, START_TIMEOUT_S).removeprefix("DEVICE ")
            ctl = _read_line(process.stdout, START_TIMEOUT_S).removeprefix("CONTROL ")
        except BaseException:
            stop_process(process)
            raise
        return cls(process, device, ctl)

    @classmethod
    def cash(
        cls,
        workdir: Path,
        protocol: str,
        *,
        state: Path,
        speed: float = 4.0,
        escrow_timeout_s: float = 30.0,
    ) -> EmulatorProcess:
        workdir.mkdir(parents=True, exist_ok=True)
        return cls._start(
            [
                "emulate",
                "cash",
                "--protocol",
                protocol,
                "--state",
                str(state),
                "--speed",
                str(speed),
                "--escrow-timeout",
                str(escrow_timeout_s),
            ],
            workdir / f"emulator-{protocol}.log",
        )

    @classmethod
    def printer(cls, out: Path) -> EmulatorProcess:
        out.mkdir(parents=True, exist_ok=True)
        return cls._start(["emulate", "printer", "--out", str(out)], out / "emulator.log")

    def ctl(self, command: str) -> dict[str, Any]:
        return control(self.control_path, command)

    def status(self) -> dict[str, Any]:
        answer = self.ctl("status")
        return dict(answer.get("result", answer))

    def stop(self) -> None:
        stop_process(self.process)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML for {value!r}")


def write_config(path: Path, **sections: dict[str, Any]) -> Path:
    """The demo config (config/kiosk.toml) with these keys changed, written as TOML."""
    raw = tomllib.loads(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    for name, values in sections.items():
        unknown = set(values) - set(raw[name])
        assert not unknown, f"[{name}] has no keys {unknown}"
        raw[name].update(values)
    lines: list[str] = []
    for name, values in raw.items():
        lines.append(f"[{name}]")
        lines.extend(f"{key} = {_toml_value(value)}" for key, value in values.items())
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def kiosk_sections(
    *,
    kiosk_id: str,
    secret: str,
    data_dir: Path,
    central_url: str,
    cash_url: str,
    printer_url: str,
    protocol: str,
) -> dict[str, dict[str, Any]]:
    """The keys tests change (as tests/support/kiosk_stack.test_config does)."""
    return {
        "kiosk": {"id": kiosk_id, "data_dir": str(data_dir)},
        "central": {
            "url": central_url,
            "secret": secret,
            "connect_timeout_s": 1.0,
            "read_timeout_s": 3.0,
        },
        "cash": {"url": cash_url, "protocol": protocol, "poll_interval_ms": 50},
        "printer": {"url": printer_url},
        "timeouts": {"idle_prompt_s": 60, "idle_finish_s": 30, "done_screen_s": 5},
        "outbox": {"backoff_initial_s": 0.2, "backoff_max_s": 1.0, "heartbeat_interval_s": 5.0},
    }


@dataclass
class KioskProcess:
    """`kiosk run --headless --script S.jsonl` as a child; stdout (snapshots) to a file."""

    process: subprocess.Popen[bytes]
    stdout_path: Path
    stderr_path: Path
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def start(
        cls,
        config: Path,
        script: list[dict[str, Any]],
        workdir: Path,
        *,
        failpoint: str | None = None,
        keep_running: bool = False,
        name: str = "run",
        env: dict[str, str] | None = None,
    ) -> KioskProcess:
        """``env``: more environment for the child (e.g. libfaketime's, for a wrong clock)."""
        workdir.mkdir(parents=True, exist_ok=True)
        script_path = workdir / f"{name}.jsonl"
        script_path.write_text("".join(json.dumps(s) + "\n" for s in script), encoding="utf-8")
        extra = {**(env or {}), **({"KIOSK_FAILPOINT": failpoint} if failpoint else {})}
        child = child_env(**extra)
        args = ["run", "--headless", "--config", str(config), "--script", str(script_path)]
        if keep_running:
            args.append("--keep-running")
        out, err = workdir / f"{name}.out", workdir / f"{name}.err"
        with out.open("wb") as stdout, err.open("wb") as stderr:
            process = subprocess.Popen(
                kiosk_command(*args), stdout=stdout, stderr=stderr, env=child, cwd=REPO
            )
        return cls(process, out, err)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def wait(self, timeout_s: float) -> int:
        try:
            return self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.stop()
            raise AssertionError(
                f"the kiosk did not finish in {timeout_s} s; stderr: {self.stderr()[-3000:]}"
            ) from None

    def kill(self) -> None:
        if self.alive:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT_S)

    def stop(self) -> None:
        stop_process(self.process)

    def snapshots(self) -> list[dict[str, Any]]:
        text = self.stdout_path.read_text(encoding="utf-8", errors="replace")
        found = []
        for line in text.splitlines():
            try:
                found.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # the last line of a killed process may be cut short
        return found

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")
