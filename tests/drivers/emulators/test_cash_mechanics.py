"""The emulated acceptor's mechanism and state file, without a host (the test keeps time)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drivers.emulators import CommandError, EmulatorError
from drivers.emulators.cash_ccnet import DIALECT as CCNET
from drivers.emulators.cash_id003 import DIALECT as ID003
from drivers.emulators.cash_mechanics import (
    NO_HOST_GRACE_S,
    BillIn,
    Cassette,
    Dialect,
    Fault,
    Mechanics,
    Phase,
    RejectCause,
    Timings,
)
from drivers.emulators.cash_state import encode, load, save

TABLE = (100, 500, 1000, 2000, 5000, 10000)
T = Timings(
    accepting_s=1,
    stacking_s=1,
    returning_s=1,
    rejecting_s=1,
    initializing_s=1,
    cheated_s=1,
    escrow_timeout_s=10,
)


def machine(dialect: Dialect = CCNET, **kwargs: object) -> Mechanics:
    mechanics = Mechanics(TABLE, dialect, T, Cassette(), lambda: None, **kwargs)  # type: ignore[arg-type]
    mechanics.reset(0.0)
    mechanics.poll(0.5)
    mechanics.poll(1.0)  # initialised
    mechanics.set_enabled(frozenset(range(len(TABLE))))
    return mechanics


def walk(mechanics: Mechanics, start: float, until: Phase, step: float = 0.5) -> float:
    """Poll every ``step`` seconds until the phase is reached; return the time."""
    now = start
    for _ in range(100):
        if mechanics.poll(now).phase is until:
            return now
        now += step
    raise AssertionError(f"never reached {until}; at {mechanics.phase}")


def test_every_phase_is_reported_to_a_poll_before_it_moves_on() -> None:
    mechanics = machine()
    mechanics.insert(1000, 2.0)
    seen = []
    now = 2.0
    while not seen or seen[-1] is not Phase.ESCROW:
        seen.append(mechanics.poll(now).phase)
        now += 1.9  # polls slower than the phases (1 s): still no phase is skipped
    assert seen == [Phase.ACCEPTING, Phase.ESCROW]
    assert mechanics.stack(now)
    assert mechanics.poll(now + 1.9).phase is Phase.STACKING
    assert mechanics.cassette.counts == {}  # not yet in the cassette
    assert mechanics.poll(now + 3.8).phase is Phase.STACKED
    assert mechanics.cassette.counts == {1000: 1}
    assert mechanics.poll(now + 20).phase is Phase.STACKED  # until acknowledged
    assert mechanics.acknowledge(now + 20)
    assert mechanics.poll(now + 20).phase is Phase.SETTLED
    assert mechanics.cassette.lifetime == {1000: 1}


def test_id003_reports_stacked_after_vend_valid_is_acknowledged() -> None:
    mechanics = machine(ID003)
    mechanics.insert(500, 2.0)
    now = walk(mechanics, 2.0, Phase.ESCROW)
    mechanics.stack(now)
    now = walk(mechanics, now, Phase.STACKED)  # VEND VALID
    mechanics.acknowledge(now)
    assert mechanics.poll(now).phase is Phase.STACKED_INFO
    assert mechanics.poll(now + 0.1).phase is Phase.SETTLED


def test_a_bill_left_in_escrow_goes_back_by_itself() -> None:
    mechanics = machine(ID003)
    mechanics.insert(2000, 2.0)
    now = walk(mechanics, 2.0, Phase.ESCROW)
    assert mechanics.poll(now + 9.9).phase is Phase.ESCROW
    assert mechanics.poll(now + 10).phase is Phase.RETURNING
    assert mechanics.poll(now + 11).phase is Phase.SETTLED  # ID-003: no returned report
    assert mechanics.cassette.counts == {}


def test_with_nobody_polling_the_mechanism_still_finishes() -> None:
    mechanics = machine()
    mechanics.insert(1000, 2.0)
    now = walk(mechanics, 2.0, Phase.ESCROW)
    mechanics.stack(now)
    mechanics.tick(now + T.stacking_s + NO_HOST_GRACE_S)
    assert mechanics.phase is Phase.STACKED
    assert mechanics.cassette.counts == {1000: 1}


def test_insertions_the_device_refuses() -> None:
    mechanics = machine()
    mechanics.set_enabled(frozenset({2}))
    assert mechanics.insert(500, 2.0) == "rejecting"
    assert mechanics.reject is RejectCause.INHIBIT
    with pytest.raises(CommandError, match="does not take a bill now"):
        mechanics.insert(1000, 2.0)  # busy with the first
    walk(mechanics, 2.0, Phase.SETTLED)
    mechanics.set_enabled(frozenset())
    with pytest.raises(CommandError, match="disabled"):
        mechanics.insert(1000, 10.0)


@pytest.mark.parametrize(
    ("phase_reached", "stacker", "power_up", "counted"),
    [
        (Phase.ESCROW, False, BillIn.VALIDATOR, {}),
        (Phase.ESCROW, True, BillIn.STACKER, {1000: 1}),
        (Phase.STACKING, True, BillIn.STACKER, {1000: 1}),
        (Phase.STACKING, False, BillIn.VALIDATOR, {}),
        (Phase.STACKED, True, None, {1000: 1}),  # counted already; the report is lost
    ],
)
def test_power_cycle_puts_the_bill_where_asked_and_counts_it_once(
    phase_reached: Phase, stacker: bool, power_up: BillIn | None, counted: dict[int, int]
) -> None:
    mechanics = machine()
    mechanics.insert(1000, 2.0)
    now = walk(mechanics, 2.0, Phase.ESCROW)
    if phase_reached is not Phase.ESCROW:
        mechanics.stack(now)
        now = walk(mechanics, now, phase_reached)
    assert mechanics.power_cycle(now, bill_in_stacker=stacker) is power_up
    assert mechanics.poll(now + 5).phase is Phase.POWER_UP  # until the host resets it
    assert mechanics.snapshot().power_up_bill is power_up
    mechanics.reset(now + 5)
    walk(mechanics, now + 5, Phase.SETTLED)
    assert mechanics.cassette.counts == counted
    assert mechanics.bill_index is None


def test_faults_stop_the_mechanism_until_cleared() -> None:
    mechanics = machine()
    mechanics.insert(1000, 2.0)
    now = walk(mechanics, 2.0, Phase.ESCROW)
    mechanics.jam("validator")
    assert mechanics.poll(now + 100).fault is Fault.VALIDATOR_JAM  # no auto-return while jammed
    assert "handed back" in mechanics.clear_jam(now + 100)
    assert mechanics.poll(now + 100).phase is Phase.SETTLED
    with pytest.raises(CommandError, match="nothing is jammed"):
        mechanics.clear_jam(now)
    with pytest.raises(CommandError, match="validator' or 'cassette"):
        mechanics.jam("door")


def test_capacity_makes_the_cassette_full() -> None:
    mechanics = machine(capacity=1)
    mechanics.insert(1000, 2.0)
    now = walk(mechanics, 2.0, Phase.ESCROW)
    mechanics.stack(now)
    now = walk(mechanics, now, Phase.STACKED)
    mechanics.acknowledge(now)
    assert mechanics.poll(now + 1).fault is Fault.CASSETTE_FULL
    mechanics.remove_cassette()
    mechanics.replace_cassette(now + 2, emptied=True)
    assert mechanics.poll(now + 3).fault is None
    assert mechanics.cassette.collected == {1000: 1}


def test_state_file_round_trip_and_atomic_replace(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    cassette = Cassette()
    cassette.add(1000)
    cassette.add(1000)
    cassette.add(50)
    save(path, encode(cassette, 5000, BillIn.STACKER))
    assert not list(tmp_path.glob(".*tmp"))  # the temporary file was renamed away
    state = load(path)
    assert state.cassette.counts == {1000: 2, 50: 1}
    assert state.cassette.lifetime == {1000: 2, 50: 1}
    assert (state.bill_fen, state.bill_in) == (5000, BillIn.STACKER)
    assert load(tmp_path / "absent.json").cassette.counts == {}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "cannot read"),
        ('{"version": 9}', "not an emulator state file"),
        ('{"version": 1, "cassette": {"1000": -1}}', "cassette\\['1000'\\]"),
        ('{"version": 1, "cassette": []}', "cassette must be an object"),
        ('{"version": 1, "bill_in_mechanism": {"where": "roof"}}', "bill_in_mechanism"),
    ],
)
def test_a_bad_state_file_is_refused_naming_it(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "state.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(EmulatorError, match=message) as raised:
        load(path)
    assert str(path) in str(raised.value)


def test_encoded_state_is_plain_json() -> None:
    cassette = Cassette()
    cassette.add(10000)
    document = json.loads(encode(cassette, None, None))
    assert document["cassette"] == {"10000": 1}
    assert document["bill_in_mechanism"] is None
