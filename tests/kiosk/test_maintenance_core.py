"""The maintenance screen's rules over the real engine stepped in-process
(tests/support/engine_harness.py): the screen sees the engine only through its
``EngineFace``. The same screens run end to end, with the window, the emulators and the real
server, in tests/ui/test_maintenance_engine.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drivers.cash.api import Decision
from kiosk.engine.maintenance_face import MaintenanceFace
from kiosk.maintenance.engine_face import EngineFace
from kiosk.technicians import Registry, Role
from tests.support.engine_harness import EngineHarness

TECH = ("T1", "张工", "246810")
ACCOUNT = "3100000001"


@pytest.fixture
def h(tmp_path: Path) -> Iterator[EngineHarness]:
    harness = EngineHarness.start(tmp_path, maintenance={"pin_attempts": 3, "lockout_s": 60})
    harness.central.add_account(ACCOUNT, due_fen=15000)
    Registry(harness.journal).add(TECH[0], TECH[1], Role.TECHNICIAN, TECH[2])
    try:
        yield harness
    finally:
        harness.stop()


def act(h: EngineHarness, action: str, **args: Any) -> dict[str, Any]:
    snap = h.intent("maintenance", action=action, **args)
    return snap["maintenance"] or {}


def logged_in(h: EngineHarness) -> dict[str, Any]:
    act(h, "open")
    return act(h, "login", technician_id=TECH[0], pin=TECH[2])


def test_the_screen_is_handed_the_face_not_the_engine(h: EngineHarness) -> None:
    face = h.engine.maintenance.engine
    assert isinstance(face, MaintenanceFace)
    assert not hasattr(face, "session")  # the customer's session is out of its reach
    assert not hasattr(face, "journal_event")
    checked: EngineFace = face  # mypy checks the adapter against the protocol
    assert checked.state.value == "home"


def test_the_screen_does_not_open_while_a_customer_pays(h: EngineHarness) -> None:
    h.to_cash_insert(ACCOUNT)
    h.acceptor.insert(5000)
    snap = h.intent("maintenance", action="open")
    assert snap["state"] == "cash_insert"
    assert "a payment is under way" in h.engine.refused[-1]


def test_the_acceptor_is_off_while_the_screen_is_open(h: EngineHarness) -> None:
    h.to_cash_insert(ACCOUNT)  # enabled for a customer ...
    h.intent("cancel")
    h.advance(h.config.timeouts.done_screen_s)
    assert h.state == "home"
    act(h, "open")
    assert h.state == "maintenance"
    assert h.acceptor.enabled == frozenset()


def test_the_acceptor_test_shows_notes_returns_them_and_credits_nothing(
    h: EngineHarness,
) -> None:
    assert logged_in(h)["user"]["id"] == TECH[0]
    m = act(h, "acceptor_test", on=True)
    assert m["test_mode"] is True
    assert h.acceptor.enabled == frozenset(h.acceptor.table.values())  # every note it knows
    assert h.acceptor.insert(10000) is Decision.RETURN
    assert h.acceptor.insert(500) is Decision.RETURN
    assert h.snapshot()["maintenance"]["test_notes"] == [10000, 500]
    assert h.acceptor.cassette == []
    assert h.engine.checks.cashbox_counts() == {}
    m = act(h, "logout")
    assert h.acceptor.enabled == frozenset()  # logging out ends the test
    assert h.engine.cash.test_mode is False


def test_a_technician_who_walks_away_is_logged_out(h: EngineHarness) -> None:
    logged_in(h)
    idle = h.config.maintenance.idle_logout_s
    h.advance(idle - 1)
    assert h.snapshot()["maintenance"]["user"] is not None
    act(h, "status")  # reading a page counts as being there
    h.advance(idle - 1)
    assert h.state == "maintenance"
    h.advance(1)
    assert h.state == "home"
    audit = [(e.payload["action"], e.payload["result"]) for e in h.journal.events(kinds=("audit",))]
    assert ("logout", "idle_logout") in audit


def test_an_action_the_table_does_not_name_is_refused_and_audited(h: EngineHarness) -> None:
    logged_in(h)
    m = act(h, "journal_event", kind="stacked")
    assert m["message"]["code"] == "unknown_action"
    last = h.journal.events(kinds=("audit",))[-1].payload
    assert last["result"] == "refused_unknown_action"


def test_the_status_page_reports_uptime_by_the_engines_clock(h: EngineHarness) -> None:
    logged_in(h)
    h.advance(20)  # the harness started its engine a second before the test
    act(h, "status")
    assert h.snapshot()["maintenance"]["view"]["status"]["uptime_s"] == 21
