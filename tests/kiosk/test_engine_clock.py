"""The engine's view of the server's clock and of refused credentials, through the real
engine, emulators and central server: the offset in the snapshot and the maintenance status,
and no method offered while the server refuses the kiosk (here: disabled on the server)."""

import pytest

from tests.support.kiosk_stack import KioskStack, stack_fixture


@pytest.fixture
def stack(tmp_path, shared_central_server):
    yield from stack_fixture(tmp_path, shared_central_server, protocol="ccnet")


def test_the_clock_offset_is_in_the_snapshot_and_the_status(stack: KioskStack) -> None:
    snap = stack.wait_for("methods.qr.ok", True)  # the server has answered
    assert snap["clock_offset_s"] in (-1, 0, 1)  # this machine's clock is the server's
    status = stack.engine.maintenance._server_status()
    assert status["clock_offset_s"] in (-1, 0, 1)
    assert status["clock_warning"] is False
    assert status["auth_refused"] is None


def test_a_disabled_kiosk_offers_nothing_and_says_why_until_enabled(stack: KioskStack) -> None:
    server, kiosk_id = stack.server, stack.config.kiosk.id
    server.admin("disable-kiosk", kiosk_id)
    try:
        snap = stack.wait_for("methods.cash.reason", "server_auth")  # by the next heartbeat
        assert snap["methods"]["qr"]["reason"] == "server_auth"
        assert snap["outbox"]["parked"] == "kiosk_disabled"
        assert stack.engine.maintenance._server_status()["auth_refused"] == "kiosk_disabled"
    finally:
        server.admin("enable-kiosk", kiosk_id)
    snap = stack.wait_for("methods.cash.ok", True)  # the next heartbeat gets through
    assert snap["outbox"]["parked"] is None
