"""Operator accounts: scrypt passwords, lockout, session cookies, CSRF, the audit log."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from central import operators
from central.cli import main
from central.schema_fleet import Role, audit_log
from central.schema_fleet import operators as operators_table
from tests.central.conftest import Live
from tests.central.console_helpers import PASSWORD, csrf, login, new_operator


def test_passwords_are_scrypt_hashes_that_check_only_the_right_password() -> None:
    stored = operators.hash_password("a long password")
    assert stored.startswith("scrypt$") and "a long password" not in stored
    assert operators.password_ok(stored, "a long password")
    assert not operators.password_ok(stored, "a long passworD")
    assert operators.hash_password("a long password") != stored  # salted


def test_cli_adds_an_operator_with_the_password_from_stdin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'ops.db'}"
    assert main(["init-db", "--db", db]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-enough-pass\n"))
    assert main(["operators", "add", "alice", "--role", "admin", "--db", db]) == 0
    assert main(["operators", "list", "--db", db]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {"operator": "alice", "role": "admin", "added": True} in lines
    assert any(line.get("name") == "alice" and line.get("role") == "admin" for line in lines)
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["operators", "add", "bob", "--db", db]) == 1  # too short: refused


def test_login_sets_an_httponly_samesite_cookie_and_logout_needs_the_csrf_token(
    live: Live,
) -> None:
    name = new_operator(live, Role.VIEWER)
    browser = login(live, name)
    cookie = next(c for c in browser.cookies if c.name == "central_console")
    assert cookie.has_nonstandard_attr("HttpOnly")
    assert str(cookie.get_nonstandard_attr("SameSite")).lower() == "strict"
    page = browser.get(live.url + "/console/audit", timeout=30)
    assert page.status_code == 200 and name in page.text
    forged = browser.post(live.url + "/console/logout", data={"csrf": "guess"}, timeout=30)
    assert forged.status_code == 403
    assert browser.get(live.url + "/console/audit", timeout=30).url.endswith("/console/audit")
    token = csrf(browser, live.url + "/console/audit")
    browser.post(live.url + "/console/logout", data={"csrf": token}, timeout=30)
    assert "/console/login" in browser.get(live.url + "/console/audit", timeout=30).url


def test_a_login_form_without_its_csrf_cookie_is_refused(live: Live) -> None:
    name = new_operator(live)
    answer = requests.post(
        live.url + "/console/login",
        data={"csrf": "x", "name": name, "password": PASSWORD},
        timeout=30,
        allow_redirects=False,
    )
    assert answer.status_code == 403


def test_pages_need_a_session(live: Live) -> None:
    answer = requests.get(live.url + "/console/audit", timeout=30, allow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/console/login?next=%2Fconsole%2Faudit")


def test_repeated_wrong_passwords_lock_the_account_even_for_the_right_one(live: Live) -> None:
    name = new_operator(live)
    limit = live.central.config.console.lockout_after_failures
    for _ in range(limit):
        with pytest.raises(operators.LoginRefused):
            operators.login(live.central, name, "wrong password!")
    with pytest.raises(operators.LoginRefused) as refused:
        operators.login(live.central, name, PASSWORD)
    assert refused.value.locked_until is not None
    with live.engine.connect() as conn:
        actions = list(
            conn.execute(
                select(audit_log.c.action).where(audit_log.c.actor == name).order_by(audit_log.c.id)
            ).scalars()
        )
        locked = conn.execute(
            select(operators_table.c.locked_until).where(operators_table.c.name == name)
        ).scalar_one()
    assert actions == ["login_failed"] * (limit - 1) + [
        "operator_locked",
        "login_failed",
    ]
    assert locked is not None


def test_the_lockout_ends_after_its_time(live: Live) -> None:
    name = new_operator(live)
    for _ in range(live.central.config.console.lockout_after_failures):
        with pytest.raises(operators.LoginRefused):
            operators.login(live.central, name, "wrong password!")
    real = live.central.clock
    later = real() + __import__("datetime").timedelta(
        seconds=live.central.config.console.lockout_s + 1
    )
    live.central.clock = lambda: later
    try:
        assert operators.login(live.central, name, PASSWORD).operator.name == name
    finally:
        live.central.clock = real
