"""The serial transport over loop:// and a real pty: reads, timeouts, lost ports, retries."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from drivers.emulators.pty_device import PtyDevice
from drivers.transport import Parity, PortLostError, PortUnavailableError, SerialTransport


def test_loop_url_round_trip_and_timeout() -> None:
    with SerialTransport("loop://", timeout_s=0.05) as transport:
        transport.write(b"\x02\x03\x06\x33\xda\x81")
        assert transport.read() == b"\x02\x03\x06\x33\xda\x81"
        assert transport.read(timeout_s=0.01) == b""
        transport.write(b"abc")
        transport.flush_input()
        assert transport.read(timeout_s=0.01) == b""


def test_read_returns_at_most_max_bytes() -> None:
    with SerialTransport("loop://") as transport:
        transport.write(b"0123456789")
        assert transport.read(max_bytes=4) == b"0123"
        assert transport.read() == b"456789"


def test_missing_port_is_named_in_the_error(tmp_path: Path) -> None:
    missing = tmp_path / "ttyNOPE"
    transport = SerialTransport(str(missing))
    with pytest.raises(PortUnavailableError, match="ttyNOPE"):
        transport.open()
    assert not transport.is_open
    with pytest.raises(PortLostError, match="not open"):
        transport.read()


def test_open_with_retry_gives_up_after_its_attempts(tmp_path: Path) -> None:
    transport = SerialTransport(str(tmp_path / "absent"))
    started = time.monotonic()
    assert not transport.open_with_retry(attempts=3, deadline_s=10, backoff_initial_s=0.01)
    assert time.monotonic() - started < 5  # three short tries, not the whole deadline


def test_open_with_retry_stops_when_asked(tmp_path: Path) -> None:
    transport = SerialTransport(str(tmp_path / "absent"))
    stop = threading.Event()
    stop.set()
    assert not transport.open_with_retry(attempts=100, deadline_s=100, stop=stop)


def test_open_with_retry_succeeds_when_the_device_appears(tmp_path: Path) -> None:
    link = tmp_path / "cash"
    device = PtyDevice(link)
    transport = SerialTransport(str(link), parity=Parity.EVEN)
    plug = threading.Timer(0.2, device.open)
    plug.start()
    try:
        assert transport.open_with_retry(attempts=50, deadline_s=20, backoff_initial_s=0.05)
        device.write(b"\xfc\x05\x11\x27\x56")
        assert transport.read(timeout_s=2) == b"\xfc\x05\x11\x27\x56"
    finally:
        plug.join()
        transport.close()
        device.close()


def test_unplugged_pty_is_a_lost_port_and_a_second_opener_is_refused() -> None:
    device = PtyDevice()
    path = device.open()
    transport = SerialTransport(path, timeout_s=0.2)
    transport.open()
    try:
        with pytest.raises(PortUnavailableError):
            SerialTransport(path).open()  # opened exclusively
        device.close()
        with pytest.raises(PortLostError):
            transport.read()
        assert not transport.is_open
    finally:
        transport.close()
        device.close()
