"""The Qt bridge between a snapshot source (the engine, or a fake) and the GUI thread.

A source is anything with ``subscribe(callback)`` and ``intent(name, **args)``: the real
``kiosk.engine.Engine`` or ``kiosk_demo.fake_source.FakeSource``. The engine calls subscribers on
its own thread, so ``publish`` only emits a signal; the connection to the window is queued,
and the snapshot is rendered on the GUI thread. Sending an intent only puts it on the
engine's queue: the GUI thread never waits for the engine.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt, Signal

log = logging.getLogger("ui.bridge")


class SnapshotSource(Protocol):
    def subscribe(self, callback: Any) -> None: ...

    def intent(self, name: str, **args: Any) -> None: ...


class Bridge(QObject):
    """Re-emits snapshots (any thread) as ``snapshot_arrived`` on the GUI thread."""

    snapshot_arrived = Signal(object)  # object, not dict: no QVariantMap round trip

    def __init__(self, source: SnapshotSource, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.source = source
        source.subscribe(self.publish)

    def publish(self, snapshot: dict[str, Any]) -> None:
        """Called on the engine thread: hand the snapshot to the GUI thread."""
        self.snapshot_arrived.emit(dict(snapshot))

    def send(self, name: str, **args: Any) -> None:
        """Queue an intent; never blocks (the engine applies it on its own thread)."""
        log.debug("intent %s %s", name, {k: v for k, v in args.items() if k != "pin"})
        self.source.intent(name, **args)

    def connect_view(self, slot: Any) -> None:
        self.snapshot_arrived.connect(slot, Qt.ConnectionType.QueuedConnection)
