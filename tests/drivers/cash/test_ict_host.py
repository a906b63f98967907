"""The ICT host against the ICT emulator over a real pty: what differs from CCNET and ID-003."""

from __future__ import annotations

import pytest

from drivers.cash import (
    AcceptorEvent,
    Decision,
    Escrow,
    Fault,
    FaultCleared,
    FaultKind,
    PowerUp,
    Ready,
    Returned,
    Stacked,
)
from drivers.emulators.cash import CashEmulator
from tests.drivers.cash.conftest import FAST, Rig

EVERY_NOTE = frozenset({100, 500, 1000, 2000, 5000, 10000})


@pytest.fixture
def protocol() -> str:
    return "ict"


def ready(rig: Rig, **overrides: object) -> None:
    """Started and enabled: ICT enables every bill type at once."""
    mark = rig.events.mark()
    host = rig.start_host(**overrides)
    rig.events.wait_for(Ready, after=mark)
    host.enable(EVERY_NOTE)
    rig.emulator.wait_for(lambda s: s["state"] == "idle")


def test_start_answers_the_power_up_and_reads_the_table_from_configuration(rig: Rig) -> None:
    host = rig.start_host(bill_types={0x40: 1000, 0x41: 2000})
    ready_event = rig.events.wait_for(Ready)
    assert isinstance(rig.events.events[0], PowerUp)
    assert ready_event.identity.protocol == "ict"
    assert ready_event.identity.table_code == "config"
    assert dict(ready_event.bill_table) == {0x40: 1000, 0x41: 2000}
    assert host.connected
    # the host disables until asked (5E); the device had enabled itself after 02
    rig.emulator.wait_for(lambda s: s["state"] == "disabled")


def test_a_bill_is_stacked_and_counted(rig: Rig) -> None:
    ready(rig)
    rig.emulator.insert(2000)
    escrow = rig.events.wait_for(Escrow)
    stacked = rig.events.wait_for(Stacked)
    assert (escrow.bill_type, escrow.denomination_fen) == (0x43, 2000)
    assert (stacked.bill_type, stacked.denomination_fen) == (0x43, 2000)
    rig.emulator.wait_for(lambda s: s["state"] == "idle" and s["cassette"] == {"2000": 1})
    assert rig.events.of(Returned) == []


def test_a_returned_bill_is_not_counted(rig: Rig) -> None:
    rig.decider.decision = Decision.RETURN
    ready(rig)
    rig.emulator.insert(5000)
    assert rig.events.wait_for(Returned).denomination_fen == 5000
    status = rig.emulator.wait_for(lambda s: s["state"] == "idle")
    assert status["cassette"] == {}
    assert rig.events.of(Stacked) == []


def test_an_undelivered_stacked_report_is_offered_again(rig: Rig) -> None:
    attempts: list[AcceptorEvent] = []

    def flaky(event: AcceptorEvent) -> None:
        if isinstance(event, Stacked):
            attempts.append(event)
            if len(attempts) < 3:
                raise OSError("disk full")

    ready(rig)
    rig.events.before = flaky
    rig.emulator.insert(1000)
    rig.events.wait_for(Stacked)
    assert len(attempts) == 3  # the device said 10 once; the host kept it until delivered
    assert len(rig.events.of(Stacked)) == 1
    rig.emulator.wait_for(lambda s: s["state"] == "idle")
    rig.emulator.insert(500)
    rig.events.wait_for(Stacked, lambda e: e.denomination_fen == 500)


def test_a_jam_is_a_fault_until_the_device_says_it_is_cleared(rig: Rig) -> None:
    ready(rig)
    mark = rig.events.mark()
    rig.emulator.jam("validator")
    assert rig.events.wait_for(Fault, after=mark).kind is FaultKind.VALIDATOR_JAM
    rig.emulator.clear_jam()
    assert rig.events.wait_for(FaultCleared, after=mark).kind is FaultKind.VALIDATOR_JAM


def test_an_unanswered_power_up_leaves_the_device_inhibited() -> None:
    with CashEmulator("ict", timings=FAST) as emulator:
        # nobody answers 80 8F: after 2 s the device inhibits itself
        status = emulator.wait_for(lambda s: s["phase"] == "settled", timeout_s=10)
        assert status["state"] == "disabled"
        assert status["enabled_fen"] == []


def test_a_host_that_comes_late_starts_the_device_up(rig: Rig) -> None:
    rig.emulator.wait_for(lambda s: s["last_status"] == "" and s["phase"] == "settled")
    ready(rig)  # 26 seen, RESET, 80 8F answered in time, enabled
    assert rig.events.of(PowerUp)[0].bill_in is None
    rig.emulator.insert(100)
    assert rig.events.wait_for(Stacked).denomination_fen == 100


def test_a_power_cycle_while_running_starts_the_device_up_again(rig: Rig) -> None:
    ready(rig)
    mark = rig.events.mark()
    rig.emulator.power_cycle()
    assert rig.events.wait_for(PowerUp, after=mark).bill_in is None  # ICT cannot say more
    rig.events.wait_for(Ready, after=mark)
    rig.emulator.wait_for(lambda s: s["state"] == "idle")  # the host enabled it again
    rig.emulator.insert(1000)
    assert rig.events.wait_for(Stacked, after=mark).denomination_fen == 1000
