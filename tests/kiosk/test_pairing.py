"""Pairing (kiosk/pairing.py) and the maintenance screen's `pair` action, against the real
central server: a good code writes the secret (0600) that the kiosk's next signed call works
with; a used or wrong code is refused with what to do and writes nothing; a malformed code
never reaches the server; collectors may not pair; every attempt is audited without the code
or the secret."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from central import pairing as central_pairing
from kiosk import pairing
from kiosk.central_client import CentralClient
from kiosk.technicians import Registry, Role
from tests.kiosk.test_maintenance_actions import COLLECTOR, TECH, Maint
from tests.support.central_server import CentralServer
from tests.support.kiosk_stack import KioskStack, new_kiosk


def pair_code(server: CentralServer, kiosk_id: str) -> str:
    issued = server.admin("pair-code", kiosk_id)
    return str(json.loads(issued.stdout.strip().splitlines()[-1])["code"])


def signs(server: CentralServer, kiosk_id: str, secret: str) -> bool:
    client = CentralClient(server.url, kiosk_id, secret, connect_timeout_s=2, read_timeout_s=5)
    return client.ping() >= 0


# ------------------------------------------------------------------ the code's shape
def test_the_kiosk_knows_the_codes_the_central_server_issues() -> None:
    assert pairing.CODE_ALPHABET == central_pairing.CODE_ALPHABET
    assert pairing.CODE_LENGTH == central_pairing.CODE_LENGTH


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("H7QK-2MXP-9TRD", "H7QK2MXP9TRD"),
        ("h7qk 2mxp 9trd", "H7QK2MXP9TRD"),
        ("H7QK2MXP9TRD", "H7QK2MXP9TRD"),
        (" h7qk-2mxp9trd ", "H7QK2MXP9TRD"),
    ],
)
def test_dashes_spaces_and_case_are_optional(typed: str, normal: str) -> None:
    assert pairing.normalise_code(typed) == normal
    assert pairing.grouped(normal) == "H7QK-2MXP-9TRD"


@pytest.mark.parametrize(
    "typed",
    ["", "ABCD-EFGH-JKM", "ABCD-EFGH-JKMNP", "ABCD-EFGH-JKM0", "ABCD-EFGH-JKMI", "ABCD_EFGH_JKMN"],
)
def test_a_malformed_code_is_refused_without_echoing_it(typed: str) -> None:
    with pytest.raises(pairing.MalformedCode, match="12 letters and digits") as refused:
        pairing.normalise_code(typed)
    assert not typed or typed not in str(refused.value)


# ------------------------------------------------------------------ the module, as the CLI uses it
def test_an_unwritable_place_spends_no_code(
    shared_central_server: CentralServer, tmp_path: Path
) -> None:
    kiosk_id, _ = new_kiosk(shared_central_server)
    code = pair_code(shared_central_server, kiosk_id)
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    with pytest.raises(pairing.SecretNotWritable, match="cannot write"):
        pairing.pair(shared_central_server.url, kiosk_id, code, tmp_path / "a-file" / "secret")
    secret_file = tmp_path / "secret"
    pairing.pair(shared_central_server.url, kiosk_id, code, secret_file)  # the code still works
    assert signs(shared_central_server, kiosk_id, secret_file.read_text(encoding="utf-8").strip())


def test_an_unreachable_server_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(pairing.ServerUnreachable, match=r"cannot reach http://127\.0\.0\.1:9"):
        pairing.pair("http://127.0.0.1:9", "K0001", "H7QK2MXP9TRD", tmp_path / "secret")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ the maintenance action
@pytest.fixture
def maint(tmp_path: Path, shared_central_server: CentralServer) -> Iterator[Maint]:
    """A kiosk whose pairing writes under tmp_path, with a technician and a collector."""
    stack = KioskStack.start(
        tmp_path,
        shared_central_server,
        protocol="ccnet",
        central={"secret_file": tmp_path / "etc" / "kiosk" / "secret"},
    )
    try:
        registry = Registry(stack.engine.journal)
        for who, role in ((TECH, Role.TECHNICIAN), (COLLECTOR, Role.COLLECTOR)):
            stack.engine.call(lambda w=who, r=role: registry.add(w[0], w[1], r, w[2]))
        yield Maint(stack)
    finally:
        stack.stop()


def pair_view(maint: Maint, state: str) -> dict[str, Any]:
    snap = maint.stack.wait_for("maintenance.view.pair.state", state)
    return dict(snap["maintenance"]["view"]["pair"])


def pair_audits(maint: Maint) -> list[tuple[str | None, str]]:
    return [
        (e.actor, e.payload["result"])
        for e in maint.engine.journal.events(kinds=("audit",))
        if e.payload["action"] == "pair"
    ]


def test_a_technician_pairs_with_a_code_and_the_kiosk_signs_with_the_new_secret(
    maint: Maint,
) -> None:
    server, cfg = maint.stack.server, maint.engine.config
    secret_file = cfg.central.secret_file
    code = pair_code(server, cfg.kiosk.id)
    maint.login(TECH)

    # Malformed codes are refused on the kiosk: five of them would burn the code if they
    # reached the server (five wrong codes do), and the good code still works below.
    for typed in ("H7QK", "0000-0000-0000", "IIII-LLLL-OOOO", code + "X", "H7QK-2MXP-9TR!"):
        assert maint.handle("pair", code=typed) is None
        view = pair_view(maint, "malformed")
        assert "12 letters and digits" in view["detail"]
    assert not secret_file.exists()

    # A well-formed wrong code is refused by the server, with what to do; nothing is written.
    wrong = "ABCD-EFGH-JKMN" if code != "ABCD-EFGH-JKMN" else "ABCD-EFGH-JKMP"
    maint.handle("pair", code=wrong)
    view = pair_view(maint, "refused")
    assert "kiosk-central pair-code" in view["detail"]
    assert view["kiosk_id"] == cfg.kiosk.id and view["url"] == cfg.central.url
    assert not secret_file.exists()
    assert not list(secret_file.parent.glob(".secret-*"))

    # The good code, typed loosely: the secret lands in the file, 0600, and signs.
    maint.handle("pair", code=code.lower().replace("-", " "))
    view = pair_view(maint, "paired")
    assert view["secret_file"] == str(secret_file)
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    secret = secret_file.read_text(encoding="utf-8").strip()
    assert secret != cfg.central.secret  # a new one
    assert signs(server, cfg.kiosk.id, secret)

    # The same code again: used, refused, and the secret stays as it was.
    maint.handle("pair", code=code)
    pair_view(maint, "refused")
    assert secret_file.read_text(encoding="utf-8").strip() == secret

    # Every attempt is audited, by whom and how it ended, never with the code or the secret.
    assert pair_audits(maint) == [
        *[(TECH[0], "refused_malformed")] * 5,
        (TECH[0], "started"),
        (TECH[0], "refused"),
        (TECH[0], "started"),
        (TECH[0], "paired"),
        (TECH[0], "started"),
        (TECH[0], "refused"),
    ]
    trail = json.dumps([e.as_json() for e in maint.engine.journal.events()])
    for word in (secret, code, code.replace("-", ""), wrong.replace("-", "")):
        assert word not in trail
    assert maint.engine.journal.verify().ok


def test_a_collector_may_not_pair(maint: Maint) -> None:
    code = pair_code(maint.stack.server, maint.engine.config.kiosk.id)
    maint.login(COLLECTOR)
    message = maint.handle("pair", code=code)
    assert message == {"code": "not_allowed", "detail": "pair"}
    assert pair_audits(maint) == [(COLLECTOR[0], "refused_role")]
    assert not maint.engine.config.central.secret_file.exists()
    assert "pair" not in (maint.engine.maintenance.view or {})
