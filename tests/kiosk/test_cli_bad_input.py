"""Bad input met from outside, as a user meets it: a real `kiosk` process gets a bad config,
path, script or journal and answers with ONE line on stderr naming the file, key or path,
what is wrong and what to do, and exit code 2 (never a traceback)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.config import DEFAULT_CONFIG

REPO = Path(__file__).resolve().parent.parent.parent
CLOSED_PORT_URL = "http://127.0.0.1:9"  # the discard port: nothing listens, refused at once


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.update(extra)
    return env


def kiosk(
    *args: str, prefix: tuple[str, ...] = (), stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prefix, sys.executable, "-m", "kiosk.cli", *args],
        capture_output=True,
        text=True,
        input=stdin,
        env=child_env(**env),
        cwd=REPO,
        timeout=120,
        check=False,
    )


def one_line(done: subprocess.CompletedProcess[str], code: int = 2) -> str:
    """The single line a refused command printed; it exited with ``code``."""
    assert "Traceback" not in done.stderr, done.stderr
    problems = [line for line in done.stderr.splitlines() if " INFO " not in line]
    assert len(problems) == 1, done.stderr
    assert done.returncode == code, done.stderr
    return problems[0]


def config_file(tmp_path: Path, *changes: tuple[str, str]) -> Path:
    """The demo config with devices off, its data in tmp_path, and these texts replaced."""
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    base = (
        ('data_dir = "var/kiosk"', f'data_dir = "{tmp_path / "data"}"'),
        ('url = "http://127.0.0.1:8470"', f'url = "{CLOSED_PORT_URL}"'),
        ("[cash]\nenabled = true", "[cash]\nenabled = false"),
        ("[printer]\nenabled = true", "[printer]\nenabled = false"),
    )
    for old, new in (*base, *changes):
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


# ---- check-config


def test_a_note_the_acceptor_does_not_have(tmp_path: Path) -> None:
    path = config_file(
        tmp_path,
        ("denominations_fen = [1000, 2000, 5000, 10000]", "denominations_fen = [1000, 300]"),
    )
    line = one_line(kiosk("check-config", str(path)))
    assert f"{path}: cash.denominations_fen: 300 is not a yuan note" in line
    assert "100, 500, 1000, 2000, 5000, 10000" in line


def test_a_20_digit_integer_is_refused_naming_the_bound(tmp_path: Path) -> None:
    path = config_file(
        tmp_path,
        ("cashbox_capacity_notes = 1000", "cashbox_capacity_notes = 10000000000000000000"),
    )
    line = one_line(kiosk("check-config", str(path)))
    assert line.endswith(
        f"{path}: cash.cashbox_capacity_notes: 10000000000000000000 is above the maximum 10000"
    )


def test_a_data_dir_that_is_a_file(tmp_path: Path) -> None:
    a_file = tmp_path / "not-a-dir"
    a_file.write_text("x", encoding="utf-8")
    path = config_file(tmp_path)
    for command in (["check-config", str(path)], ["run", "--headless", "--config", str(path)]):
        line = one_line(kiosk(*command, KIOSK_DATA_DIR=str(a_file)))
        assert f"kiosk.data_dir (from KIOSK_DATA_DIR): {a_file} is a file, not a directory" in line


def devices_config(tmp_path: Path, cash_url: str, printer_url: str) -> Path:
    path = config_file(tmp_path)
    text = path.read_text(encoding="utf-8")
    text = text.replace("[cash]\nenabled = false", "[cash]\nenabled = true")
    text = text.replace("[printer]\nenabled = false", "[printer]\nenabled = true")
    text = text.replace('"emulator://ccnet"', json.dumps(cash_url))
    text = text.replace('"emulator://escpos"', json.dumps(printer_url))
    path.write_text(text, encoding="utf-8")
    return path


def test_a_missing_device_path_is_an_error_by_default(tmp_path: Path) -> None:
    missing = tmp_path / "ttyUSB9"  # as /dev/ttyUSB9 on a machine without the adapter
    path = devices_config(tmp_path, str(missing), "emulator://escpos")
    done = kiosk("check-config", str(path))
    line = one_line(done)
    assert f"{path}: cash.url: {missing} does not exist; connect the device or correct" in line
    assert "emulator://, socket://, loop:// are not checked" in line
    assert "--allow-missing-devices" in line  # the decision, and the way out, are in the line
    assert done.stdout == ""


def test_allow_missing_devices_makes_it_a_warning(tmp_path: Path) -> None:
    missing = tmp_path / "ttyUSB9"
    path = devices_config(tmp_path, str(missing), "emulator://escpos")
    done = kiosk("check-config", "--allow-missing-devices", str(path))
    line = one_line(done, code=0)
    assert line.startswith(f"kiosk check-config: warning: {path}: cash.url: {missing}")
    assert json.loads(done.stdout)["warnings"] == [
        line.removeprefix("kiosk check-config: warning: ")
    ]


def test_a_path_that_is_not_a_serial_device_is_an_error_even_when_allowed(tmp_path: Path) -> None:
    regular = tmp_path / "device.txt"
    regular.write_text("", encoding="utf-8")
    path = devices_config(tmp_path, "emulator://ccnet", str(regular))
    line = one_line(kiosk("check-config", "--allow-missing-devices", str(path)))
    assert f"{path}: printer.url: {regular} is not a serial device" in line


@pytest.mark.parametrize(
    ("cash_url", "printer_url"),
    [
        ("emulator://ccnet", "emulator://escpos"),
        ("socket://127.0.0.1:9", "loop://"),
        ("rfc2217://127.0.0.1:9", "/dev/null"),  # /dev/null: an existing character device
    ],
)
def test_pyserial_urls_and_existing_devices_pass(
    tmp_path: Path, cash_url: str, printer_url: str
) -> None:
    done = kiosk("check-config", str(devices_config(tmp_path, cash_url, printer_url)))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert json.loads(done.stdout)["warnings"] == []


def test_a_disabled_device_is_not_looked_for(tmp_path: Path) -> None:
    path = config_file(tmp_path, ('url = "emulator://ccnet"', 'url = "/dev/ttyUSB9-absent"'))
    assert kiosk("check-config", str(path)).returncode == 0


# ---- run --headless: the script


@pytest.mark.parametrize(
    ("script", "message"),
    [
        (None, "{script}: no such file; pass a JSON-lines script to --script"),
        ("", None),  # a directory: made below
        (
            '{"sleep": 0}\n{"wait": "home", "timeout": "soon"}\n',
            "{script}, line 2: timeout must be a number of seconds, got 'soon'",
        ),
        (
            '{"wait": "home", "timeout": 1e30}\n',
            "{script}, line 1: timeout must be between 0.001 and 86400 seconds",
        ),
        ('{"sleep": -1}\n', "{script}, line 1: sleep must be between 0 and 86400 seconds"),
        ("# a comment\nnot json\n", "{script}, line 2: not JSON (Expecting value at column 1)"),
        ('{"ctl": "/x.sock"}\n', '{script}, line 1: a ctl step needs "command"'),
        ('{"wiat": "home"}\n', "{script}, line 1: expected one of do, wait, wait_for, ctl, sleep"),
        ('{"do": 7}\n', "{script}, line 1: do takes a non-empty string, got 7"),
    ],
)
def test_a_bad_script_is_refused_before_the_kiosk_starts(
    tmp_path: Path, script: str | None, message: str | None
) -> None:
    path = tmp_path / "steps.jsonl"
    if script == "":
        path.mkdir()
        message = "{script}: a directory; pass a JSON-lines script to --script"
    elif script is not None:
        path.write_text(script, encoding="utf-8")
    assert message is not None
    done = kiosk("run", "--headless", "--config", str(config_file(tmp_path)), "--script", str(path))
    assert one_line(done).startswith("kiosk run: script " + message.format(script=path))
    assert not (tmp_path / "data" / "journal.db").exists()  # nothing was started


def test_a_ctl_step_whose_socket_is_missing_fails_the_run_in_one_line(tmp_path: Path) -> None:
    script = tmp_path / "steps.jsonl"
    socket_path = tmp_path / "cash.sock"
    script.write_text(
        json.dumps({"ctl": str(socket_path), "command": "insert 10000"}) + "\n", encoding="utf-8"
    )
    config = config_file(tmp_path)
    done = kiosk("run", "--headless", "--config", str(config), "--script", str(script))
    line = one_line(done, code=1)  # the script was good; a step failed while running
    assert line.startswith(f"kiosk run: script {script}, line 1: {socket_path}: no control socket")


def test_script_without_headless_is_a_usage_error(tmp_path: Path) -> None:
    done = kiosk("run", "--config", str(config_file(tmp_path)), "--script", "x.jsonl")
    assert one_line(done) == "kiosk run: --script and --keep-running need --headless"


# ---- emulate ctl


def test_emulate_ctl_with_a_missing_socket(tmp_path: Path) -> None:
    missing = tmp_path / "control.sock"
    line = one_line(kiosk("emulate", "ctl", str(missing), "insert", "10000"))
    assert line == (
        f"kiosk emulate ctl: {missing}: no control socket there; start the emulator "
        "(`kiosk emulate cash|printer` prints CONTROL <socket>) and pass that path"
    )


def test_emulate_ctl_with_a_path_that_is_not_a_socket(tmp_path: Path) -> None:
    line = one_line(kiosk("emulate", "ctl", str(tmp_path), "status"))
    assert line == (
        f"kiosk emulate ctl: {tmp_path}: not a socket; "
        "pass the CONTROL <socket> path the emulator printed"
    )


# ---- a read-only journal


def test_a_data_dir_that_cannot_be_created(tmp_path: Path) -> None:
    impossible = Path("/proc/kiosk-data")  # not even root may create a directory in /proc
    config = config_file(tmp_path)
    done = kiosk("run", "--headless", "--config", str(config), KIOSK_DATA_DIR=str(impossible))
    assert one_line(done) == (
        f"kiosk: configuration error: {config}: kiosk.data_dir: cannot create {impossible} "
        "(No such file or directory); create it, writable by the user the kiosk runs as, "
        "or set KIOSK_DATA_DIR"
    )


def test_a_file_that_is_not_a_journal(tmp_path: Path) -> None:
    garbage = tmp_path / "journal.db"
    garbage.write_bytes(b"not a database, but long enough to have a header " * 4)
    line = one_line(kiosk("journal", "verify", "--journal", str(garbage)))
    assert line == (
        f"kiosk: cannot open the journal {garbage}: file is not a database; {garbage} is not "
        "an intact kiosk journal: move it away and restore the last backup "
        "(`kiosk journal verify --journal FILE` checks a copy)"
    )


@pytest.fixture
def without_root_powers() -> Iterator[tuple[str, ...]]:
    """A command prefix under which file modes bind (root ignores them otherwise)."""
    if os.geteuid() != 0:
        yield ()
        return
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv (util-linux) to drop CAP_DAC_OVERRIDE")
    caps = "-dac_override,-dac_read_search"
    yield (setpriv, "--bounding-set", caps, "--inh-caps", caps)


def test_a_read_only_data_directory_names_the_directory(
    tmp_path: Path, without_root_powers: tuple[str, ...]
) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o555)
    config = config_file(tmp_path)
    for command in (
        ["run", "--headless", "--config", str(config)],
        ["technicians", "list", "--config", str(config)],
    ):
        line = one_line(kiosk(*command, prefix=without_root_powers))
        assert line == (
            f"kiosk: cannot open the journal {data / 'journal.db'}: unable to open database "
            f"file; make {data} an existing directory writable by the user the kiosk runs as "
            "(the journal and its -wal and -shm files live there)"
        )


def test_a_read_only_journal_file_names_the_file(
    tmp_path: Path, without_root_powers: tuple[str, ...]
) -> None:
    config = config_file(tmp_path)
    journal = tmp_path / "data" / "journal.db"
    made = kiosk("technicians", "list", "--config", str(config))
    assert made.returncode == 0, made.stderr
    journal.chmod(0o444)
    done = kiosk(
        "technicians",
        "add",
        "T1",
        "--name",
        "Wang",
        "--pin-stdin",
        "--config",
        str(config),
        prefix=without_root_powers,
        stdin="12345678\n",
    )
    line = one_line(done)
    assert line.startswith(f"kiosk: cannot write the journal {journal}: ")
    assert line.endswith(
        f"the journal is read-only: make {journal} and {journal.parent} writable by the user "
        "the kiosk runs as (or remount the disk read-write)"
    )
