"""A bill acceptor host against an emulated device over a real pty, with fast mechanics."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

from drivers.cash import AcceptorEvent, AcceptorHost, Decision, Escrow, Ready, open_acceptor
from drivers.emulators.cash import CashEmulator
from drivers.emulators.cash_mechanics import Timings

E = TypeVar("E", bound=AcceptorEvent)

FAST = Timings(
    accepting_s=0.05,
    stacking_s=0.08,
    returning_s=0.05,
    rejecting_s=0.05,
    initializing_s=0.05,
    cheated_s=0.1,
    escrow_timeout_s=10.0,
)
HOST_SETTINGS: dict[str, Any] = {
    "poll_interval_s": 0.03,
    "escrow_decision_timeout_s": 1.0,
    "reply_timeout_s": 0.1,
    "missed_polls_limit": 3,
    "connect_deadline_s": 1.0,
    "reconnect_backoff_initial_s": 0.1,
    "reconnect_backoff_max_s": 0.3,
}
ALL_ENABLED = frozenset({1000, 2000, 5000, 10000})


class Recorder:
    """The host's on_event: keeps every event; tests wait for the ones they expect."""

    def __init__(self) -> None:
        self.events: list[AcceptorEvent] = []
        self._changed = threading.Condition()
        self.before: Callable[[AcceptorEvent], None] | None = None  # runs inside on_event

    def __call__(self, event: AcceptorEvent) -> None:
        if self.before is not None:
            self.before(event)
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    def of(self, kind: type[E]) -> list[E]:
        with self._changed:
            return [e for e in self.events if isinstance(e, kind)]

    def wait_for(
        self,
        kind: type[E],
        predicate: Callable[[E], bool] = lambda _e: True,
        *,
        timeout_s: float = 10.0,
        after: int = 0,
    ) -> E:
        """The first event of ``kind`` (at index >= ``after``) that satisfies ``predicate``."""
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while True:
                for event in self.events[after:]:
                    if isinstance(event, kind) and predicate(event):
                        return event
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    names = [type(e).__name__ for e in self.events]
                    raise AssertionError(f"no {kind.__name__} in {timeout_s} s; got {names}")
                self._changed.wait(remaining)

    def mark(self) -> int:
        with self._changed:
            return len(self.events)


@dataclass
class Decider:
    """The engine's decide callback: a fixed answer, optionally held until released."""

    decision: Decision = Decision.STACK
    hold: bool = False
    raises: bool = False
    asked: list[Escrow] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)

    def __call__(self, escrow: Escrow) -> Decision:
        self.asked.append(escrow)
        if self.hold:
            self.released.wait(10)
        if self.raises:
            raise RuntimeError("the engine failed")
        return self.decision


@dataclass
class Rig:
    protocol: str
    emulator: CashEmulator
    events: Recorder
    decider: Decider
    hosts: list[AcceptorHost] = field(default_factory=list)

    @property
    def host(self) -> AcceptorHost:
        return self.hosts[-1]

    def start_host(self, **overrides: Any) -> AcceptorHost:
        settings = {**HOST_SETTINGS, **overrides}
        host = open_acceptor(
            self.protocol,
            self.emulator.path,
            on_event=self.events,
            decide=self.decider,
            **settings,
        )
        self.hosts.append(host)
        host.start()
        return host

    def ready(self, enabled: frozenset[int] = ALL_ENABLED, **overrides: Any) -> AcceptorHost:
        mark = self.events.mark()
        host = self.start_host(**overrides)
        self.events.wait_for(Ready, after=mark)
        host.enable(enabled)
        wanted = sorted(enabled)
        self.emulator.wait_for(lambda s: s["enabled_fen"] == wanted and s["state"] == "idle")
        return host

    def stop(self) -> None:
        self.decider.released.set()
        for host in self.hosts:
            host.stop()
        self.hosts.clear()


@pytest.fixture(params=["ccnet", "id003"])
def protocol(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def timings() -> Timings:
    return FAST


@pytest.fixture
def rig(protocol: str, timings: Timings, tmp_path: Path) -> Iterator[Rig]:
    emulator = CashEmulator(protocol, timings=timings, state_file=tmp_path / "cassette.json")
    emulator.start()
    rig = Rig(protocol, emulator, Recorder(), Decider())
    try:
        yield rig
    finally:
        rig.stop()
        emulator.stop()


@pytest.fixture(autouse=True)
def no_thread_left_behind() -> Iterator[None]:
    """Every test stops the threads it started (hosts, decision threads, emulators)."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 5
    while True:
        left = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert not left, f"threads still running: {[t.name for t in left]}"
