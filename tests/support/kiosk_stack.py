"""A whole kiosk for tests: real engine, real journal, cash and printer emulators on ptys,
and the real central server (tests.support.central_server), wired through kiosk.runtime.

    stack = KioskStack.start(tmp_path, server, protocol="ccnet")
    stack.intent("start"); stack.intent("enter_account", account_no=...)
    stack.wait("account_shown")
    stack.cash.insert(10000)
    stack.stop()
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from drivers.emulators.cash import CashEmulator
from drivers.emulators.errors import CommandError
from drivers.emulators.printer_emulator import PrinterEmulator
from kiosk import config as kiosk_config
from kiosk.config import KioskConfig
from kiosk.runtime import Runtime
from tests.support.central_server import CentralServer

DEFAULT_WAIT_S = 20.0


def kiosk_test_config(
    data_dir: Path,
    *,
    central_url: str,
    secret: str,
    kiosk_id: str,
    cash_url: str,
    printer_url: str,
    protocol: str = "ccnet",
    **sections: dict[str, Any],
) -> KioskConfig:
    """The demo config pointed at emulators and a test server, with quick timeouts."""
    base = kiosk_config.load(kiosk_config.DEFAULT_CONFIG, env={})

    def section(name: str, **values: Any) -> Any:
        current = getattr(base, name)
        return dataclasses.replace(current, **{**values, **sections.get(name, {})})

    return dataclasses.replace(
        base,
        kiosk=section("kiosk", id=kiosk_id, data_dir=data_dir),
        central=section(
            "central",
            url=central_url,
            secret=secret,
            secret_file=data_dir / "secret",  # as load() resolves it for this data_dir
            connect_timeout_s=1.0,
            read_timeout_s=3.0,
        ),
        cash=section("cash", url=cash_url, protocol=protocol, poll_interval_ms=50),
        printer=section("printer", url=printer_url),
        timeouts=section(
            "timeouts", idle_prompt_s=30, idle_finish_s=10, qr_poll_interval_s=0.3, done_screen_s=5
        ),
        outbox=section(
            "outbox", backoff_initial_s=0.2, backoff_max_s=2.0, heartbeat_interval_s=5.0
        ),
        maintenance=section("maintenance"),
        limits=section("limits"),
        ui=section("ui"),
        scanner=section("scanner"),
        secret_source=base.secret_source if secret else None,
    )


def new_kiosk(server: CentralServer) -> tuple[str, str]:
    """Register a fresh kiosk on the server: its txn ids cannot collide with another test's."""
    kiosk_id = f"T{secrets.token_hex(4).upper()}"
    done = server.admin("add-kiosk", kiosk_id)
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    return kiosk_id, str(answer["secret"])


class Snapshots:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.history: list[dict[str, Any]] = []

    def __call__(self, snapshot: dict[str, Any]) -> None:
        with self._cond:
            self.history.append(snapshot)
            self._cond.notify_all()

    @property
    def latest(self) -> dict[str, Any]:
        with self._cond:
            return self.history[-1] if self.history else {}

    def wait_for(self, path: str, expected: Any, timeout: float = DEFAULT_WAIT_S) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                latest = self.history[-1] if self.history else {}
                if field(latest, path) == expected:
                    return latest
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"{path} never became {expected!r} within {timeout} s; it is "
                        f"{field(latest, path)!r}; state {latest.get('state')}, error "
                        f"{latest.get('error')}"
                    )
                self._cond.wait(min(left, 0.2))


def field(snapshot: dict[str, Any], path: str) -> Any:
    value: Any = snapshot
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


class SkippingClock:
    """The engine's monotonic clock, which a test can move forward at once: an idle
    timeout, a QR expiry or a payment-code deadline passes in milliseconds, and every timer
    of the engine sees the same jump, as if the time had really gone by."""

    def __init__(self) -> None:
        self._skipped = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self._skipped

    def skip(self, seconds: float) -> None:
        self._skipped += seconds


