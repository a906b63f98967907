"""The maintenance screen's status page: version, devices, the server (reachable, latency,
clock offset, refused credentials), the outbox and offline limits, the cash box, the ways to
pay and the data disk. Part of ``kiosk.maintenance.Maintenance``.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select

from kiosk import __version__, projection
from kiosk.background import Done
from kiosk.maintenance.screen_state import ScreenState
from kiosk.projection import OutboxState
from kiosk.server_clock import WARN_OFFSET_S


class StatusPage(ScreenState):
    """The ``status`` action and the view it fills (refreshed after a login and a change)."""

    def _status(self) -> None:
        self.engine.check_printer()  # the paper state shown is the one read now
        self._refresh_status()
        started = time.monotonic()
        self.engine.run_background(
            self.engine.central.ping, lambda done: self._pinged(done, started)
        )

    def _pinged(self, done: Done[Any], started: float) -> None:
        server = self.view.setdefault("status", {}).setdefault("server", {})
        if done.ok:
            self.engine.note_server(
                reachable=True, latency_ms=round((time.monotonic() - started) * 1000, 1)
            )
        else:
            self.engine.note_server(reachable=False, error=done.error)
        server.update(self._server_status())  # the ping taught the clock too

    def _server_status(self) -> dict[str, Any]:
        """Reachable, latency, last error; the clock offset and whether to warn about it; and
        why the server refuses this kiosk, if it does (the outbox is parked meanwhile)."""
        clock = self.engine.central.clock
        return {
            **self.engine.server_state,
            "clock_offset_s": clock.clock_offset_s(),  # kiosk minus server
            "clock_warning": clock.needs_warning(),
            "clock_warn_after_s": round(WARN_OFFSET_S),
            "auth_refused": self.engine.health.server_auth,
        }

    def _refresh_status(self) -> None:
        engine, cfg = self.engine, self.engine.config
        backlog = engine.outbox.backlog()
        counts = engine.cashbox_counts()
        notes = sum(counts.values())
        limits = cfg.limits
        self.view["status"] = {
            "version": __version__,
            "uptime_s": round(engine.uptime_s()),
            "kiosk_id": cfg.kiosk.id,
            "central_url": cfg.central.url,
            "acceptor": dict(engine.acceptor_state),
            "printer": dict(engine.printer_state),
            "server": self._server_status(),
            "outbox": {
                "pending": backlog.count,
                "pending_fen": backlog.total_fen,
                "oldest_at": backlog.oldest_at,
                "last_error": engine.outbox.last_error,
                "needs_attention": self._needs_attention_count(),
                "parked": (
                    engine.outbox.auth_block.as_json() if engine.outbox.auth_block else None
                ),
            },
            "offline_limits": {
                "count": [backlog.count, limits.offline_max_count],
                "total_fen": [backlog.total_fen, limits.offline_max_total_fen],
                "age_s": [round(backlog.oldest_age_s), limits.offline_max_age_s],
            },
            "cashbox": {
                "notes": {str(k): v for k, v in sorted(counts.items())},
                "total_fen": sum(k * v for k, v in counts.items()),
                "fill": [notes, cfg.cash.cashbox_capacity_notes],
                "near_full": notes >= cfg.cash.cashbox_near_full_notes,
            },
            "methods": {k: v.as_json() for k, v in engine.methods().items()},
            "disabled_methods": sorted(engine.disabled_methods),
            "data_disk": {
                **engine.disk.as_json(),
                "floor_mb": cfg.kiosk.data_min_free_mb,
                "low": engine.health.disk_low,
                "journal_fault": engine.health.journal_fault,
            },
        }
        self._audit("status", "ok")

    def _needs_attention_count(self) -> int:
        table = projection.outbox
        return int(
            self.engine.journal.read(
                lambda c: (
                    c.execute(
                        select(table.c.item_id).where(
                            table.c.state == OutboxState.NEEDS_ATTENTION.value
                        )
                    )
                    .all()
                    .__len__()
                )
            )
        )
