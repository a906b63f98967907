"""Wire a kiosk together from its config: journal, central client, devices, engine, watchdog.

Used by `kiosk run` (with or without Qt) and by the tests that run a real kiosk process.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from drivers.cash import open_acceptor
from drivers.printer import ReceiptPrinter
from drivers.scanner import ScannerHost, ScannerSettingError, open_scanner
from kiosk.central_client import CentralClient
from kiosk.config import KioskConfig
from kiosk.config_error import ConfigError
from kiosk.engine import Engine
from kiosk.journal import Journal
from kiosk.sdnotify import Notifier, Watchdog

log = logging.getLogger("kiosk.runtime")

ENGINE_SILENCE_S = 10.0  # the engine loop wakes every second; ten silent seconds is a hang


class Runtime:
    def __init__(self, config: KioskConfig, *, clock: Callable[[], float] = time.monotonic) -> None:
        """``clock``: the engine's monotonic clock (its timers); tests move one forward."""
        self.config = config
        data_dir = Path(config.kiosk.data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        self.central = CentralClient(
            config.central.url,
            config.kiosk.id,
            config.central.secret,
            connect_timeout_s=config.central.connect_timeout_s,
            read_timeout_s=config.central.read_timeout_s,
        )
        # Events are stamped by the server's clock as the kiosk knows it (kiosk/server_clock.py),
        # so a payment's created_at and its receipt's time are right even if the OS clock is not.
        self.journal = Journal(config.journal_path, clock=self.central.clock.journal_stamp)
        printer = None
        if config.printer.enabled:
            printer = ReceiptPrinter(
                config.printer.url,
                baudrate=config.printer.baudrate,
                encoding=config.printer.encoding,
                has_cutter=config.printer.has_cutter,
                status_timeout_s=config.printer.status_timeout_ms / 1000,
            )
        self.engine = Engine(config, self.journal, self.central, printer=printer, clock=clock)
        if config.cash.enabled:
            self.engine.acceptor = open_acceptor(
                config.cash.protocol,
                config.cash.url,
                on_event=self.engine.acceptor_event,
                decide=self.engine.decide_escrow,
                baudrate=config.cash.baudrate,
                poll_interval_s=config.cash.poll_interval_ms / 1000,
                escrow_decision_timeout_s=config.cash.escrow_decision_timeout_ms / 1000,
                **config.cash.acceptor_settings(),
            )
        self.scanner = self._scanner(config)
        self.engine.scanner_configured = self.scanner is not None  # the method is offered
        self.notifier = Notifier.from_environment()
        self.watchdog = Watchdog(self.notifier, self.engine_alive)
        self._told_status = ""
        self.engine.subscribe(self._tell_status)

    def _scanner(self, config: KioskConfig) -> ScannerHost | None:
        """The payment-code scanner's host when ``[scanner] url`` is set (None: not offered)."""
        section = config.scanner
        if not section.enabled:
            return None
        try:
            return open_scanner(
                section.url,
                on_event=self.engine.scanner_event,
                baudrate=section.baudrate,
                terminator=section.terminator,
                prefix=section.prefix,
                suffix=section.suffix,
                max_length=section.max_length,
            )
        except ScannerSettingError as exc:
            raise ConfigError(f"{config.source}: scanner.url: {exc}") from exc

    def _tell_status(self, snapshot: dict[str, Any]) -> None:
        """``systemctl status kiosk`` says what a customer can do now; sent when that changes.

        It also marks the moment the kiosk is truly ready (bench/cold_start.py waits for it).
        """
        methods = snapshot.get("methods") or {}
        taking = [name for name, method in methods.items() if method.get("ok")]
        if snapshot.get("state") == "out_of_service":
            line = "out of service: " + ", ".join(
                f"{name} {method.get('reason')}" for name, method in sorted(methods.items())
            )
        elif taking:
            line = "taking payments: " + ", ".join(sorted(taking))
        else:
            line = "no payment method available"
        if line != self._told_status:
            self._told_status = line
            self.notifier.status(line)

    def engine_alive(self) -> bool:
        return time.monotonic() - self.engine.last_beat < ENGINE_SILENCE_S

    def start(self) -> None:
        self.engine.start()
        if self.scanner is not None:
            self.scanner.start()
        self.notifier.ready(f"kiosk {self.config.kiosk.id} up")
        self.watchdog.start()
        log.info("kiosk %s started; journal %s", self.config.kiosk.id, self.journal.path)
        if not self.config.paired:
            log.warning(
                "kiosk %s is not paired: out of service until a technician pairs it on the "
                "maintenance screen, or `kiosk pair URL CODE` writes %s",
                self.config.kiosk.id,
                self.config.central.secret_file,
            )

    def stop(self) -> None:
        self.notifier.stopping()
        self.watchdog.stop()
        if self.scanner is not None:
            self.scanner.stop()
        self.engine.stop()
        self.central.close()
        printer: Any = self.engine.printer
        if printer is not None:
            printer.close()
        self.journal.close()
        self.notifier.close()
