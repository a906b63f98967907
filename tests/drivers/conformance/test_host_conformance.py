"""Our hosts against devices played from hand-written transcripts over a pty (pyserial on one
end, the transcript on the other): every byte the host sends must be the transcript's."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

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
    Rejected,
    Returned,
    Stacked,
    StackedUnidentified,
    open_acceptor,
)
from tests.drivers.cash.conftest import HOST_SETTINGS, Decider, Recorder
from tests.drivers.conformance.player import DevicePlayer
from tests.drivers.conformance.transcripts import ALL, D, H, Transcript

REPORTED = (
    PowerUp,
    Ready,
    Escrow,
    Stacked,
    StackedUnidentified,
    Returned,
    Rejected,
    Fault,
    FaultCleared,
)
EVERY_NOTE = frozenset({100, 500, 1000, 2000, 5000, 10000})


def outcome(rec: Recorder) -> list[tuple[type[AcceptorEvent], dict[str, Any]]]:
    return [(type(e), dataclasses.asdict(e)) for e in rec.events if isinstance(e, REPORTED)]


def matches(seen: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return all(seen.get(key) == value for key, value in wanted.items())


@pytest.fixture
def played(request: pytest.FixtureRequest) -> Iterator[tuple[Transcript, DevicePlayer, Recorder]]:
    transcript: Transcript = request.param
    player = DevicePlayer(transcript.protocol, transcript.steps)
    path = player.start()
    events = Recorder()
    decision = Decision.STACK if transcript.decision == "stack" else Decision.RETURN
    host = open_acceptor(
        transcript.protocol,
        path,
        on_event=events,
        decide=Decider(decision),
        **{**HOST_SETTINGS, **transcript.settings},
    )
    try:
        host.start()
        if transcript.enable_after_ready:
            events.wait_for(Ready)
            host.enable(EVERY_NOTE)
        yield transcript, player, events
    finally:
        host.stop()
        player.stop()


HOST_TRANSCRIPTS = [t for t in ALL if t.host]


@pytest.mark.parametrize(
    "played",
    HOST_TRANSCRIPTS,
    ids=[f"{t.protocol}: {t.name}" for t in HOST_TRANSCRIPTS],
    indirect=True,
)
def test_the_host_speaks_the_transcript(played: tuple[Transcript, DevicePlayer, Recorder]) -> None:
    transcript, player, events = played
    assert player.finished.wait(15), player.describe()
    assert player.unexpected == [], [m.hex(" ") for m in player.unexpected]
    wanted = transcript.events
    if wanted:  # the last reported event comes with (or just after) the last bytes
        kind, fields = wanted[-1]
        events.wait_for(kind, lambda e: matches(dataclasses.asdict(e), fields))
    seen = outcome(events)
    assert [kind for kind, _ in seen] == [kind for kind, _ in wanted], seen
    for (_, fields), (_, expected) in zip(seen, wanted, strict=True):
        assert matches(fields, expected), (fields, expected)
    if any(kind is Fault and f.get("kind") is FaultKind.BILL_TABLE for kind, f in wanted):
        assert not [e for e in events.events if isinstance(e, Ready)]


def test_a_device_that_never_finishes_starting_is_not_ready() -> None:
    """RESET answered, then "initialize" for ever: no Ready, Disconnected naming why."""
    steps = [H("33"), D("10"), H("00"), H("30"), D("00"), H("33"), D("13"), H("00")]
    player = DevicePlayer("ccnet", steps)
    path = player.start()
    events = Recorder()
    host = open_acceptor(
        "ccnet",
        path,
        on_event=events,
        decide=Decider(),
        **{**HOST_SETTINGS, "startup_timeout_s": 0.5, "max_reconnect_rounds": 1},
    )
    try:
        host.start()
        disconnected = events.wait_for(Disconnected)
        assert "still starting 0.5 s after RESET (initializing)" in disconnected.reason
        assert events.of(Ready) == []
        assert player.unexpected == []
    finally:
        host.stop()
        player.stop()
