"""Headless runs: scripts are checked before anything starts, and SIGTERM stops a run at once.

The SIGTERM tests start a real `kiosk run --headless` whose script waits for ever, send it
SIGTERM as systemd does, and wait for it to exit. The bound asserted is generous (a loaded
CI machine); the time measured is printed (`pytest -s`) and is about a tenth of a second.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.cli.run import TermHandler, Terminated
from kiosk.headless import DEFAULT_WAIT_S, ScriptInvalid, Step, parse_script
from tests.kiosk.test_cli_bad_input import REPO, child_env, config_file

STOP_BOUND_S = 10.0  # generous: systemd's TimeoutStopSec is 30 s; measured ~0.1-0.2 s
START_BOUND_S = 60.0


def test_a_good_script_parses_into_steps() -> None:
    steps = parse_script(
        [
            "# pay one bill",
            '{"do": "enter_account", "account_no": "1001", "timeout": 5}',
            "",
            '{"wait": "account_shown", "timeout": 2.5}',
            '{"wait_for": "result.printing", "equals": "printed"}',
            '{"ctl": "/run/cash.sock", "command": "insert 10000"}',
            '{"sleep": 0}',
        ]
    )
    assert steps == [
        Step(2, "do", "enter_account", {"account_no": "1001"}, 5.0),
        Step(4, "wait", "account_shown", timeout=2.5),
        Step(5, "wait_for", "result.printing", {"equals": "printed"}, DEFAULT_WAIT_S),
        Step(6, "ctl", "/run/cash.sock", {"command": "insert 10000"}, DEFAULT_WAIT_S),
        Step(7, "sleep", 0.0),
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"wait": "home", "timeout": "soon"}', "timeout must be a number of seconds, got 'soon'"),
        ('{"wait": "home", "timeout": true}', "timeout must be a number of seconds, got True"),
        ('{"wait": "home", "timeout": 0}', "timeout must be between 0.001 and 86400 seconds"),
        ('{"sleep": "1"}', "sleep must be a number of seconds, got '1'"),
        ('{"wait": ["home"]}', "wait takes a non-empty string, got ['home']"),
        ('{"ctl": "/x.sock", "command": ""}', 'a ctl step needs "command"'),
        ("[1, 2]", 'a step is a JSON object, e.g. {"wait": "home"}'),
    ],
)
def test_a_bad_line_is_named_by_its_number(line: str, message: str) -> None:
    with pytest.raises(ScriptInvalid) as caught:
        parse_script(['{"sleep": 0}', line], source="pay.jsonl")
    assert str(caught.value).startswith(f"pay.jsonl, line 2: {message}")


def start_kiosk(tmp_path: Path, *args: str, devices: bool = False) -> subprocess.Popen[bytes]:
    changes: tuple[tuple[str, str], ...] = ()
    if devices:  # the in-process emulators: the acceptor's and printer's threads must stop too
        changes = (
            ("[cash]\nenabled = false", "[cash]\nenabled = true"),
            ("[printer]\nenabled = false", "[printer]\nenabled = true"),
        )
    config = config_file(tmp_path)
    if changes:
        text = config.read_text(encoding="utf-8")
        for old, new in changes:
            text = text.replace(old, new, 1)
        config.write_text(text, encoding="utf-8")
    with (tmp_path / "out.jsonl").open("wb") as out, (tmp_path / "err.log").open("wb") as err:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kiosk.cli",
                "run",
                "--headless",
                "--config",
                str(config),
                *args,
            ],
            stdout=out,
            stderr=err,
            env=child_env(),
            cwd=REPO,
        )


def wait_for_first_snapshot(process: subprocess.Popen[bytes], out: Path) -> None:
    """The engine is up once it has published a snapshot (polls the file it writes)."""
    deadline = time.monotonic() + START_BOUND_S
    while b'"state"' not in out.read_bytes():
        assert process.poll() is None, "the kiosk exited before it published a snapshot"
        assert time.monotonic() < deadline, f"no snapshot in {START_BOUND_S} s"
        time.sleep(0.05)


def terminate(process: subprocess.Popen[bytes]) -> tuple[int, float]:
    """SIGTERM, then wait for the exit; (exit code, seconds it took)."""
    began = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        code = process.wait(timeout=STOP_BOUND_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail(f"the kiosk ignored SIGTERM for {STOP_BOUND_S} s")
    return code, time.monotonic() - began


@pytest.mark.parametrize(
    ("step", "devices"),
    [
        ({"wait": "a_state_never_reached", "timeout": 86400}, False),
        ({"wait_for": "cash.inserted_fen", "equals": 1, "timeout": 86400}, True),
        ({"sleep": 86400}, False),
        (None, False),  # --keep-running after the script
    ],
    ids=["wait", "wait_for-with-devices", "sleep", "keep-running"],
)
def test_sigterm_stops_a_waiting_run_cleanly(
    tmp_path: Path, step: dict[str, object] | None, devices: bool
) -> None:
    script = tmp_path / "steps.jsonl"
    script.write_text(json.dumps(step or {"sleep": 0}) + "\n", encoding="utf-8")
    extra = ["--keep-running"] if step is None else []
    process = start_kiosk(tmp_path, "--script", str(script), *extra, devices=devices)
    try:
        wait_for_first_snapshot(process, tmp_path / "out.jsonl")
        code, took = terminate(process)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    print(f"\nSIGTERM to exit ({step}): {took:.3f} s")
    stderr = (tmp_path / "err.log").read_text(encoding="utf-8")
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert "SIGTERM: stopping the kiosk" in stderr
    assert "stopped; journal" in stderr and "closed" in stderr
    journal = tmp_path / "data" / "journal.db"
    assert journal.exists()
    # SQLite removes the write-ahead log when the last connection closes cleanly; a killed
    # process leaves it behind.
    assert not journal.with_name("journal.db-wal").exists()


def test_sigterm_during_start_up_is_kept_and_honoured_once_the_script_runs() -> None:
    term = TermHandler()
    term(signal.SIGTERM, None)  # while the runtime starts: noted, nothing raised
    assert term.requested
    with pytest.raises(Terminated), term.interruptible():
        pytest.fail("the script ran although SIGTERM had come")


def test_sigterm_interrupts_only_inside_interruptible() -> None:
    term = TermHandler()
    with pytest.raises(Terminated), term.interruptible():
        term(signal.SIGTERM, None)  # as if it arrived while a step waited
    term = TermHandler()
    with term.interruptible():
        pass
    term(signal.SIGTERM, None)  # during the shutdown: noted, the shutdown goes on
    assert term.requested
