"""What every part of the maintenance screen shares: the engine it runs on (as an
``EngineFace``: kiosk/maintenance/engine_face.py), the technician
registry, who is logged in, the view and message the screen shows, and the audit event every
action writes. The parts (kiosk/maintenance/*.py) derive from ``ScreenState``, and
``kiosk.maintenance.Maintenance`` from them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk.events import Audit
from kiosk.maintenance.engine_face import EngineFace
from kiosk.technicians import Registry, Role


@dataclass
class TechnicianLogin:
    technician_id: str
    name: str
    role: Role


class ScreenState:
    def __init__(self, engine: EngineFace, registry: Registry) -> None:
        self.engine = engine
        self.registry = registry
        self.user: TechnicianLogin | None = None
        self.view: dict[str, Any] = {}
        self.message: dict[str, Any] | None = None
        self.restart_requested: Callable[[], None] = lambda: None

    def _audit(self, action: str, result: str, **detail: Any) -> None:
        actor = self.user.technician_id if self.user else None
        audit = Audit(str(action), result, detail)
        self.engine.journal.append_many(lambda _c: [audit.entry(None)], actor=actor)
