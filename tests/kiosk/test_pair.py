"""`kiosk pair`: a one-time code from the real central server gives this kiosk its secret.

`kiosk pair URL CODE` takes the kiosk id and the secret file from the kiosk's config (as the
kiosk reads it at start); `kiosk pair URL KIOSK_ID CODE` still works. `kiosk check-config`
passes a kiosk not paired yet and says so."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

from kiosk import config
from kiosk.central_client import CentralClient
from tests.support.central_server import REPO, CentralServer
from tests.support.kiosk_stack import new_kiosk


def kiosk_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("KIOSK_SECRET", "KIOSK_CONFIG")}
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        check=False,
        env=env,
    )


def site_config(tmp_path: Path, kiosk_id: str) -> Path:
    """A kiosk's config as a site has it: its own id and data directory, no secret in it."""
    text = config.DEFAULT_CONFIG.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^secret = .*$", "", text)
    text = re.sub(r'(?m)^id = ".*"', f'id = "{kiosk_id}"', text, count=1)
    text = re.sub(r'(?m)^data_dir = ".*"', f'data_dir = "{tmp_path / "data"}"', text)
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def issue_code(server: CentralServer, kiosk_id: str) -> str:
    issued = server.admin("pair-code", kiosk_id)
    return str(json.loads(issued.stdout.strip().splitlines()[-1])["code"])


def test_kiosk_pair_url_code_takes_the_id_and_the_secret_file_from_the_config(
    shared_central_server: CentralServer, tmp_path: Path
) -> None:
    kiosk_id, _old = new_kiosk(shared_central_server)
    site = site_config(tmp_path, kiosk_id)

    # Not paired yet: the config passes (the kiosk must start to be paired), and says so.
    before = kiosk_cli("check-config", site)
    assert before.returncode == 0, before.stderr
    assert json.loads(before.stdout)["paired"] is False
    assert f"{kiosk_id} is not paired yet" in before.stderr
    assert "kiosk pair URL CODE" in before.stderr

    code = issue_code(shared_central_server, kiosk_id)
    done = kiosk_cli("pair", shared_central_server.url, code, "--config", site)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    secret_file = tmp_path / "data" / "secret"  # <kiosk.data_dir>/secret: what the kiosk reads
    assert answer["paired"] == kiosk_id
    assert answer["secret_file"] == str(secret_file)
    assert "no restart" in answer["next"]
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    secret = secret_file.read_text(encoding="utf-8").strip()
    assert secret not in done.stdout + done.stderr
    client = CentralClient(
        shared_central_server.url, kiosk_id, secret, connect_timeout_s=2, read_timeout_s=5
    )
    assert client.ping() >= 0

    after = kiosk_cli("check-config", site)
    assert after.returncode == 0, after.stderr
    summary = json.loads(after.stdout)
    assert (summary["paired"], summary["secret"]) == (True, str(secret_file))
    assert "not paired" not in after.stderr
    assert secret not in after.stdout + after.stderr


def test_the_old_form_checks_its_kiosk_id_against_the_config(
    shared_central_server: CentralServer, tmp_path: Path
) -> None:
    kiosk_id, _old = new_kiosk(shared_central_server)
    site = site_config(tmp_path, kiosk_id)
    code = issue_code(shared_central_server, kiosk_id)

    wrong = kiosk_cli("pair", shared_central_server.url, "K9999", code, "--config", site)
    assert wrong.returncode == 2
    assert f"kiosk.id is {kiosk_id}, not K9999" in wrong.stderr
    assert not (tmp_path / "data").exists()  # nothing written, the code not spent

    done = kiosk_cli("pair", shared_central_server.url, kiosk_id, code, "--config", site)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["secret_file"] == str(tmp_path / "data" / "secret")


def test_a_short_secret_file_stops_check_config_but_not_the_pairing_that_replaces_it(
    shared_central_server: CentralServer, tmp_path: Path
) -> None:
    kiosk_id, _old = new_kiosk(shared_central_server)
    site = site_config(tmp_path, kiosk_id)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "secret").write_text("truncated\n", encoding="utf-8")
    refused = kiosk_cli("check-config", site)
    assert refused.returncode == 2
    assert "central.secret: the secret in" in refused.stderr
    assert "9 characters, must be at least 16" in refused.stderr

    code = issue_code(shared_central_server, kiosk_id)
    done = kiosk_cli("pair", shared_central_server.url, code, "--config", site)
    assert done.returncode == 0, done.stderr
    assert kiosk_cli("check-config", site).returncode == 0


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


def test_kiosk_run_starts_a_kiosk_never_paired_out_of_service_saying_why(tmp_path: Path) -> None:
    """No secret, no server needed: nothing is sent unsigned, and the screen says why."""
    site = site_config(tmp_path, "K0042")
    script = tmp_path / "script.jsonl"
    script.write_text(
        json.dumps({"wait": "out_of_service"})
        + "\n"
        + json.dumps({"wait_for": "methods.cash.reason", "equals": "unpaired"})
        + "\n",
        encoding="utf-8",
    )
    done = kiosk_cli("run", "--headless", "--config", site, "--script", script)
    assert done.returncode == 0, done.stderr
    last = json.loads(done.stdout.strip().splitlines()[-1])
    assert {m["reason"] for m in last["methods"].values()} == {"unpaired"}
    assert "K0042 is not paired" in done.stderr
