"""The engine as the maintenance screen sees it (kiosk/maintenance/engine_face.py says what
that is and why). Each member reads the engine or hands the action to the flow that owns it.
Engine thread only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from kiosk.availability import Availability, Health
from kiosk.background import Done
from kiosk.central_client import CentralClient
from kiosk.config import KioskConfig, Language
from kiosk.data_disk import DiskSpace
from kiosk.journal import Journal
from kiosk.outbox import Outbox
from kiosk.session import State, Trigger

if TYPE_CHECKING:
    from kiosk.engine.core import Engine


class MaintenanceFace:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # ------------------------------------------------------------ reading
    @property
    def config(self) -> KioskConfig:
        return self._engine.config

    @property
    def journal(self) -> Journal:
        return self._engine.journal

    @property
    def central(self) -> CentralClient:
        return self._engine.central

    @property
    def outbox(self) -> Outbox:
        return self._engine.outbox

    @property
    def state(self) -> State:
        return self._engine.machine.state

    @property
    def language(self) -> Language:
        return self._engine.language

    @property
    def health(self) -> Health:
        return self._engine.health

    @property
    def disk(self) -> DiskSpace:
        return self._engine.disk

    @property
    def acceptor_state(self) -> Mapping[str, Any]:
        return self._engine.acceptor_state

    @property
    def printer_state(self) -> Mapping[str, Any]:
        return self._engine.printer_state

    @property
    def server_state(self) -> Mapping[str, Any]:
        return self._engine.server_state

    @property
    def disabled_methods(self) -> frozenset[str]:
        return frozenset(self._engine.disabled_methods)

    @property
    def test_mode(self) -> bool:
        return self._engine.cash.test_mode

    @property
    def test_notes(self) -> list[int]:
        return list(self._engine.cash.test_notes)

    def uptime_s(self) -> float:
        return self._engine.monotonic() - self._engine.started_at

    def methods(self) -> Mapping[str, Availability]:
        return self._engine.checks.methods()

    def cashbox_counts(self) -> dict[int, int]:
        return self._engine.checks.cashbox_counts()

    def txn_row(self, txn_id: str) -> Any:
        return self._engine.txn_row(txn_id)

    # ------------------------------------------------------------ acting
    def fire(self, trigger: Trigger) -> State:
        return self._engine.fire(trigger)

    def go_home(self) -> None:
        self._engine.go_home()

    def set_timer(self, name: str, seconds: float) -> None:
        self._engine.set_timer(name, seconds)

    def cancel_timer(self, *names: str) -> None:
        self._engine.cancel_timer(*names)

    def run_background(
        self, fn: Callable[[], Any], then: Callable[[Done[Any]], None], *, pool: str = "net"
    ) -> None:
        self._engine.run_background(fn, then, pool=pool)

    def print_document(self, text: str, data: bytes, *, txn_id: str | None = None) -> None:
        """A slip or a copy; the result comes back as a ``print`` result."""
        if self._engine.printer is not None:
            self._engine.settlement.queue_print(txn_id, text, data)

    def check_printer(self) -> None:
        self._engine.checks.check_printer(purpose="health")

    def acceptor_test(self, on: bool) -> None:
        self._engine.cash.acceptor_test(on)

    def disable_acceptor(self) -> None:
        self._engine.cash.disable_acceptor()

    def set_method_enabled(self, method: str, enabled: bool) -> None:
        self._engine.checks.set_method_enabled(method, enabled)

    def note_server(
        self,
        *,
        reachable: bool,
        latency_ms: float | None = None,
        error: BaseException | None = None,
    ) -> None:
        if reachable:
            self._engine.checks.server_ok(latency_ms)
        else:
            self._engine.checks.server_down(error)

    def use_secret(self, secret: str, why: str) -> None:
        self._engine.remote.use_secret(secret, why)
