"""`kiosk demo` as a newcomer runs it: a real server subprocess, emulators on ptys, the kiosk.

The headless run pays a demo bill in cash and prints the receipt; the windowed run (offscreen)
stops everything on Ctrl+C. Both are separate processes, as from scripts/demo.sh.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from kiosk import config
from kiosk_demo.cli import has_display
from kiosk_demo.rig import Demo, DemoError, DeviceAction, notes_for

DEMO_TIMEOUT_S = 180
STARTED = "the kiosk window and the demo control window are open"


def demo_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("KIOSK_CONFIG", None)
    return env


def kiosk_demo(*args: str) -> list[str]:
    return [sys.executable, "-m", "kiosk.cli", "--log-level", "WARNING", "demo", *args]


def server_url(stdout: str) -> str:
    match = re.search(r"^central server: (http://127\.0\.0\.1:\d+)", stdout, re.MULTILINE)
    assert match, stdout
    return match.group(1)


def assert_server_gone(url: str) -> None:
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/healthz", timeout=2)


def test_headless_demo_posts_a_cash_payment_and_prints_the_receipt(
    repo: Path, tmp_path: Path
) -> None:
    data = tmp_path / "demo"
    done = subprocess.run(
        kiosk_demo("--data-dir", str(data)),
        cwd=repo,
        env=demo_env(),
        capture_output=True,
        text=True,
        timeout=DEMO_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    assert "no display: running a scripted cash payment" in out
    assert "state: account shown" in out and "state: done: posted" in out
    txn = re.search(r"^payment (K0001-\d{8}): posted, (¥[\d,.]+), receipt printed$", out, re.M)
    assert txn, out
    txn_id = txn.group(1)
    receipt = out.split("---- receipt (printer emulator transcript) ----")[1]
    receipt = receipt.split("---- end of receipt ----")[0]
    assert f"流水号：{txn_id}" in receipt
    assert "户号：3100000001" in receipt and "状态：已入账" in receipt
    png = Path(re.search(r"^receipt picture: (.+)$", out, re.M).group(1))  # type: ignore[union-attr]
    assert png.is_file() and png.read_bytes().startswith(b"\x89PNG")
    assert png.parent == data.absolute() / "receipts"
    # the server recorded exactly that payment, in cash, to the demo account
    with sqlite3.connect(data / "central.db") as db:
        rows = db.execute(
            "SELECT p.method, p.amount_fen, a.account_no FROM payments p "
            "JOIN accounts a ON a.id = p.account_id WHERE p.txn_id = ?",
            (txn_id,),
        ).fetchall()
    paid = int(txn.group(2).lstrip("¥").replace(",", "").replace(".", ""))
    assert rows == [("cash", paid, "3100000001")]
    assert_server_gone(server_url(out))


def test_windowed_demo_stops_server_and_emulators_on_ctrl_c(repo: Path, tmp_path: Path) -> None:
    process = subprocess.Popen(
        kiosk_demo("--window", "--data-dir", str(tmp_path / "demo")),
        cwd=repo,
        env=demo_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    started = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if STARTED in line:
                started.set()

    reader = threading.Thread(target=read)
    reader.start()
    try:
        assert started.wait(DEMO_TIMEOUT_S), "".join(lines)
        url = server_url("".join(lines))
        assert requests.get(f"{url}/healthz", timeout=5).status_code == 200
        time.sleep(2)  # let the Qt event loop take over Ctrl+C
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        reader.join(timeout=10)
        assert process.stderr is not None
        errors = process.stderr.read()
        process.stderr.close()
        if process.stdout is not None:
            process.stdout.close()
    assert code in (0, 130), errors[-3000:]  # quit by the event loop, or before it ran
    assert "Traceback" not in errors, errors[-3000:]
    assert_server_gone(url)


def test_bad_config_is_refused_before_anything_starts(repo: Path, tmp_path: Path) -> None:
    bad = tmp_path / "kiosk.toml"
    text = (repo / "config/kiosk.toml").read_text(encoding="utf-8")
    bad.write_text(text.replace("poll_interval_ms = 100", "poll_interval_ms = 5"), "utf-8")
    done = subprocess.run(
        kiosk_demo("--config", str(bad), "--data-dir", str(tmp_path / "demo")),
        cwd=repo,
        env=demo_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "cash.poll_interval_ms" in done.stderr
    assert not (tmp_path / "demo").exists()


def test_in_process_demo_refuses_notes_until_cash_is_chosen_and_starts_afresh(
    tmp_path: Path,
) -> None:
    base = config.load(config.DEFAULT_CONFIG, env={})
    workdir = tmp_path / "demo"
    workdir.mkdir()
    (workdir / "central.db").write_text("not a database", encoding="utf-8")
    (workdir / "notes.txt").write_text("mine", encoding="utf-8")
    with Demo(base, workdir) as demo:
        assert (workdir / "notes.txt").read_text(encoding="utf-8") == "mine"  # not ours: kept
        assert demo.config.central.url.startswith("http://127.0.0.1:")
        assert demo.config.kiosk.data_dir == workdir.absolute() / "kiosk"
        assert demo.seeded.account("residential_arrears") == "3100000001"
        assert len(demo.seeded.cards) >= 3
        with pytest.raises(DemoError, match="choose cash on the kiosk first"):
            demo.insert(10000)  # nobody enabled the acceptor
        with pytest.raises(DemoError, match="nothing is jammed"):
            demo.act(DeviceAction.CLEAR_JAM)
        assert "paper out" in demo.act(DeviceAction.PAPER_OUT)
        assert demo.device_status()["printer"] == "paper_out"
        url = demo.server_url
        assert demo.wallet_url("abc") == f"{url}/pay/abc"
        with pytest.raises(DemoError, match="no 'nobody' account"):
            demo.seeded.account("nobody")
        second = Demo(base, workdir)
        with pytest.raises(DemoError, match="another kiosk demo is running"):
            second.start()
        assert (workdir / "central.db").stat().st_size > 1000  # the running demo's, not wiped
    assert_server_gone(url)
    assert demo.server is None and demo.cash is None and demo.printer is None


def test_notes_for_covers_the_amount_with_at_most_one_surplus_note() -> None:
    notes = (1000, 2000, 5000, 10000)
    assert notes_for(33722, notes) == [10000, 10000, 10000, 2000, 1000, 1000]
    assert notes_for(15000, notes) == [10000, 5000]
    assert notes_for(100, notes) == [1000]
    for amount in (1, 999, 1001, 12345, 499999):
        fed = notes_for(amount, notes)
        assert sum(fed) >= amount > sum(fed[:-1])
    with pytest.raises(DemoError, match="more than"):
        notes_for(10_000_000, notes)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, False),
        ({"DISPLAY": ":0"}, True),
        ({"WAYLAND_DISPLAY": "wayland-0"}, True),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, False),
    ],
)
def test_display_detection(env: dict[str, str], expected: bool) -> None:
    if sys.platform in ("darwin", "win32"):
        pytest.skip("no X11/Wayland variables there")
    assert has_display(env) is expected
