"""`kiosk pair`: a one-time code from the real central server gives this kiosk its secret."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

from kiosk.central_client import CentralClient
from tests.support.central_server import REPO, CentralServer
from tests.support.kiosk_stack import new_kiosk


def pair(
    server: CentralServer, kiosk_id: str, code: str, secret_file: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk.cli",
            "pair",
            server.url,
            kiosk_id,
            code,
            "--secret-file",
            str(secret_file),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        check=False,
    )


def test_a_pairing_code_gives_a_secret_that_signs_and_cannot_be_used_twice(
    shared_central_server: CentralServer, tmp_path: Path
) -> None:
    kiosk_id, _old = new_kiosk(shared_central_server)
    issued = shared_central_server.admin("pair-code", kiosk_id)
    code = json.loads(issued.stdout.strip().splitlines()[-1])["code"]
    secret_file = tmp_path / "etc" / "secret"

    done = pair(shared_central_server, kiosk_id, code, secret_file)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["paired"] == kiosk_id
    secret = secret_file.read_text(encoding="utf-8").strip()
    assert secret not in done.stdout + done.stderr  # never printed
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    client = CentralClient(
        shared_central_server.url, kiosk_id, secret, connect_timeout_s=2, read_timeout_s=5
    )
    assert client.ping() >= 0  # the new secret signs

    again = pair(shared_central_server, kiosk_id, code, tmp_path / "other")
    assert again.returncode == 1
    assert "wrong, used or expired" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "other").exists()
    assert not list(tmp_path.glob(".secret-*"))  # nothing half-written left behind


def test_an_unreachable_server_is_one_clear_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk.cli",
            "pair",
            "http://127.0.0.1:9",
            "K0001",
            "ABCD-EFGH",
            "--secret-file",
            str(tmp_path / "secret"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        check=False,
    )
    assert done.returncode == 1
    assert "cannot reach http://127.0.0.1:9/v1/pair" in done.stderr
    assert not (tmp_path / "secret").exists()
