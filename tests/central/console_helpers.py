"""Log in to the console with requests, as a browser would (cookies, CSRF tokens in forms)."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime

import requests

from central import operators
from central.schema_fleet import Role
from tests.central.conftest import Live

PASSWORD = "correct horse battery"
_names = itertools.count(1)
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def new_operator(live: Live, role: Role = Role.OPERATOR) -> str:
    name = f"op{next(_names)}-{role.value}"
    operators.add(live.engine, name, role, PASSWORD, now=datetime.now(UTC))
    return name


def login(live: Live, name: str, password: str = PASSWORD) -> requests.Session:
    browser = requests.Session()
    page = browser.get(live.url + "/console/login", timeout=30)
    token = CSRF.search(page.text)
    assert token is not None
    answer = browser.post(
        live.url + "/console/login",
        data={"csrf": token.group(1), "name": name, "password": password, "next": "/console/audit"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text[:500]
    return browser


def csrf(browser: requests.Session, url: str) -> str:
    token = CSRF.search(browser.get(url, timeout=30).text)
    assert token is not None
    return token.group(1)
