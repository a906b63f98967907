"""The scanner host against the emulated scanner over a real pty: scans, unplug, replug, stop."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from drivers.emulators.control import send_command
from drivers.emulators.scanner import ScannerEmulator
from drivers.scanner import (
    Connected,
    Disconnected,
    GaveUp,
    RefusalReason,
    Scanned,
    ScannerEvent,
    ScannerHost,
    ScannerSettingError,
    ScannerStateError,
    ScanRefused,
    Terminator,
    open_scanner,
)

E = TypeVar("E", bound=ScannerEvent)

WECHAT = "134567890123456789"
ALIPAY = "2812345678901234"
FAST: dict[str, Any] = {
    "read_timeout_s": 0.02,
    "frame_gap_s": 0.2,
    "connect_attempts": 2,
    "connect_deadline_s": 0.5,
    "reconnect_backoff_initial_s": 0.05,
    "reconnect_backoff_max_s": 0.2,
}
PATIENCE_S = 20.0  # a safety net only: every wait below ends when its event arrives


class Recorder:
    """The host's on_event: keeps every event; tests wait for the ones they expect."""

    def __init__(self) -> None:
        self.events: list[ScannerEvent] = []
        self._changed = threading.Condition()

    def __call__(self, event: ScannerEvent) -> None:
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    def of(self, kind: type[E]) -> list[E]:
        with self._changed:
            return [e for e in self.events if isinstance(e, kind)]

    def wait_for(self, kind: type[E], *, count: int = 1) -> list[E]:
        deadline = time.monotonic() + PATIENCE_S
        with self._changed:
            while True:
                found = [e for e in self.events if isinstance(e, kind)]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    names = [type(e).__name__ for e in self.events]
                    raise AssertionError(f"no {count} {kind.__name__}; got {names}")
                self._changed.wait(remaining)


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[ScannerEmulator]:
    emulator = ScannerEmulator(
        terminator=Terminator.CRLF, link=tmp_path / "scanner", control_path=tmp_path / "ctl.sock"
    )
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def started() -> Iterator[Callable[..., tuple[ScannerHost, Recorder]]]:
    hosts: list[ScannerHost] = []

    def start(url: str, **options: Any) -> tuple[ScannerHost, Recorder]:
        recorder = Recorder()
        host = open_scanner(url, on_event=recorder, **{**FAST, **options})
        hosts.append(host)
        host.start()
        return host, recorder

    yield start
    for host in hosts:
        host.stop()


def test_scans_arrive_as_events_and_refusals_are_named(
    emulator: ScannerEmulator, started: Callable[..., tuple[ScannerHost, Recorder]]
) -> None:
    host, events = started(emulator.path, terminator="crlf")
    assert events.wait_for(Connected)[0].url == emulator.path
    assert host.connected
    emulator.scan(WECHAT)
    emulator.noise(b"\x00\xff garbage\r\n")
    send_command(emulator.control_path, f"scan {ALIPAY}")
    scanned = events.wait_for(Scanned, count=2)
    assert [s.code for s in scanned] == [WECHAT, ALIPAY]
    refused = events.of(ScanRefused)
    assert [(r.reason, r.length) for r in refused] == [(RefusalReason.NOT_PRINTABLE, 10)]
    assert host.counters["scans"] == 2
    assert host.counters["ended_crlf"] == 3
    assert WECHAT not in repr(events.events)


def test_an_unfinished_frame_is_dropped_after_the_gap(
    emulator: ScannerEmulator, started: Callable[..., tuple[ScannerHost, Recorder]]
) -> None:
    _, events = started(emulator.path)
    events.wait_for(Connected)
    emulator.noise(b"1345")  # the scanner stopped mid-code
    refused = events.wait_for(ScanRefused)
    assert (refused[0].reason, refused[0].length) == (RefusalReason.INCOMPLETE, 4)
    emulator.scan(WECHAT)
    assert events.wait_for(Scanned)[0].code == WECHAT


def test_what_was_scanned_before_the_port_opened_is_dropped(
    emulator: ScannerEmulator, started: Callable[..., tuple[ScannerHost, Recorder]]
) -> None:
    emulator.scan(ALIPAY)  # nobody listening: belongs to no customer
    _, events = started(emulator.path)
    events.wait_for(Connected)
    emulator.scan(WECHAT)
    assert [s.code for s in events.wait_for(Scanned)] == [WECHAT]


