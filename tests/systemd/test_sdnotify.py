"""The sd_notify client against a real AF_UNIX datagram socket named in NOTIFY_SOCKET."""

from __future__ import annotations

import itertools
import json
import logging
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk.sdnotify import Heartbeat, Notifier, Watchdog

REPO = Path(__file__).resolve().parents[2]
WAIT_S = 20.0  # generous: only ever waited in full when the behaviour is broken
_CREDENTIALS = struct.Struct("3i")  # struct ucred: pid, uid, gid


class NotifyReceiver:
    """Plays systemd's side: a bound datagram socket that also learns the sender's pid."""

    def __init__(self, address: str) -> None:
        self.env_value = address
        bind_to = "\0" + address[1:] if address.startswith("@") else address
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self.sock.bind(bind_to)

    def get(self, timeout_s: float = WAIT_S) -> tuple[str, int]:
        """The next message and the pid that sent it; fails the test after timeout_s."""
        self.sock.settimeout(timeout_s)
        try:
            data, ancillary, _flags, _addr = self.sock.recvmsg(4096, socket.CMSG_SPACE(12))
        except TimeoutError:
            pytest.fail(f"no sd_notify message within {timeout_s} s")
        pid = -1
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = _CREDENTIALS.unpack(payload[: _CREDENTIALS.size])[0]
        return data.decode("utf-8"), pid

    def drain(self) -> list[str]:
        """Every message already queued, without waiting."""
        self.sock.setblocking(False)
        messages = []
        try:
            while True:
                messages.append(self.sock.recv(4096).decode("utf-8"))
        except BlockingIOError:
            return messages
        finally:
            self.sock.setblocking(True)

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def short_dir() -> Iterator[Path]:
    # AF_UNIX paths are limited to 107 bytes; pytest's tmp_path can be longer.
    with tempfile.TemporaryDirectory(prefix="sdn-") as directory:
        yield Path(directory)