@dataclasses.dataclass
class KioskStack:
    runtime: Runtime
    cash: CashEmulator
    printer: PrinterEmulator
    server: CentralServer
    snapshots: Snapshots
    config: KioskConfig
    clock: SkippingClock

    @classmethod
    def start(
        cls,
        tmp_path: Path,
        server: CentralServer,
        *,
        protocol: str = "ccnet",
        cash_state: Path | None = None,
        before_start: Callable[[CashEmulator, Path, str], None] | None = None,
        paired: bool = True,
        **sections: dict[str, Any],
    ) -> KioskStack:
        """``before_start(cash, journal_path, kiosk_id)`` runs once the emulators are up and
        before the kiosk starts: to leave a journal as a crash would, or a note in the device.
        ``paired=False``: the kiosk is registered on the server but has no secret yet; it is
        up once it is out of service (not once cash is on offer)."""
        kiosk_id, secret = new_kiosk(server)
        if not paired:
            secret = ""
        cash = CashEmulator(protocol, state_file=cash_state or tmp_path / "cassette.json")
        printer = PrinterEmulator(tmp_path / "receipts")
        cash_url, printer_url = cash.start(), printer.start()
        config = kiosk_test_config(
            tmp_path / "data",
            central_url=server.url,
            secret=secret,
            kiosk_id=kiosk_id,
            cash_url=cash_url,
            printer_url=printer_url,
            protocol=protocol,
            **sections,
        )
        if before_start is not None:
            before_start(cash, config.journal_path, kiosk_id)
        clock = SkippingClock()
        runtime = Runtime(config, clock=clock)
        snapshots = Snapshots()
        runtime.engine.subscribe(snapshots)
        runtime.start()
        stack = cls(runtime, cash, printer, server, snapshots, config, clock)
        if paired:
            stack.wait_for("methods.cash.ok", True)
        else:
            stack.wait("out_of_service")
        return stack

    @property
    def engine(self) -> Any:
        return self.runtime.engine

    def intent(self, name: str, **args: Any) -> None:
        self.runtime.engine.intent(name, **args)

    def skip(self, seconds: float) -> None:
        """Let ``seconds`` of the engine's time pass now; its due timers fire at once."""
        self.clock.skip(seconds)
        self.engine.call(lambda: None)  # wakes the loop, which then fires what is due

    def wait(self, state: str, timeout: float = DEFAULT_WAIT_S) -> dict[str, Any]:
        return self.snapshots.wait_for("state", state, timeout)

    def wait_for(self, path: str, expected: Any, timeout: float = DEFAULT_WAIT_S) -> dict[str, Any]:
        return self.snapshots.wait_for(path, expected, timeout)

    def to_cash_insert(self, account_no: str, amount_fen: int | None = None) -> dict[str, Any]:
        self.intent("start")
        self.wait("account_entry")
        self.intent("enter_account", account_no=account_no)
        self.wait("account_shown")
        self.intent("choose_amount", amount_fen=amount_fen)
        self.wait("amount_chosen")
        self.intent("choose_method", method="cash")
        snap = self.wait("cash_insert")
        self.wait_enabled()
        return snap

    def insert(self, denomination_fen: int, timeout: float = DEFAULT_WAIT_S) -> None:
        """Insert a note as a customer would: once the acceptor can draw one in again."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.cash.insert(denomination_fen)
                return
            except CommandError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def wait_enabled(self, timeout: float = DEFAULT_WAIT_S) -> None:
        """The engine enables the acceptor asynchronously; a customer needs it drawing notes."""
        deadline = time.monotonic() + timeout
        while not self.cash.status()["enabled_fen"]:
            if time.monotonic() > deadline:
                raise AssertionError("the acceptor was never enabled")
            time.sleep(0.05)

    def stop(self) -> None:
        self.runtime.stop()
        self.cash.stop()
        self.printer.stop()


def stack_fixture(tmp_path: Path, server: CentralServer, **kwargs: Any) -> Iterator[KioskStack]:
    stack = KioskStack.start(tmp_path, server, **kwargs)
    try:
        yield stack
    finally:
        stack.stop()
