"""What the kiosk can do now: device, server, printer and data-disk health, the methods
available from it, the heartbeat, and the journal-fault pause.

A journal write that fails pauses cash (``journal_failed``) until a probe reaches the disk
again (``check_journal``); what could not be closed meanwhile is settled then by recovery.
Runs on the engine thread; printer checks and the heartbeat run in the background.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk import availability, projection
from kiosk.background import Done
from kiosk.central_client import (
    CentralOffline,
    CentralRejected,
    CentralTimeout,
    CentralUnauthorized,
)
from kiosk.data_disk import examine, explain_write_failure
from kiosk.journal import JournalError
from kiosk.session import State, Trigger
from kiosk.settings import save_disabled_methods

if TYPE_CHECKING:
    from kiosk.config import KioskConfig
    from kiosk.engine.core import Engine

log = logging.getLogger("kiosk.engine")

HEALTH_CHECK_S = 10.0
JOURNAL_CHECK_S = 1.0  # while writes fail: how often to try again


class HealthChecks:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._first_round_done = False
        self._limits_made: tuple[KioskConfig, bool, availability.Limits] | None = None

    def round(self) -> None:
        """The ``health`` timer: printer, data disk, backlog and a secret written by
        `kiosk pair` meanwhile, then again in a while."""
        self.check_printer(purpose="health")
        self.examine_disk()
        self.engine.remote.check_secret_file()
        self.refresh_service_state()
        self.engine.set_timer("health", HEALTH_CHECK_S)

    # ------------------------------------------------------------ the data disk
    def examine_disk(self) -> None:
        engine = self.engine
        engine.disk = examine(engine.config.kiosk.data_dir)
        low = engine.disk.below(engine.config.kiosk.data_min_free_mb)
        if low and not engine.health.disk_low:
            log.error(
                "data disk low: %s MB free on %s, below the %d MB floor: no cash payments",
                engine.disk.free_mb,
                engine.disk.path,
                engine.config.kiosk.data_min_free_mb,
            )
        self.set_health(disk_low=low)

    def journal_failed(self, error: JournalError) -> None:
        """A journal write failed: take nothing more until a write reaches the disk again.

        What was not written did not happen: a note whose `stacked` row failed is not
        acknowledged, so the device keeps reporting it; an escrow whose row failed went
        back. The payment under way pauses (the acceptor is disabled) and goes on once
        writes succeed; what it could not close is settled then, as after a restart.
        """
        engine = self.engine
        first = engine.health.journal_fault is None
        reason = explain_write_failure(
            error, Path(engine.config.kiosk.data_dir), engine.config.journal_path
        )
        if first:
            log.error("%s (%s): cash paused until the journal can be written", reason, error)
        else:
            log.debug("journal still failing: %s", error)
        self.set_health(journal_fault=reason)
        engine.cash.disable_acceptor()
        if engine.timer_remaining("journal_check") is None:
            engine.set_timer("journal_check", JOURNAL_CHECK_S)
        if first and engine.machine.state is State.METHOD_CHOSEN:
            engine.session.error = {
                "code": "method_unavailable",
                "detail": {"method": engine.session.method, "reason": "journal_fault"},
            }
            engine.session.txn_id = None  # left open in the journal; settled once writable
            engine.fire(Trigger.METHOD_FAILED)

    def check_journal(self) -> None:
        engine = self.engine
        self.examine_disk()
        try:
            engine.journal.probe()
        except JournalError as exc:
            self.journal_failed(exc)
            return
        log.warning("the journal can be written again: %s", engine.health.journal_fault)
        self.set_health(journal_fault=None)
        live = engine.session.txn_id if self._payment_live() else None
        engine.recovery_steps.after_journal_fault(live_txn=live)
        cash = engine.session.cash
        if engine.machine.state is State.CASH_INSERT and not cash.finishing:
            engine.cash.enable_acceptor(frozenset(engine.config.cash.denominations_fen))
        self.refresh_service_state()

    def _payment_live(self) -> bool:
        """The session's transaction is still the engine's to finish (not recovery's)."""
        engine = self.engine
        state = engine.machine.state
        if state in (State.CASH_INSERT, State.QR_WAIT, State.METHOD_CHOSEN):
            return True
        return state is State.PROCESSING and engine.session.result is None

    # ------------------------------------------------------------ the server
    def explain(self, error: BaseException | None) -> dict[str, Any]:
        """A failed server call as the error the screen shows."""
        if isinstance(error, CentralRejected):
            self.engine.remote.credentials_refused(error)
            return {"code": error.code, "detail": dict(error.detail)}
        if isinstance(error, CentralTimeout | CentralOffline):
            self.server_down(error)
            return {"code": "server_offline", "detail": {}}
        return {"code": "server_error", "detail": {}}

    def server_ok(self, latency_ms: float | None = None) -> None:
        server_state = self.engine.server_state
        server_state["reachable"] = True
        if latency_ms is not None:
            server_state["latency_ms"] = latency_ms
        self.set_health(server_reachable=True)

    def server_down(self, error: BaseException | None) -> None:
        server_state = self.engine.server_state
        server_state["reachable"] = False
        if error is not None:
            server_state["last_error"] = str(error)
        self.set_health(server_reachable=False)

    def heartbeat_due(self) -> None:
        """The ``heartbeat`` timer: send one, and the next in an interval."""
        self.send_heartbeat()
        self.engine.set_timer("heartbeat", self.engine.config.outbox.heartbeat_interval_s)

    def send_heartbeat(self) -> None:
        engine = self.engine
        if engine.health.unpaired:
            # Nothing to sign with: the server would refuse it. The first round is done all
            # the same: with nothing available the kiosk goes out of service and says why.
            self._first_round_done = True
            self._update_service_state()
            return
        body = {
            "version": __import__("kiosk").__version__,
            "devices": {
                "acceptor": engine.acceptor_state.get("state"),
                "printer": engine.printer_state.get("state"),
            },
            "cashbox": {str(k): v for k, v in self.cashbox_counts().items()},
            "outbox_pending": engine.health.offline_count,
            "oldest_unposted_at": engine.outbox.oldest_pending_at(),
            "journal_fault": engine.health.journal_fault,
            "data_disk_free_mb": _whole_mb(engine.disk.free_mb),  # no floats on the wire
            # for the fleet console's cash-box fill and suspect alerts
            "cashbox_capacity": engine.config.cash.cashbox_capacity_notes,
            "suspects": self._open_suspects(),
        }
        offset = engine.central.clock.clock_offset_s()
        if offset is not None:  # kiosk minus server; unknown until the server first answers
            body["clock_offset_s"] = offset

        def beat() -> tuple[float, tuple[dict[str, object], ...]]:
            began = time.monotonic()
            answer = engine.central.heartbeat(body)
            return round((time.monotonic() - began) * 1000, 1), answer.commands

        engine.run_net("heartbeat", 0, beat)

    def done_heartbeat(self, done: Done[Any]) -> None:
        self._first_round_done = True
        remote = self.engine.remote
        if done.ok:
            latency_ms, commands = done.get()
            self.server_ok(latency_ms=latency_ms)
            remote.credentials_accepted()
            remote.on_commands(commands)
        elif isinstance(done.error, CentralUnauthorized):
            self.server_ok()  # it answered: reachable, but it refuses this kiosk
            remote.credentials_refused(done.error)
        else:
            self.server_down(done.error)

    # ------------------------------------------------------------ the printer
    def check_printer(self, purpose: str) -> None:
        """A status check; for cash (``purpose="cash"``) its fresh answer gates the payment."""
        engine = self.engine
        if not engine.config.printer.enabled or engine.printer is None:
            if purpose == "cash":
                engine.cash.prepare(printer_ok=not engine.config.printer.enabled)
            return
        printer = engine.printer
        if purpose != "cash":
            engine.run_printer("printer_check", 0, printer.status)
            return
        token = engine.session.token

        def checked(done: Done[Any]) -> None:
            # This check was asked for after cash was chosen: its answer is fresh.
            self.apply_printer_status(done)
            if token == engine.session.token:
                engine.cash.prepare(engine.health.printer_can_print)

        engine.run_background(printer.status, checked, pool="printer")

    def apply_printer_status(self, done: Done[Any]) -> None:
        engine = self.engine
        # a failed print job carries the status that made it fail
        status = done.value if done.ok else getattr(done.error, "status", None)
        if status is None:
            engine.printer_state = {"state": "not_answering", "detail": str(done.error or "")}
            self.set_health(printer_can_print=False, printer_state="not_answering")
            return
        state = getattr(status.state, "value", str(status.state)).lower()
        engine.printer_state = {"state": state, "detail": status.detail}
        self.set_health(printer_can_print=bool(status.can_print), printer_state=state)

    # ------------------------------------------------------------ availability
    def set_health(self, **changes: Any) -> None:
        engine = self.engine
        engine.health = dataclasses.replace(engine.health, **changes)
        self._update_service_state()

    def _update_service_state(self) -> None:
        """Home <-> out of service as methods become (un)available; payments are untouched."""
        if not self._first_round_done:
            return  # at start-up, wait for the first device and server checks
        engine = self.engine
        any_ok = any(a.ok for a in self.methods().values())
        if engine.machine.state is State.HOME and not any_ok:
            engine.fire(Trigger.SERVICE_LOST)
        elif engine.machine.state is State.OUT_OF_SERVICE and any_ok:
            engine.fire(Trigger.SERVICE_BACK)

    def refresh_service_state(self) -> None:
        backlog = self.engine.outbox.backlog()
        self.set_health(
            offline_count=backlog.count,
            offline_total_fen=backlog.total_fen,
            oldest_unposted_age_s=backlog.oldest_age_s,
            cashbox_notes=self.cashbox_notes(),
            disabled_methods=frozenset(self.engine.disabled_methods),
        )

    def set_method_enabled(self, method: str, enabled: bool) -> None:
        engine = self.engine
        if enabled:
            engine.disabled_methods.discard(method)
        else:
            engine.disabled_methods.add(method)
        save_disabled_methods(engine.journal, engine.disabled_methods)
        self.refresh_service_state()

    def methods(self) -> Mapping[str, availability.Availability]:
        engine = self.engine
        # While a restart's unsettled note is being settled, a new customer's note of the
        # same value could be taken for it: no cash until recovery is done.
        health = dataclasses.replace(engine.health, recovering=engine.recovery.unsettled)
        return availability.methods(health, self._limits())

    def _limits(self) -> availability.Limits:
        """The config's limits, made again only when the config (a remote command may
        replace it) or the scanner changed, not for every snapshot."""
        engine = self.engine
        made_for = self._limits_made
        if (
            made_for is not None
            and made_for[0] is engine.config  # by identity: comparing configs costs more
            and made_for[1] == engine.scanner_configured
        ):
            return made_for[2]
        cash, printer, limits = engine.config.cash, engine.config.printer, engine.config.limits
        made = availability.Limits(
            offline_max_count=limits.offline_max_count,
            offline_max_total_fen=limits.offline_max_total_fen,
            offline_max_age_s=limits.offline_max_age_s,
            cashbox_capacity_notes=cash.cashbox_capacity_notes,
            cash_enabled=cash.enabled,
            printer_enabled=printer.enabled,
            onscreen_receipt_fallback=printer.onscreen_receipt_fallback,
            paycode_enabled=engine.scanner_configured,
        )
        self._limits_made = (engine.config, engine.scanner_configured, made)
        return made

    # ------------------------------------------------------------ the cash box
    def cashbox_counts(self) -> dict[int, int]:
        table = projection.cashbox
        rows = self.engine.journal.read(lambda c: c.execute(table.select()).all())
        return {row.denomination_fen: row.count for row in rows if row.count}

    def cashbox_notes(self) -> int:
        table = projection.cashbox
        rows = self.engine.journal.read(lambda c: c.execute(table.select()).all())
        return sum(row.count for row in rows)

    def _open_suspects(self) -> int:
        table = projection.suspects
        rows = self.engine.journal.read(
            lambda c: c.execute(
                table.select().with_only_columns(table.c.suspect_id).where(table.c.state == "open")
            ).all()
        )
        return len(rows)


def _whole_mb(megabytes: float | None) -> int | None:
    return None if megabytes is None else int(megabytes)
