"""Pairing (kiosk/pairing.py) and the maintenance screen's `pair` action, against the real
central server: a good code writes the secret (0600, atomically) that the kiosk signs with at
once, without a restart; a used or wrong code is refused with what to do and writes nothing; a
malformed code never reaches the server; collectors may not pair; every attempt is audited
without the code or the secret. A kiosk that was never paired starts out of service, says why,
and comes into service once paired, on the screen or by `kiosk pair` from a shell."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from central import pairing as central_pairing
from kiosk import pairing
from kiosk.central_client import CentralClient
from kiosk.secret_source import SecretSource
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


# ------------------------------------------------------------------ the write
def test_the_secret_is_written_atomically_and_private_whatever_the_umask(tmp_path: Path) -> None:
    """A 0600 temporary file in the same directory (so the rename is one atomic step), the old
    secret intact until the new one is complete, a new inode after, nothing left over."""
    path = tmp_path / "data" / "secret"
    path.parent.mkdir()
    path.write_text("old-secret-0123456789abcdef\n", encoding="utf-8")
    path.chmod(0o644)
    before = path.stat().st_ino
    umask = os.umask(0)  # the most permissive a caller could have
    try:
        with pairing.SecretWriter(path) as writer:
            (temporary,) = path.parent.glob(".secret-*")
            assert stat.S_IMODE(temporary.stat().st_mode) == 0o600
            assert path.read_text(encoding="utf-8") == "old-secret-0123456789abcdef\n"
            writer.commit("new-secret-0123456789abcdef")
    finally:
        os.umask(umask)
    assert path.read_text(encoding="utf-8") == "new-secret-0123456789abcdef\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.stat().st_ino != before  # renamed over, not rewritten in place
    assert sorted(p.name for p in path.parent.iterdir()) == ["secret"]


def test_a_write_that_fails_leaves_the_old_secret_and_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    path.write_text("old-secret-0123456789abcdef\n", encoding="utf-8")
    with pytest.raises(pairing.ServerUnreachable), pairing.SecretWriter(path):
        raise pairing.ServerUnreachable("the answer never came")
    assert path.read_text(encoding="utf-8") == "old-secret-0123456789abcdef\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret"]


@pytest.mark.skipif(os.geteuid() != 0, reason="only root writes files for another user")
def test_root_writing_into_the_kiosk_users_directory_leaves_the_file_to_that_user(
    tmp_path: Path,
) -> None:
    """`kiosk pair` run as root: the kiosk (another user) must still be able to read it."""
    data = tmp_path / "var-lib-kiosk"
    data.mkdir(mode=0o750)
    os.chown(data, 4242, 4343)
    with pairing.SecretWriter(data / "secret") as writer:
        writer.commit("k" * 43)
    info = (data / "secret").stat()
    assert (info.st_uid, info.st_gid) == (4242, 4343)
    assert stat.S_IMODE(info.st_mode) == 0o600


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
    # ... and the running kiosk signs with it now: no restart (what a restart would read)
    now = maint.engine.call(lambda: maint.engine.config)
    assert (now.central.secret, now.secret_source) == (secret, SecretSource.FILE)

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


# ------------------------------------------------------------------ a kiosk never paired
@pytest.fixture
def unpaired(tmp_path: Path, shared_central_server: CentralServer) -> Iterator[Maint]:
    """A kiosk registered on the server that has no secret yet, with a technician."""
    stack = KioskStack.start(tmp_path, shared_central_server, protocol="ccnet", paired=False)
    try:
        registry = Registry(stack.engine.journal)
        stack.engine.call(lambda: registry.add(TECH[0], TECH[1], Role.TECHNICIAN, TECH[2]))
        yield Maint(stack)
    finally:
        stack.stop()


def reasons(snap: dict[str, Any]) -> set[str]:
    return {str(m["reason"]) for m in snap["methods"].values()}


def test_a_kiosk_never_paired_starts_out_of_service_and_pairing_on_the_screen_brings_it_in(
    unpaired: Maint,
) -> None:
    stack, engine = unpaired.stack, unpaired.engine
    snap = stack.wait("out_of_service")
    assert reasons(snap) == {"unpaired"}
    assert not engine.central.paired
    secret_file = engine.config.central.secret_file
    assert not secret_file.exists()

    # The maintenance screen opens from out of service; the technician pairs there.
    unpaired.login(TECH)
    unpaired.handle("pair", code=pair_code(stack.server, engine.config.kiosk.id))
    pair_view(unpaired, "paired")
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    unpaired.handle("close")

    # In service with no restart: cash at once, and the online methods once the heartbeat,
    # sent signed with the new secret, is answered (refused, they would say server_auth).
    snap = stack.wait_for("methods.cash.ok", True)
    assert snap["state"] == "home"
    snap = stack.wait_for("methods.qr.ok", True)
    assert snap["outbox"]["parked"] is None
    assert signs(stack.server, engine.config.kiosk.id, secret_file.read_text().strip())


def test_a_secret_that_kiosk_pair_writes_beside_a_running_kiosk_is_taken_up_by_itself(
    unpaired: Maint,
) -> None:
    """`kiosk pair` from a shell on a running kiosk: its next health round finds the file."""
    stack, engine = unpaired.stack, unpaired.engine
    stack.wait("out_of_service")
    cfg = engine.config
    code = pair_code(stack.server, cfg.kiosk.id)
    pairing.pair(stack.server.url, cfg.kiosk.id, code, cfg.central.secret_file)  # what it runs
    snap = stack.wait_for("methods.cash.ok", True)
    assert snap["state"] == "home"
    assert engine.call(lambda: engine.config.secret_source) is SecretSource.FILE


def test_pairing_is_refused_unspent_while_a_credential_would_undo_it_at_the_next_start(
    maint: Maint,
) -> None:
    engine = maint.engine
    engine.call(
        lambda: setattr(
            engine,
            "config",
            dataclasses.replace(engine.config, secret_source=SecretSource.CREDENTIAL),
        )
    )
    code = pair_code(maint.stack.server, engine.config.kiosk.id)
    maint.login(TECH)
    maint.handle("pair", code=code)
    assert pair_view(maint, "overridden")["source"] == "credential"
    assert not engine.config.central.secret_file.exists()
    assert pair_audits(maint) == [(TECH[0], "refused_overridden")]
    # the code was never sent: it still pairs
    pairing.pair(
        maint.stack.server.url, engine.config.kiosk.id, code, engine.config.central.secret_file
    )
