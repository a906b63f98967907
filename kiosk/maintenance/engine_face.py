"""What the maintenance screen may use of the engine, and nothing more.

The screen runs on the engine thread and is handed an ``EngineFace``
(kiosk/engine/maintenance_face.py adapts the engine to it), never the ``Engine`` itself:
what a technician's action can reach is this list. Reading: the config, the journal, the
server's client and clock, the outbox's state, health and the devices' last states. Acting:
the screen's own state transitions, its timer, printing a slip, the acceptor off while the
screen is open and its test mode, switching a way to pay, reporting a ping, a new secret.
Tests run the screen against the real engine stepped in-process
(tests/support/engine_harness.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from kiosk.availability import Availability, Health
from kiosk.background import Done
from kiosk.central_client import CentralClient
from kiosk.config import KioskConfig, Language
from kiosk.data_disk import DiskSpace
from kiosk.journal import Journal
from kiosk.outbox import Outbox
from kiosk.session import State, Trigger


class EngineFace(Protocol):
    # ------------------------------------------------------------ reading
    @property
    def config(self) -> KioskConfig: ...

    @property
    def journal(self) -> Journal: ...

    @property
    def central(self) -> CentralClient: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def state(self) -> State: ...

    @property
    def language(self) -> Language: ...

    @property
    def health(self) -> Health: ...

    @property
    def disk(self) -> DiskSpace: ...

    @property
    def acceptor_state(self) -> Mapping[str, Any]: ...

    @property
    def printer_state(self) -> Mapping[str, Any]: ...

    @property
    def server_state(self) -> Mapping[str, Any]: ...

    @property
    def disabled_methods(self) -> frozenset[str]: ...

    @property
    def test_mode(self) -> bool: ...

    @property
    def test_notes(self) -> list[int]: ...

    def uptime_s(self) -> float: ...

    def methods(self) -> Mapping[str, Availability]: ...

    def cashbox_counts(self) -> dict[int, int]: ...

    def txn_row(self, txn_id: str) -> Any: ...

    # ------------------------------------------------------------ acting
    def fire(self, trigger: Trigger) -> State: ...

    def go_home(self) -> None: ...

    def set_timer(self, name: str, seconds: float) -> None: ...

    def cancel_timer(self, *names: str) -> None: ...

    def run_background(
        self, fn: Callable[[], Any], then: Callable[[Done[Any]], None], *, pool: str = "net"
    ) -> None: ...

    def print_document(self, text: str, data: bytes, *, txn_id: str | None = None) -> None: ...

    def check_printer(self) -> None: ...

    def acceptor_test(self, on: bool) -> None: ...

    def disable_acceptor(self) -> None: ...

    def set_method_enabled(self, method: str, enabled: bool) -> None: ...

    def note_server(
        self,
        *,
        reachable: bool,
        latency_ms: float | None = None,
        error: BaseException | None = None,
    ) -> None: ...

    def use_secret(self, secret: str, why: str) -> None: ...
