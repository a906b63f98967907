"""Device faults while the kiosk runs: the bill acceptor loses power, its cable is pulled, or it
goes silent, at escrow or while a note stacks (real emulator processes, driven from outside).

The device's own evidence settles the note while the kiosk runs, as it does after a restart:
power-up with the bill in the stacker credits it, power-up with the bill in the validator
means it went back, and a late stacked report settles the same pending decision. A suspect is
only what the device truly cannot tell. Every run ends with the checks of fault_rig.py.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability.fault_rig import FaultRig, fault_rig, report
from tests.support.central_server import CentralServer, start_central_server

pytestmark = pytest.mark.slow

AMOUNT_FEN = 15000


@pytest.fixture(scope="module")
def device_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralServer]:
    server = start_central_server(tmp_path_factory.mktemp("central"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module", params=["ccnet", "id003"])
def rig(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    device_server: CentralServer,
) -> Iterator[FaultRig]:
    protocol = getattr(request, "param", "ccnet")
    work = tmp_path_factory.mktemp(f"devices-{protocol}")
    with fault_rig(work, device_server, protocol, speed=1.0) as made:
        yield made


def test_power_cut_while_stacking_credits_the_note_by_the_power_up_report(
    rig: FaultRig, tmp_path: Path
) -> None:
    began = time.monotonic()
    run = rig.start_payment(tmp_path, amount_fen=AMOUNT_FEN, expected_fen=10000)
    try:
        rig.insert(run, 10000)
        rig.wait_phase(run, "stacking")
        assert rig.cash.ctl("power-cycle true")["power_up"] == "stacker"
        outcome = rig.finish(run)
    finally:
        run.kiosk.stop()
    report(rig.protocol, "power_cut_while_stacking", outcome, began)
    assert outcome["credited_fen"] == outcome["cassette_fen"] == 10000
    assert not outcome["suspects"]


@pytest.fixture(scope="module")
def ict_rig(
    tmp_path_factory: pytest.TempPathFactory, device_server: CentralServer
) -> Iterator[FaultRig]:
    with fault_rig(tmp_path_factory.mktemp("devices-ict"), device_server, "ict", speed=1.0) as made:
        yield made


def test_power_cut_while_stacking_on_ict_leaves_the_note_to_a_technician(
    ict_rig: FaultRig, tmp_path: Path
) -> None:
    """ICT's power-up (80 8F) cannot say where the bill was: the note is in the box, but the
    kiosk cannot know it. It is held unsettled at once (the customer sees it pending, not lost)
    and becomes a suspect for the cash-box check; nothing is credited on a guess."""
    rig = ict_rig
    began = time.monotonic()
    run = rig.start_payment(
        tmp_path,
        amount_fen=AMOUNT_FEN,
        expected_fen=10000,
        finish_when=("cash.unsettled_fen", 10000),
        then=[{"wait_for": "recovering", "equals": False, "timeout": 60}],
    )
    try:
        rig.insert(run, 10000)
        rig.wait_phase(run, "stacking")
        assert rig.cash.ctl("power-cycle true")["power_up"] == "stacker"
        unsettled_at = time.monotonic()
        run.wait_snapshot("cash.unsettled_fen", 10000, timeout_s=10)
        outcome = {"unsettled_after_s": round(time.monotonic() - unsettled_at, 2)}
        outcome.update(rig.finish(run))
    finally:
        run.kiosk.stop()
    report(rig.protocol, "power_cut_while_stacking_ict", outcome, began)
    assert outcome["cassette_fen"] == 10000
    assert outcome["credited_fen"] == 0
    assert [(s[1], s[3]) for s in outcome["suspects"]] == [(10000, "open")]


def test_power_cut_with_the_note_in_the_validator_credits_nothing_for_it(
    rig: FaultRig, tmp_path: Path
) -> None:
    """The note was still in the head: the device hands it back. The customer pays on."""
    began = time.monotonic()
    run = rig.start_payment(tmp_path, amount_fen=AMOUNT_FEN, expected_fen=5000)
    try:
        rig.insert(run, 10000)
        rig.wait_phase(run, "stacking")
        assert rig.cash.ctl("power-cycle false")["power_up"] == "validator"
        rig.insert(run, 5000)
        outcome = rig.finish(run)
    finally:
        run.kiosk.stop()
    report(rig.protocol, "power_cut_note_in_validator", outcome, began)
    assert outcome["credited_fen"] == outcome["cassette_fen"] == 5000
    assert not outcome["suspects"]


def test_cable_pulled_while_stacking_credits_the_note_once_it_is_back(
    rig: FaultRig, tmp_path: Path
) -> None:
    began = time.monotonic()
    run = rig.start_payment(
        tmp_path, amount_fen=AMOUNT_FEN, expected_fen=10000, finish_when=("state", "done")
    )
    try:
        rig.insert(run, 10000)
        rig.wait_phase(run, "stacking")
        rig.cash.ctl("unplug")
        run.wait_snapshot("methods.cash.ok", False)
        time.sleep(2.0)  # the fault's length
        rig.cash.ctl("replug")
        outcome = rig.finish(run)
    finally:
        run.kiosk.stop()
    report(rig.protocol, "cable_pulled_while_stacking", outcome, began)
    assert outcome["credited_fen"] == outcome["cassette_fen"] == 10000
    assert not outcome["suspects"]


def test_device_silent_past_the_stack_timeout_then_reporting_stacked_credits_once(
    rig: FaultRig, tmp_path: Path
) -> None:
    """Silent for 20 s during stacking (the stack timeout is 15 s): the customer is told the
    note is pending verification; the late stacked report credits it, with no stray note."""
    began = time.monotonic()
    run = rig.start_payment(
        tmp_path, amount_fen=AMOUNT_FEN, expected_fen=10000, finish_when=("state", "done")
    )
    try:
        rig.insert(run, 10000)
        rig.wait_phase(run, "stacking")
        rig.cash.ctl("silent 20")
        shown = run.wait_snapshot("state", "done", timeout_s=60)
        outcome = rig.finish(run)
    finally:
        run.kiosk.stop()
    report(rig.protocol, "silent_20s_while_stacking", outcome, began)
    assert shown["result"]["pending_fen"] == 10000, shown["result"]
    assert "待核实" in shown["result"]["receipt_text"]
    assert outcome["credited_fen"] == outcome["cassette_fen"] == 10000
    assert not outcome["suspects"]


def test_power_cut_while_the_note_is_drawn_in_hands_it_back_and_cash_resumes(
    rig: FaultRig, tmp_path: Path
) -> None:
    """Power cut while the note is being drawn in (before escrow): nothing is decided, nothing
    credited; the customer gets the note back and pays with it again once the device is up.
    (A cable pulled at that moment cancels the payment instead: nothing was taken.)"""
    began = time.monotonic()
    run = rig.start_payment(tmp_path, amount_fen=AMOUNT_FEN, expected_fen=10000)
    try:
        rig.insert(run, 10000)
        rig.wait_phase(run, "accepting")
        assert rig.cash.ctl("power-cycle false")["power_up"] == "validator"
        rig.pay(run, 10000)
        outcome = rig.finish(run)
    finally:
        run.kiosk.stop()
    report(rig.protocol, "power_cut_while_accepting", outcome, began)
    assert outcome["credited_fen"] == outcome["cassette_fen"] == 10000
    assert not outcome["suspects"]
