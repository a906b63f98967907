"""Both hosts against the emulated devices over real ptys: the money path and every fault."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from drivers.cash import (
    AcceptorEvent,
    Decision,
    Disconnected,
    Escrow,
    Fault,
    FaultCleared,
    FaultKind,
    PowerUp,
    Ready,
    Reconnected,
    Rejected,
    Returned,
    Stacked,
    StackedUnidentified,
    open_acceptor,
)
from drivers.emulators.cash import CashEmulator
from drivers.emulators.cash_mechanics import Timings
from drivers.transport import PortUnavailableError, SerialTransport
from tests.drivers.cash.conftest import FAST, Decider, Recorder, Rig

CNY_TABLE = [100, 500, 1000, 2000, 5000, 10000]


def cassette(rig: Rig) -> dict[str, int]:
    counts: dict[str, int] = rig.emulator.status()["cassette"]
    return counts


def polls_later(rig: Rig, polls: int = 2) -> None:
    """Until the host has sent ``polls`` more frames: a quiet spell counted in the host's
    own polls (nothing more may happen in it), not in seconds a loaded machine stretches."""
    start = rig.emulator.status()["counters"].get("frames_in", 0)
    rig.emulator.wait_for(lambda s: s["counters"].get("frames_in", 0) >= start + polls)


def test_start_reports_power_up_then_ready_with_identity_and_table(rig: Rig) -> None:
    host = rig.start_host()
    ready = rig.events.wait_for(Ready)
    assert isinstance(rig.events.events[0], PowerUp)  # the emulator was just switched on
    assert rig.events.events[0].bill_in is None
    assert ready.identity.protocol == rig.protocol
    assert ready.identity.model.startswith("EMU")
    assert sorted(ready.bill_table.values()) == CNY_TABLE
    assert host.bill_table == ready.bill_table
    assert host.connected
    assert rig.emulator.status()["state"] == "disabled"  # nothing enabled until asked


def test_enable_masks_follow_the_configured_denominations(rig: Rig) -> None:
    host = rig.ready(frozenset({1000, 5000}))
    assert rig.emulator.status()["enabled_fen"] == [1000, 5000]
    host.enable(frozenset({100, 10000, 12345}))  # 12345 is not a bill: logged, ignored
    rig.emulator.wait_for(lambda s: s["enabled_fen"] == [100, 10000])
    host.disable()
    rig.emulator.wait_for(lambda s: s["enabled_fen"] == [] and s["state"] == "disabled")
    with pytest.raises(Exception, match="disabled"):
        rig.emulator.insert(1000)


def test_a_bill_is_escrowed_stacked_and_counted_once(rig: Rig) -> None:
    host = rig.ready()
    rig.emulator.insert(1000)
    escrow = rig.events.wait_for(Escrow)
    stacked = rig.events.wait_for(Stacked)
    assert (escrow.denomination_fen, stacked.denomination_fen) == (1000, 1000)
    assert stacked.bill_type == escrow.bill_type
    assert rig.decider.asked == [escrow]
    rig.emulator.wait_for(lambda s: s["state"] == "idle")
    rig.emulator.insert(10000)
    rig.events.wait_for(Stacked, lambda e: e.denomination_fen == 10000)
    rig.emulator.wait_for(lambda s: s["state"] == "idle")
    polls_later(rig, 4)  # nothing is reported twice
    assert [e.denomination_fen for e in rig.events.of(Stacked)] == [1000, 10000]
    assert cassette(rig) == {"1000": 1, "10000": 1}
    assert host.counters["stacked"] == 2
    assert len(rig.emulator.status()["escrow_to_stack_ms"]) == 2  # measured for the bench


def test_a_returned_bill_is_not_counted(rig: Rig) -> None:
    rig.decider.decision = Decision.RETURN
    host = rig.ready()
    rig.emulator.insert(2000)
    returned = rig.events.wait_for(Returned)
    assert returned.denomination_fen == 2000
    rig.emulator.wait_for(lambda s: s["state"] == "idle")
    assert cassette(rig) == {}
    assert rig.events.of(Stacked) == []
    assert host.counters["return_sent"] == 1


@pytest.mark.parametrize(
    ("script", "ccnet_reason", "id003_reason"),
    [
        ("inhibited", "inhibit", "inhibit"),
        ("fake", "verification", "photo_pattern_1"),
        ("unknown", "identification", "denomination"),
    ],
)
def test_rejections_name_their_reason(
    rig: Rig, script: str, ccnet_reason: str, id003_reason: str
) -> None:
    rig.ready(frozenset({1000}))
    if script == "inhibited":
        rig.emulator.insert(500)
    elif script == "fake":
        rig.emulator.insert_fake(1000)
    else:
        rig.emulator.insert(300)  # not a bill of the table
    rejected = rig.events.wait_for(Rejected)
    assert rejected.reason == (ccnet_reason if rig.protocol == "ccnet" else id003_reason)
    assert rejected.code != 0
    rig.emulator.wait_for(lambda s: s["state"] == "idle")
    polls_later(rig)
    assert len(rig.events.of(Rejected)) == 1  # a state repeated over polls is reported once
    assert rig.events.of(Escrow) == []
    assert cassette(rig) == {}


def test_no_decision_in_time_returns_the_bill(rig: Rig) -> None:
    rig.decider.hold = True
    host = rig.ready(escrow_decision_timeout_s=0.4)
    rig.emulator.insert(5000)
    escrow = rig.events.wait_for(Escrow)
    returned = rig.events.wait_for(Returned)
    assert returned.denomination_fen == 5000
    assert returned.at - escrow.at >= 0.4
    rig.decider.released.set()  # the late answer (STACK) must not count
    rig.emulator.wait_for(lambda s: s["state"] == "idle")
    polls_later(rig)
    assert host.counters["decisions_timed_out"] == 1
    assert host.counters.get("stack_sent", 0) == 0
    assert cassette(rig) == {}


def test_a_failing_decide_returns_the_bill(rig: Rig) -> None:
    rig.decider.raises = True
    rig.ready()
    rig.emulator.insert(1000)
    rig.events.wait_for(Returned)
    assert cassette(rig) == {}


def test_stack_and_return_bill_answer_a_pending_escrow(rig: Rig) -> None:
    rig.decider.hold = True
    host = rig.ready(escrow_decision_timeout_s=5.0)
    assert host.stack() is False  # nothing in escrow
    rig.emulator.insert(1000)
    rig.events.wait_for(Escrow)
    assert host.stack() is True
    assert host.return_bill() is False  # the first answer won
    rig.events.wait_for(Stacked)
    rig.emulator.wait_for(lambda s: s["state"] == "idle")
    rig.emulator.insert(2000)
    rig.events.wait_for(Escrow, lambda e: e.denomination_fen == 2000)
    assert host.return_bill() is True
    rig.events.wait_for(Returned)
    rig.decider.released.set()
    assert cassette(rig) == {"1000": 1}


def test_pulling_back_a_bill(rig: Rig) -> None:
    rig.decider.hold = True
    host = rig.ready(escrow_decision_timeout_s=5.0)
    rig.emulator.insert(1000)
    rig.events.wait_for(Escrow)
    rig.emulator.pull_back()  # the customer takes it back while the engine thinks
    assert rig.events.wait_for(Returned).denomination_fen == 1000
    rig.decider.released.set()
    rig.emulator.wait_for(lambda s: s["state"] == "idle")
    polls_later(rig)
    assert host.counters.get("stack_sent", 0) == 0
    # pulled back while still being drawn in: a rejection
    rig.emulator.insert(2000)
    rig.emulator.pull_back()
    assert rig.events.wait_for(Rejected).reason == "insertion"
    assert cassette(rig) == {}


@pytest.mark.parametrize("timings", [Timings(**{**FAST.__dict__, "escrow_timeout_s": 0.4})])
def test_the_device_returns_a_bill_left_in_escrow_too_long(rig: Rig) -> None:
    rig.decider.hold = True
    host = rig.ready(escrow_decision_timeout_s=3.0)
    rig.emulator.insert(10000)
    escrow = rig.events.wait_for(Escrow)
    returned = rig.events.wait_for(Returned)
    assert 0.35 <= returned.at - escrow.at < 3.0  # the device's timeout, not the host's
    rig.decider.released.set()
    polls_later(rig)
    assert host.counters.get("stack_sent", 0) == 0
    assert rig.emulator.status()["last_outcome"] == "10000 fen returned"
    assert cassette(rig) == {}


FAULT_SCRIPTS = {
    "validator jam": (
        FaultKind.VALIDATOR_JAM,
        lambda e: e.jam("validator"),
        lambda e: e.clear_jam(),
    ),
    "cassette jam": (FaultKind.CASSETTE_JAM, lambda e: e.jam("cassette"), lambda e: e.clear_jam()),
    "cassette full": (
        FaultKind.CASSETTE_FULL,
        lambda e: e.cassette_full(),
        lambda e: (e.remove_cassette(), e.replace_cassette()),
    ),
    "cassette removed": (
        FaultKind.CASSETTE_REMOVED,
        lambda e: e.remove_cassette(),
        lambda e: e.replace_cassette(emptied=False),
    ),
    "cheated": (FaultKind.CHEATED, lambda e: e.cheat(), lambda _e: None),
    "failure": (FaultKind.FAILURE, lambda e: e.fail(0x50), lambda e: e.repair()),
}


@pytest.mark.parametrize("name", list(FAULT_SCRIPTS))
def test_faults_are_reported_and_cleared(rig: Rig, name: str) -> None:
    kind, cause, clear = FAULT_SCRIPTS[name]
    rig.ready()
    mark = rig.events.mark()
    cause(rig.emulator)
    fault = rig.events.wait_for(Fault, after=mark)
    assert fault.kind is kind
    if kind is FaultKind.FAILURE:
        assert fault.code == 0x50
    clear(rig.emulator)
    assert rig.events.wait_for(FaultCleared, after=mark).kind is kind
    rig.emulator.wait_for(lambda s: s["state"] == "idle")
    rig.emulator.insert(1000)  # works again
    rig.events.wait_for(Stacked, after=mark)


def test_removing_a_full_cassette_reports_both_and_empties_it(rig: Rig) -> None:
    rig.ready()
    rig.emulator.insert(1000)
    rig.events.wait_for(Stacked)
    rig.emulator.wait_for(lambda s: s["state"] == "idle")
    mark = rig.events.mark()
    rig.emulator.cassette_full()
    rig.events.wait_for(Fault, lambda e: e.kind is FaultKind.CASSETTE_FULL, after=mark)
    assert rig.emulator.remove_cassette() == {"removed": {"1000": 1}}
    rig.events.wait_for(Fault, lambda e: e.kind is FaultKind.CASSETTE_REMOVED, after=mark)
    rig.emulator.replace_cassette()
    rig.events.wait_for(FaultCleared, lambda e: e.kind is FaultKind.CASSETTE_REMOVED, after=mark)
    status = rig.emulator.wait_for(lambda s: s["state"] == "idle")
    assert status["cassette"] == {}
    assert status["collected"] == {"1000": 1}
    assert status["lifetime"] == {"1000": 1}


def test_a_damaged_stacked_report_is_dropped_counted_and_delivered_once(rig: Rig) -> None:
    host = rig.ready()
    rig.emulator.corrupt_next_crc("stacked")
    rig.emulator.insert(1000)
    rig.events.wait_for(Stacked)
    rig.emulator.wait_for(lambda s: s["state"] == "idle")
    polls_later(rig)
    assert len(rig.events.of(Stacked)) == 1
    assert rig.emulator.status()["counters"]["corrupted"] == 1
    assert host.counters["bad_crc"] == 1
    if rig.protocol == "ccnet":
        assert host.counters["naks_sent"] == 1  # and the device sent its answer again
    assert cassette(rig) == {"1000": 1}


def test_damaged_answers_are_dropped_and_counted(rig: Rig) -> None:
    host = rig.ready()
    for sent in range(1, 4):
        rig.emulator.corrupt_next_crc()
        rig.emulator.wait_for(lambda s, sent=sent: s["counters"].get("corrupted", 0) >= sent)
        polls_later(rig, 1)  # the host has read the damaged answer and polled again
    assert host.counters["bad_crc"] == 3
    assert host.connected
    assert rig.events.of(Disconnected) == []


def test_line_noise_is_skipped_and_counted(rig: Rig) -> None:
    host = rig.ready()
    garbage = host.counters.get("garbage_bytes", 0)
    rig.emulator.noise(13)
    rig.emulator.wait_for(lambda s: s["counters"].get("noise_bytes") == 13)
    polls_later(rig)
    assert host.counters["garbage_bytes"] - garbage == 13
    assert host.counters.get("no_reply", 0) == 0  # the answer after the noise was used
    rig.emulator.insert(1000)
    rig.events.wait_for(Stacked)


def test_a_silent_device_is_disconnected_and_comes_back(rig: Rig) -> None:
    host = rig.ready()
    mark = rig.events.mark()
    rig.emulator.silent(1.0)
    disconnected = rig.events.wait_for(Disconnected, after=mark)
    assert "no answer for 3 polls" in disconnected.reason
    assert not host.connected
    rig.events.wait_for(Reconnected, after=mark)
    rig.events.wait_for(Ready, after=mark)
    assert len(rig.events.of(Disconnected)) == 1  # once, however many rounds it took
    # the enable mask is sent again after reconnecting
    rig.emulator.wait_for(lambda s: s["enabled_fen"] == [1000, 2000, 5000, 10000])
    rig.emulator.insert(5000)
    rig.events.wait_for(Stacked, after=mark)


def test_unplug_and_replug_mid_session(rig: Rig) -> None:
    host = rig.ready()
    mark = rig.events.mark()
    rig.emulator.unplug()
    rig.events.wait_for(Disconnected, after=mark)
    time.sleep(0.5)  # a few failed reconnection rounds
    assert not host.connected
    rig.emulator.replug()
    rig.events.wait_for(Reconnected, after=mark)
    rig.events.wait_for(Ready, after=mark)
    assert host.counters["reconnects"] == 1
    rig.emulator.wait_for(lambda s: s["state"] == "idle")
    rig.emulator.insert(1000)
    assert rig.events.wait_for(Stacked, after=mark).denomination_fen == 1000


def test_start_without_the_device_does_not_hang(rig: Rig) -> None:
    rig.emulator.unplug()
    started = time.monotonic()
    host = rig.start_host(start_timeout_s=30.0)
    assert time.monotonic() - started < 10  # returned on Disconnected, not after 30 s
    assert isinstance(rig.events.events[0], Disconnected)
    assert not host.connected
    rig.emulator.replug()
    rig.events.wait_for(Reconnected)
    rig.events.wait_for(Ready)
    assert host.connected


@pytest.mark.parametrize("timings", [Timings(**{**FAST.__dict__, "stacking_s": 1.5})])
def test_power_cycle_with_a_bill_in_the_stacker(rig: Rig) -> None:
    rig.ready()
    rig.emulator.insert(2000)
    rig.events.wait_for(Escrow)
    rig.emulator.wait_for(lambda s: s["phase"] == "stacking")
    mark = rig.events.mark()
    assert rig.emulator.power_cycle(bill_in_stacker=True) == {"power_up": "stacker"}
    assert rig.events.wait_for(PowerUp, after=mark).bill_in == "stacker"
    rig.events.wait_for(Ready, after=mark)
    status = rig.emulator.wait_for(lambda s: s["state"] == "idle")
    assert status["cassette"] == {"2000": 1}  # stacked while initialising
    assert rig.events.of(Stacked) == []  # the power-up report is the news
    assert rig.events.of(Returned) == []


def test_power_cycle_with_a_bill_in_the_validator(rig: Rig) -> None:
    rig.decider.hold = True
    rig.ready(escrow_decision_timeout_s=5.0)
    rig.emulator.insert(2000)
    rig.events.wait_for(Escrow)
    mark = rig.events.mark()
    assert rig.emulator.power_cycle(bill_in_stacker=False) == {"power_up": "validator"}
    assert rig.events.wait_for(PowerUp, after=mark).bill_in == "validator"
    rig.events.wait_for(Ready, after=mark)
    rig.decider.released.set()
    status = rig.emulator.wait_for(lambda s: s["state"] == "idle")
    assert status["cassette"] == {}
    assert "handed back" in status["last_outcome"]


def test_stacked_is_acknowledged_only_after_on_event_returned(rig: Rig) -> None:
    journaled = threading.Event()

    def journal(event: AcceptorEvent) -> None:
        if isinstance(event, Stacked):
            assert journaled.wait(10)

    rig.ready()
    rig.events.before = journal
    rig.emulator.insert(1000)
    rig.emulator.wait_for(lambda s: s["phase"] == "stacked")
    # No ACK while on_event has not returned. The host waits inside it, so there are no
    # polls to count here: the spell is one of time.
    for _ in range(5):
        time.sleep(0.05)
        assert rig.emulator.status()["phase"] == "stacked"
    assert cassette(rig) == {"1000": 1}  # in the box, not yet acknowledged
    journaled.set()
    rig.emulator.wait_for(lambda s: s["state"] == "idle")
    assert len(rig.events.of(Stacked)) == 1


def test_a_failing_on_event_gets_the_stacked_report_again(rig: Rig) -> None:
    attempts: list[AcceptorEvent] = []

    def flaky(event: AcceptorEvent) -> None:
        if isinstance(event, Stacked):
            attempts.append(event)
            if len(attempts) == 1:
                raise OSError("disk full")

    rig.ready()
    rig.events.before = flaky
    rig.emulator.insert(1000)
    rig.events.wait_for(Stacked)
    rig.emulator.wait_for(lambda s: s["state"] == "idle")
    assert len(attempts) == 2  # not acknowledged after the failure, so delivered again
    assert len(rig.events.of(Stacked)) == 1
    assert cassette(rig) == {"1000": 1}


def test_a_restarted_host_gets_the_unacknowledged_stacked_report(rig: Rig) -> None:
    def crash(event: AcceptorEvent) -> None:
        if isinstance(event, Stacked):
            raise SystemError("the engine died before journaling")

    rig.ready()
    rig.events.before = crash
    rig.emulator.insert(1000)
    rig.emulator.wait_for(lambda s: s["phase"] == "stacked")
    polls_later(rig, 2)  # the report was offered, and refused
    rig.stop()  # the first kiosk process is gone; the report was never acknowledged
    rig.events.before = None
    mark = rig.events.mark()
    rig.start_host()
    rig.events.wait_for(Ready, after=mark)
    if rig.protocol == "ccnet":  # the report carries the bill type
        stacked = rig.events.wait_for(Stacked, after=mark)
        assert stacked.denomination_fen == 1000
    else:  # VEND VALID does not: the new host never saw the escrow
        rig.events.wait_for(StackedUnidentified, after=mark)
    rig.emulator.wait_for(lambda s: s["phase"] == "settled")
    assert cassette(rig) == {"1000": 1}


@pytest.mark.parametrize("timings", [Timings(**{**FAST.__dict__, "stacking_s": 1.5})])
def test_the_cassette_and_a_bill_in_the_stacker_survive_an_emulator_restart(
    rig: Rig, protocol: str, timings: Timings, tmp_path: Path
) -> None:
    rig.ready()
    rig.emulator.insert(1000)
    rig.events.wait_for(Stacked)
    rig.emulator.wait_for(lambda s: s["state"] == "idle")
    rig.emulator.insert(5000)
    rig.emulator.wait_for(lambda s: s["phase"] == "stacking")
    rig.stop()
    rig.emulator.stop()  # the power goes: the note is on its way into the cassette
    state = tmp_path / "cassette.json"
    events = Recorder()
    with CashEmulator(protocol, timings=timings, state_file=state) as again:
        assert again.status()["cassette"] == {"1000": 1}
        assert again.status()["bill_in"] == "stacker"
        second = Rig(protocol, again, events, Decider())
        try:
            second.start_host()
            assert events.wait_for(PowerUp).bill_in == "stacker"
            events.wait_for(Ready)
            status = again.wait_for(lambda s: s["state"] == "disabled")
            assert status["cassette"] == {"1000": 1, "5000": 1}
            assert status["bill_in"] is None
        finally:
            second.stop()


def test_an_emulator_url_gives_the_host_its_own_device(protocol: str, tmp_path: Path) -> None:
    events = Recorder()
    state = tmp_path / "own.json"
    host = open_acceptor(
        protocol,
        f"emulator://{protocol}?state={state}&bills=1000,2000",
        on_event=events,
        decide=Decider(),
    )
    host.start()
    try:
        ready = events.wait_for(Ready)
        assert sorted(ready.bill_table.values()) == [1000, 2000]
    finally:
        host.stop()
    assert state.exists()  # the emulator ran and was stopped with the host


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("emulator://id003x", "unknown emulated device 'id003x'"),
        ("emulator://{p}?colour=red", "unknown emulator options"),
        ("emulator://{p}?bills=ten", "bills must be fen"),
        ("emulator://{p}?bills=1000,1000", "distinct bills"),
    ],
)
def test_a_bad_emulator_url_is_a_port_that_cannot_be_opened(
    protocol: str, url: str, message: str
) -> None:
    transport = SerialTransport(url.format(p=protocol))
    with pytest.raises(PortUnavailableError, match=message):
        transport.open()


def test_stop_without_start_is_harmless(protocol: str, tmp_path: Path) -> None:
    host = open_acceptor(protocol, str(tmp_path / "tty"), on_event=Recorder(), decide=Decider())
    host.stop()
    assert not host.connected
