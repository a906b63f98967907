"""The server clock's offset, from answers seen on injected clocks (no sleeping, no network)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from kiosk.server_clock import WARN_OFFSET_S, Exchange, ServerClock

KIOSK_NOW = 1_800_000_000.0  # the kiosk's wall clock when each answer arrives


class Clocks:
    """A kiosk wall clock and monotonic clock that tests move by hand."""

    def __init__(self) -> None:
        self.wall = KIOSK_NOW
        self.mono = 1000.0

    def clock(self) -> ServerClock:
        return ServerClock(wall=lambda: self.wall, monotonic=lambda: self.mono)

    def exchange(self, clock: ServerClock, round_trip_s: float) -> Exchange:
        sent = clock.begin()
        self.mono += round_trip_s
        self.wall += round_trip_s
        return clock.finish(sent)


def _date(unix_s: float) -> str:
    return format_datetime(datetime.fromtimestamp(unix_s, UTC), usegmt=True)


def test_nothing_known_means_the_kiosks_own_clock() -> None:
    clocks = Clocks()
    clock = clocks.clock()
    assert clock.offset_s is None
    assert clock.clock_offset_s() is None
    assert clock.now() == clocks.wall
    assert not clock.needs_warning()


@pytest.mark.parametrize("skew_s", [-3600.0, -61.0, 0.0, 42.0, 3600.0])
def test_a_date_header_gives_the_offset_within_its_resolution(skew_s: float) -> None:
    clocks = Clocks()
    clock = clocks.clock()
    server_at_answer = clocks.wall + 0.05 - skew_s + 0.7  # 0.7 s into the server's second
    exchange = clocks.exchange(clock, 0.1)
    assert clock.observe_date_header(exchange, _date(server_at_answer))
    assert clock.offset_s is not None
    assert abs(clock.offset_s - (server_at_answer - (clocks.wall - 0.05))) < 1.5
    assert clock.clock_offset_s() in (round(skew_s), round(skew_s) - 1)  # kiosk minus server
    assert clock.needs_warning() == (abs(skew_s) > WARN_OFFSET_S)
    assert abs(clock.now() - (clocks.wall - skew_s)) < 1.5


def test_a_server_time_narrows_it_and_later_dates_do_not_move_it() -> None:
    clocks = Clocks()
    clock = clocks.clock()
    true_offset = -3600.4
    exchange = clocks.exchange(clock, 0.02)
    clock.observe_date_header(exchange, _date(clocks.wall - 0.01 + true_offset))
    exchange = clocks.exchange(clock, 0.02)
    clock.observe_server_time(
        exchange, datetime.fromtimestamp(clocks.wall - 0.01 + true_offset, UTC)
    )
    assert clock.offset_s == pytest.approx(true_offset, abs=0.05)
    settled = clock.offset_s
    for _ in range(50):  # whole-second Date headers at every phase of the second
        clocks.wall += 0.137
        clocks.mono += 0.137
        exchange = clocks.exchange(clock, 0.03)
        clock.observe_date_header(exchange, _date(clocks.wall - 0.015 + true_offset))
    assert clock.offset_s == settled  # held, not flapping between two whole seconds
    assert clock.samples == 52


def test_a_date_header_from_another_clock_does_not_pull_the_estimate_to_and_fro() -> None:
    """A reverse proxy 3 s ahead writes the Date headers; the server writes server_time."""
    clocks = Clocks()
    clock = clocks.clock()
    for _ in range(20):
        exchange = clocks.exchange(clock, 0.02)
        clock.observe_server_time(exchange, datetime.fromtimestamp(clocks.wall - 0.01, UTC))
        settled = clock.offset_s
        exchange = clocks.exchange(clock, 0.02)
        clock.observe_date_header(exchange, _date(clocks.wall + 3.0))
        assert clock.offset_s == settled
    assert clock.clock_offset_s() == 0


def test_a_clock_step_is_followed_at_the_next_answer() -> None:
    clocks = Clocks()
    clock = clocks.clock()
    exchange = clocks.exchange(clock, 0.02)
    clock.observe_server_time(exchange, datetime.fromtimestamp(clocks.wall - 3600, UTC))
    assert clock.clock_offset_s() == 3600  # the kiosk is an hour ahead
    clocks.wall -= 3600  # chrony finally set the kiosk's clock right
    exchange = clocks.exchange(clock, 0.02)
    clock.observe_date_header(exchange, _date(clocks.wall))
    assert clock.offset_s is not None
    assert abs(clock.offset_s) < 1.0
    assert not clock.needs_warning()


def test_a_wall_clock_step_during_a_request_does_not_widen_the_round_trip() -> None:
    clocks = Clocks()
    clock = clocks.clock()
    sent = clock.begin()
    clocks.mono += 0.1
    clocks.wall += 7200  # stepped while the request was out
    exchange = clock.finish(sent)
    assert exchange.received_wall - exchange.sent_wall == pytest.approx(0.1)


@pytest.mark.parametrize("value", [None, "", "yesterday", "Sat, 05 Dec 2026 12:00:00"])
def test_unreadable_date_headers_teach_nothing(value: str | None) -> None:
    clocks = Clocks()
    clock = clocks.clock()
    assert not clock.observe_date_header(clocks.exchange(clock, 0.01), value)
    assert clock.offset_s is None


def test_stamps_are_by_the_servers_clock() -> None:
    clocks = Clocks()
    clock = clocks.clock()
    exchange = clocks.exchange(clock, 0.0)
    clock.observe_server_time(exchange, datetime.fromtimestamp(clocks.wall + 3600, UTC))
    assert clock.now_utc().timestamp() == pytest.approx(clocks.wall + 3600, abs=0.3)
    assert clock.journal_stamp().endswith("+00:00")
    assert datetime.fromisoformat(clock.journal_stamp()) == clock.now_utc().replace(
        microsecond=clock.now_utc().microsecond // 1000 * 1000
    )