def test_unplug_and_replug(
    emulator: ScannerEmulator, started: Callable[..., tuple[ScannerHost, Recorder]]
) -> None:
    host, events = started(emulator.path)
    events.wait_for(Connected)
    send_command(emulator.control_path, "unplug")
    disconnected = events.wait_for(Disconnected)
    assert len(disconnected) == 1
    assert not host.connected
    answer = send_command(emulator.control_path, "scan 1")
    assert answer == {"ok": False, "error": "the scanner is unplugged; replug it first"}
    assert send_command(emulator.control_path, "replug")["plugged"] is True
    events.wait_for(Connected, count=2)
    assert host.connected
    emulator.scan(WECHAT)
    assert events.wait_for(Scanned)[0].code == WECHAT
    assert len(events.of(Disconnected)) == 1  # once per loss, not once per failed round
    assert host.counters["connects"] == 2
    assert host.counters["disconnects"] == 1


def test_a_missing_port_reports_once_and_gives_up_after_the_rounds(
    tmp_path: Path, started: Callable[..., tuple[ScannerHost, Recorder]]
) -> None:
    host, events = started(str(tmp_path / "no-scanner"), max_reconnect_rounds=3)
    events.wait_for(GaveUp)
    assert [type(e) for e in events.events] == [Disconnected, GaveUp]
    deadline = time.monotonic() + PATIENCE_S
    while host.running and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not host.running


def test_stop_ends_the_thread_and_closes_the_port(
    emulator: ScannerEmulator, started: Callable[..., tuple[ScannerHost, Recorder]]
) -> None:
    host, events = started(emulator.path)
    events.wait_for(Connected)
    host.stop()
    assert not host.running
    assert not host.connected
    assert not any(t.name == "scanner-read" for t in threading.enumerate())
    host.stop()  # twice is harmless
    with pytest.raises(ScannerStateError):
        host.start()
    # the port is free again: another host opens it (the transport opens devices exclusively)
    _, again = started(emulator.path)
    again.wait_for(Connected)


def test_stop_while_retrying_a_missing_port(
    tmp_path: Path, started: Callable[..., tuple[ScannerHost, Recorder]]
) -> None:
    host, events = started(str(tmp_path / "absent"), reconnect_backoff_initial_s=5.0,
                           reconnect_backoff_max_s=5.0)  # fmt: skip
    events.wait_for(Disconnected)
    host.stop()  # does not sit out the 5 s backoff: the wait is on the stop event
    assert not host.running
    assert not events.of(GaveUp)


def test_a_failing_receiver_does_not_stop_the_scanner(emulator: ScannerEmulator) -> None:
    received: list[ScannerEvent] = []
    arrived = threading.Event()

    def fragile(event: ScannerEvent) -> None:
        if isinstance(event, Scanned) and event.code == "1":
            raise RuntimeError("a bug in the receiver")
        received.append(event)
        if isinstance(event, Scanned):
            arrived.set()

    host = open_scanner(emulator.path, on_event=fragile, **FAST)
    host.start()
    try:
        emulator.scan("1")
        emulator.scan(WECHAT)
        assert arrived.wait(PATIENCE_S)
        assert [e.code for e in received if isinstance(e, Scanned)] == [WECHAT]
        assert host.counters["sink_errors"] == 1
    finally:
        host.stop()


def test_an_emulator_url_is_opened_like_any_port(
    started: Callable[..., tuple[ScannerHost, Recorder]], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="drivers.emulators.scanner")
    url = "emulator://scanner?terminator=lf&prefix=<&suffix=>"
    host, events = started(url, terminator="lf", prefix="<", suffix=">")
    assert events.wait_for(Connected)[0].url == url
    control = Path(re.findall(r"scanner emulator on \S+, control (\S+)", caplog.text)[-1])
    assert send_command(control, f"scan {WECHAT}")["scans"] == 1
    assert events.wait_for(Scanned)[0].code == WECHAT  # prefix and suffix taken off
    host.stop()
    assert not control.exists()  # closing the port unplugged the emulator


@pytest.mark.parametrize(
    ("url", "options", "message"),
    [
        ("/dev/null", {"terminator": "tab"}, "scanner"),
        ("/dev/null", {"prefix": "\x02"}, "printable"),
        ("/dev/null", {"poll_interval_s": 1}, "unknown scanner setting"),
        ("/dev/null", {"frame_gap_s": 0.001}, "frame_gap_s"),
        ("/dev/null", {"max_reconnect_rounds": 0}, "max_reconnect_rounds"),
        ("/dev/null", {"baudrate": 0}, "baudrate"),
    ],
)
def test_impossible_settings_are_named(url: str, options: dict[str, Any], message: str) -> None:
    with pytest.raises(ScannerSettingError, match=message):
        open_scanner(url, on_event=lambda _e: None, **options)
