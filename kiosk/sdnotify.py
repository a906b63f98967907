"""Tell systemd how the kiosk is doing: the sd_notify protocol, with no dependency.

systemd passes a socket address in ``$NOTIFY_SOCKET`` (a path, or ``@name`` for the abstract
namespace); each message is one AF_UNIX datagram of ``KEY=value`` lines. The kiosk unit is
``Type=notify`` with ``WatchdogSec=``: it counts as started when the kiosk sends ``READY=1``
(devices and journal up), and it is killed and restarted when ``WATCHDOG=1`` stops arriving.

``Watchdog`` sends ``WATCHDOG=1`` only while the engine proves it is alive (a ``Heartbeat``
the engine beats from its own loop), never from a timer alone: a hung engine behind a GUI that
still paints must get the kiosk restarted.

Sending never raises: a lost notification must not stop a payment. Failures are logged.
Nothing here raises on purpose, so the package's exception tree gains no branch.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping

log = logging.getLogger("kiosk.sdnotify")

SEND_TIMEOUT_S = 1.0  # a full receive queue at systemd must not block the engine for long


class Notifier:
    """One sd_notify sender. Without ``$NOTIFY_SOCKET`` every method is a no-op."""

    def __init__(
        self,
        address: str | None,
        *,
        watchdog_usec: str | None = None,
        watchdog_pid: str | None = None,
    ) -> None:
        self._address = _socket_address(address)
        self._watchdog_usec = watchdog_usec
        self._watchdog_pid = watchdog_pid
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None

    @classmethod
    def from_environment(
        cls, env: Mapping[str, str] | None = None, *, unset_environment: bool = False
    ) -> Notifier:
        """Read ``NOTIFY_SOCKET``, ``WATCHDOG_USEC`` and ``WATCHDOG_PID``.

        With ``unset_environment`` (only when ``env`` is ``os.environ``) they are removed, so
        that child processes (device emulators in a demo) do not speak for the kiosk.
        """
        source = os.environ if env is None else env
        notifier = cls(
            source.get("NOTIFY_SOCKET"),
            watchdog_usec=source.get("WATCHDOG_USEC"),
            watchdog_pid=source.get("WATCHDOG_PID"),
        )
        if unset_environment and env is None:
            for name in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"):
                os.environ.pop(name, None)
        return notifier

    @property
    def enabled(self) -> bool:
        """True when there is a socket to talk to (the kiosk runs under systemd)."""
        return self._address is not None

    def notify(self, *assignments: str) -> bool:
        """Send ``KEY=value`` lines as one datagram; True when systemd's socket took it."""
        if self._address is None:
            return False
        message = "\n".join(assignments).encode("utf-8")
        with self._lock:
            try:
                if self._socket is None:
                    self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                    self._socket.settimeout(SEND_TIMEOUT_S)
                self._socket.sendto(message, self._address)
            except OSError as exc:
                log.warning("cannot notify systemd at %s: %s", self._printable_address(), exc)
                self._close_locked()
                return False
        return True

    def ready(self, status: str = "") -> bool:
        """The kiosk is up: devices opened, journal replayed."""
        if status:
            return self.notify("READY=1", f"STATUS={_one_line(status)}")
        return self.notify("READY=1")

    def status(self, text: str) -> bool:
        """A one-line state shown by ``systemctl status kiosk``."""
        return self.notify(f"STATUS={_one_line(text)}")

    def stopping(self) -> bool:
        """The kiosk is shutting down on purpose (not hung)."""
        return self.notify("STOPPING=1")

    def watchdog(self) -> bool:
        """Reset systemd's watchdog timer. Call only when the engine is known to be alive."""
        return self.notify("WATCHDOG=1")

    def watchdog_interval_s(self) -> float | None:
        """systemd's watchdog timeout in seconds, or None when no watchdog is meant for us.

        ``WATCHDOG_PID`` names the unit's main process. Under cage the main process is the
        compositor and the kiosk is its child, so the parent's pid counts as ours too (and the
        unit sets ``NotifyAccess=all`` so that systemd accepts a child's messages).
        """
        if self._address is None or not self._watchdog_usec:
            return None
        try:
            usec = int(self._watchdog_usec)
        except ValueError:
            log.warning("ignoring WATCHDOG_USEC=%r: not a whole number", self._watchdog_usec)
            return None
        if usec <= 0:
            return None
        if self._watchdog_pid:
            try:
                pid = int(self._watchdog_pid)
            except ValueError:
                log.warning(
                    "ignoring the watchdog: WATCHDOG_PID=%r is not a pid", self._watchdog_pid
                )
                return None
            if pid not in (os.getpid(), os.getppid()):
                return None
        return usec / 1_000_000

    def close(self) -> None:
        with self._lock:
            self._close_locked()

    def _close_locked(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def _printable_address(self) -> str:
        address = self._address or ""
        return "@" + address[1:] if address.startswith("\0") else address


class Heartbeat:
    """The engine's proof of life: ``beat()`` from its loop; ``is_recent()`` for the watchdog.

    The engine must beat at least every ``max_silence_s`` even when idle (wake from its queue
    with a timeout), so that silence means a hang, not a quiet lobby.
    """

    def __init__(
        self, max_silence_s: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if max_silence_s <= 0:
            raise ValueError("max_silence_s must be positive")
        self.max_silence_s = max_silence_s
        self._clock = clock
        self._last = clock()

    def beat(self) -> None:
        self._last = self._clock()  # a float store is atomic; no lock is needed

    def silence_s(self) -> float:
        """Seconds since the last beat."""
        return self._clock() - self._last

    def is_recent(self) -> bool:
        return self.silence_s() <= self.max_silence_s


class Watchdog:
    """A thread that sends ``WATCHDOG=1`` every half interval, only while ``is_alive()``.

    ``interval_s`` defaults to the notifier's ``watchdog_interval_s()``; with no watchdog
    configured, ``start()`` does nothing. An ``is_alive`` that raises counts as not alive.
    """

    def __init__(
        self,
        notifier: Notifier,
        is_alive: Callable[[], bool],
        *,
        interval_s: float | None = None,
    ) -> None:
        self._notifier = notifier
        self._is_alive = is_alive
        self._interval_s = notifier.watchdog_interval_s() if interval_s is None else interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._counts_lock = threading.Lock()
        self._sent = 0
        self._withheld = 0

    @property
    def period_s(self) -> float | None:
        """How often the liveness is checked (half the watchdog timeout)."""
        return None if self._interval_s is None else self._interval_s / 2

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def sent(self) -> int:
        """WATCHDOG=1 messages sent so far."""
        with self._counts_lock:
            return self._sent

    @property
    def withheld(self) -> int:
        """Checks that found the engine not alive, so sent nothing."""
        with self._counts_lock:
            return self._withheld

    def start(self) -> None:
        if self.period_s is None or not self._notifier.enabled:
            log.info("no systemd watchdog configured; not starting the watchdog thread")
            return
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="sd-watchdog", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            if self._thread.is_alive():
                log.warning("the watchdog thread did not stop within %.1f s", timeout_s)
            self._thread = None

    def _run(self) -> None:
        period = self.period_s
        assert period is not None
        hung = False
        while True:
            alive = self._check()
            if alive:
                if hung:
                    log.warning("the engine is beating again; resuming WATCHDOG=1")
                    hung = False
                if self._notifier.watchdog():
                    with self._counts_lock:
                        self._sent += 1
            else:
                if not hung:
                    log.error(
                        "the engine has stopped beating; withholding WATCHDOG=1 so that "
                        "systemd restarts the kiosk"
                    )
                    hung = True
                with self._counts_lock:
                    self._withheld += 1
            if self._stop.wait(period):
                return

    def _check(self) -> bool:
        try:
            return bool(self._is_alive())
        except Exception:  # a broken liveness check must read as "not alive", not kill the thread
            log.exception("the liveness check failed; treating the engine as hung")
            return False


def _socket_address(address: str | None) -> str | None:
    if not address:
        return None
    if address.startswith("@"):
        return "\0" + address[1:]  # Linux abstract namespace
    if address.startswith("/"):
        return address
    log.warning("ignoring NOTIFY_SOCKET=%r: only a path or an @abstract name is supported", address)
    return None


def _one_line(text: str) -> str:
    return " ".join(text.split())