@pytest.fixture
def receiver(short_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[NotifyReceiver]:
    rx = NotifyReceiver(str(short_dir / "notify"))
    monkeypatch.setenv("NOTIFY_SOCKET", rx.env_value)
    monkeypatch.delenv("WATCHDOG_USEC", raising=False)
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    yield rx
    rx.close()


def test_ready_status_watchdog_and_stopping_reach_the_socket(receiver: NotifyReceiver) -> None:
    notifier = Notifier.from_environment()
    assert notifier.enabled
    assert notifier.ready("devices up, journal replayed")
    assert receiver.get()[0] == "READY=1\nSTATUS=devices up, journal replayed"
    assert notifier.ready()
    assert receiver.get()[0] == "READY=1"
    assert notifier.status("cash acceptor\njammed")
    assert receiver.get()[0] == "STATUS=cash acceptor jammed"  # one line, or systemd splits it
    assert notifier.watchdog()
    assert receiver.get()[0] == "WATCHDOG=1"
    assert notifier.stopping()
    message, pid = receiver.get()
    assert message == "STOPPING=1"
    assert pid == os.getpid()
    notifier.close()


def test_abstract_namespace_address(monkeypatch: pytest.MonkeyPatch) -> None:
    rx = NotifyReceiver(f"@kiosk-test-{uuid.uuid4().hex}")
    try:
        monkeypatch.setenv("NOTIFY_SOCKET", rx.env_value)
        notifier = Notifier.from_environment()
        assert notifier.ready("abstract")
        assert rx.get()[0] == "READY=1\nSTATUS=abstract"
        notifier.close()
    finally:
        rx.close()


def test_without_notify_socket_everything_is_a_quiet_no_op(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    monkeypatch.setenv("WATCHDOG_USEC", "2000000")
    notifier = Notifier.from_environment()
    assert not notifier.enabled
    assert not notifier.ready("x")
    assert not notifier.watchdog()
    assert not notifier.stopping()
    assert notifier.watchdog_interval_s() is None
    watchdog = Watchdog(notifier, lambda: True)
    watchdog.start()
    assert not watchdog.running
    watchdog.stop()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_unset_environment_hides_the_socket_from_children(
    receiver: NotifyReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WATCHDOG_USEC", "1000000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    notifier = Notifier.from_environment(unset_environment=True)
    for name in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"):
        assert name not in os.environ
    assert notifier.watchdog_interval_s() == 1.0
    assert notifier.ready()
    assert receiver.get()[0] == "READY=1"
    notifier.close()


@pytest.mark.parametrize(
    ("usec", "pid", "expected"),
    [
        ("30000000", None, 30.0),
        ("30000000", "self", 30.0),
        ("30000000", "parent", 30.0),  # under cage: the compositor is the unit's main pid
        ("30000000", "other", None),
        ("30000000", "junk", None),
        ("0", None, None),
        ("-5", None, None),
        ("soon", None, None),
        (None, None, None),
    ],
)
def test_watchdog_interval_from_the_environment(
    usec: str | None, pid: str | None, expected: float | None
) -> None:
    pids = {"self": str(os.getpid()), "parent": str(os.getppid()), "other": "1", "junk": "x1"}
    notifier = Notifier(
        "/run/systemd/notify",
        watchdog_usec=usec,
        watchdog_pid=pids.get(pid) if pid else None,
    )
    assert notifier.watchdog_interval_s() == expected


@pytest.mark.parametrize("address", ["relative/notify", "vsock:2:1234"])
def test_an_unusable_address_is_refused_with_a_warning(
    address: str, caplog: pytest.LogCaptureFixture
) -> None:
    notifier = Notifier(address)
    assert not notifier.enabled
    assert "NOTIFY_SOCKET" in caplog.text


def test_a_send_that_fails_is_logged_and_reported_not_raised(
    short_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    notifier = Notifier(str(short_dir / "nobody-listens"))
    assert notifier.enabled
    assert not notifier.ready()
    assert "cannot notify systemd" in caplog.text
    notifier.close()


def test_heartbeat_turns_stale_after_its_silence_limit() -> None:
    now = [100.0]
    heartbeat = Heartbeat(2.0, clock=lambda: now[0])
    assert heartbeat.is_recent()
    now[0] = 102.0
    assert heartbeat.is_recent()
    now[0] = 102.5
    assert not heartbeat.is_recent()
    assert heartbeat.silence_s() == 2.5
    heartbeat.beat()
    assert heartbeat.is_recent()
    with pytest.raises(ValueError, match="positive"):
        Heartbeat(0)


class FakeEngine:
    """A real thread that beats a Heartbeat from its loop, and can be made to hang."""

    def __init__(self, heartbeat: Heartbeat) -> None:
        self.heartbeat = heartbeat
        self.hang = threading.Event()
        self.release = threading.Event()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="fake-engine")

    def _loop(self) -> None:
        while not self.stop.is_set():
            if self.hang.is_set():
                self.release.wait()  # stuck, like a call that never returns
                self.hang.clear()
                self.release.clear()
            self.heartbeat.beat()
            self.stop.wait(0.01)


def _wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.01)


def test_watchdog_stops_when_the_engine_hangs_and_resumes_when_it_recovers(
    receiver: NotifyReceiver,
) -> None:
    notifier = Notifier.from_environment()
    engine = FakeEngine(Heartbeat(0.15))
    watchdog = Watchdog(notifier, engine.heartbeat.is_recent, interval_s=0.2)
    assert watchdog.period_s == pytest.approx(0.1)
    engine.thread.start()
    watchdog.start()
    try:
        for _ in range(3):
            assert receiver.get()[0] == "WATCHDOG=1"

        engine.hang.set()
        _wait_until(lambda: watchdog.withheld >= 1, "the watchdog to notice the hang")
        receiver.drain()  # anything sent before the hang was noticed
        sent, withheld = watchdog.sent, watchdog.withheld
        _wait_until(lambda: watchdog.withheld >= withheld + 3, "three more checks")
        assert receiver.drain() == []
        assert watchdog.sent == sent

        engine.release.set()
        assert receiver.get()[0] == "WATCHDOG=1"
        assert watchdog.running
    finally:
        engine.release.set()
        engine.stop.set()
        engine.thread.join(5)
        watchdog.stop()
        notifier.close()
    assert not watchdog.running
    assert not engine.thread.is_alive()


def test_a_liveness_check_that_raises_counts_as_hung(
    receiver: NotifyReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> bool:
        raise RuntimeError("engine state unreadable")

    notifier = Notifier.from_environment()
    watchdog = Watchdog(notifier, broken, interval_s=0.1)
    watchdog.start()
    try:
        _wait_until(lambda: watchdog.withheld >= 2, "two failed checks")
    finally:
        watchdog.stop()
        notifier.close()
    assert receiver.drain() == []
    assert "liveness check failed" in caplog.text


_CHILD = """
import json, os
from kiosk.sdnotify import Notifier
n = Notifier.from_environment()
interval = n.watchdog_interval_s()
n.ready("child up")
if interval is not None:
    n.watchdog()
n.stopping()
print(json.dumps({"pid": os.getpid(), "ppid": os.getppid(), "interval": interval}))
"""


def test_a_child_of_the_main_process_speaks_for_the_unit(receiver: NotifyReceiver) -> None:
    """As under cage: WATCHDOG_PID is the parent's, and the messages come from the child."""
    env = dict(os.environ, WATCHDOG_USEC="4000000", PYTHONPATH=str(REPO))
    shell = subprocess.Popen(
        [
            "/bin/sh",
            "-c",
            'WATCHDOG_PID=$$; export WATCHDOG_PID; "$0" -c "$1"; exit $?',
            sys.executable,
            _CHILD,
        ],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        out, _ = shell.communicate(timeout=60)
    finally:
        if shell.poll() is None:
            shell.kill()
            shell.wait()
    assert shell.returncode == 0
    child = json.loads(out)
    assert child["ppid"] == shell.pid
    assert child["interval"] == 4.0
    messages = [receiver.get() for _ in range(3)]
    assert [m for m, _ in messages] == ["READY=1\nSTATUS=child up", "WATCHDOG=1", "STOPPING=1"]
    # systemd would drop these from a non-main pid unless the unit says NotifyAccess=all
    assert {pid for _, pid in messages} == {child["pid"]}
    assert child["pid"] != shell.pid


def test_a_real_kiosk_tells_systemd_what_customers_can_do(
    receiver: NotifyReceiver, tmp_path: Path
) -> None:
    """STATUS follows the methods on offer: cash once the acceptor is up, and not after a jam."""
    from tests.support.central_server import start_central_server
    from tests.support.kiosk_stack import KioskStack

    server = start_central_server(tmp_path / "central")
    (tmp_path / "kiosk").mkdir()
    stack = KioskStack.start(tmp_path / "kiosk", server)
    try:
        statuses: list[str] = []

        def next_status() -> str:
            while True:
                message = receiver.get()[0]
                if message.startswith("STATUS="):
                    statuses.append(message)
                    return message

        while "cash" not in next_status():
            pass
        assert statuses[-1].startswith("STATUS=taking payments: ")
        stack.cash.jam("validator")
        while "cash" in next_status():
            pass
        assert all(a != b for a, b in itertools.pairwise(statuses)), "sent only on a change"
    finally:
        stack.stop()
        server.stop()
