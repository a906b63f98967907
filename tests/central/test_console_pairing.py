"""Pairing with one-time codes; secret rotation with a grace period for the old secret."""

from __future__ import annotations

import json
import re

import pytest
import requests

from central.cli import main
from central.schema_fleet import Role
from tests.central.conftest import Live
from tests.central.console_helpers import csrf, login, new_operator
from tests.central.fleet_helpers import later, server_time
from tests.central.wire_helpers import send


def _code(live: Live, capsys: pytest.CaptureFixture[str], kiosk_id: str) -> str:
    assert main(["pair-code", kiosk_id, "--db", live.central.config.server.database_url]) == 0
    line = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert line["kiosk_id"] == kiosk_id
    return str(line["code"])


def _pair(live: Live, kiosk_id: str, code: str) -> requests.Response:
    return requests.post(
        live.url + "/v1/pair", json={"kiosk_id": kiosk_id, "code": code}, timeout=30
    )


def _ping(live: Live, kiosk_id: str, secret: str) -> int:
    return send(live.url, "GET", "/v1/ping", kiosk_id=kiosk_id, secret=secret).status_code


def test_a_new_kiosk_pairs_once_with_its_code(
    live: Live, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _code(live, capsys, "PR1")
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    assert _pair(live, "PR1", "AAAA-AAAA-AAAA").status_code == 403
    paired = _pair(live, "PR1", code.lower().replace("-", ""))  # as typed on a keypad
    assert paired.status_code == 200
    assert paired.headers["cache-control"] == "no-store"
    secret = paired.json()["secret"]
    assert _ping(live, "PR1", secret) == 200
    again = _pair(live, "PR1", code)
    assert again.status_code == 403 and again.json() == {"error": "pairing_refused"}


def test_a_code_expires_and_five_wrong_codes_burn_it(
    live: Live, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _code(live, capsys, "PR2")
    with server_time(live, later(live.central.config.console.pair_code_ttl_s + 1)):
        assert _pair(live, "PR2", code).status_code == 403
    code = _code(live, capsys, "PR2")
    for _ in range(5):
        assert _pair(live, "PR2", "WRONG-CODE").status_code == 403
    assert _pair(live, "PR2", code).status_code == 403


def test_rotation_keeps_the_old_secret_valid_for_the_grace_period(live: Live) -> None:
    live.kiosk("PR3")
    old = live.kiosk_secrets["PR3"]
    admin = login(live, new_operator(live, Role.ADMIN))
    page = f"{live.url}/console/kiosks/PR3"
    rotated = admin.post(page + "/rotate", data={"csrf": csrf(admin, page)}, timeout=30)
    assert rotated.status_code == 200
    found = re.search(r'id="secret">([^<]+)<', rotated.text)
    assert found is not None
    new = found.group(1)
    assert _ping(live, "PR3", new) == 200
    assert _ping(live, "PR3", old) == 200  # queued payments signed with the old one still go
    grace = live.central.config.console.secret_grace_s
    with server_time(live, later(grace + 60)):
        assert _ping(live, "PR3", old) == 401
        assert _ping(live, "PR3", new) == 200
    viewer = login(live, new_operator(live, Role.VIEWER))
    refused = viewer.post(page + "/rotate", data={"csrf": csrf(viewer, page)}, timeout=30)
    assert refused.status_code == 403


def test_the_console_issues_pairing_codes_for_admins(live: Live) -> None:
    admin = login(live, new_operator(live, Role.ADMIN))
    page = f"{live.url}/console/kiosks/K0001"
    issued = admin.post(
        f"{live.url}/console/kiosks/PR4/pair-code", data={"csrf": csrf(admin, page)}, timeout=30
    )
    found = re.search(r'id="code">([^<]+)<', issued.text)
    assert found is not None
    assert _pair(live, "PR4", found.group(1)).status_code == 200
