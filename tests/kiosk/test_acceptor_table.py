"""A bill table with no note in the configured codes: the kiosk takes no cash and says why."""

from __future__ import annotations

import time
from pathlib import Path

from drivers.emulators.cash import CashEmulator
from drivers.emulators.printer_emulator import PrinterEmulator
from kiosk.runtime import Runtime
from tests.support.central_server import CentralServer
from tests.support.kiosk_stack import Snapshots, kiosk_test_config, new_kiosk

REASON = (
    "bill table has no notes in CNY/CHN: the device reports "
    "RUS 1, RUS 5, RUS 10, RUS 20, RUS 50, RUS 100"
)


def test_a_refused_bill_table_makes_cash_unavailable_with_the_reason(
    tmp_path: Path,
    shared_central_server: CentralServer,
) -> None:
    kiosk_id, secret = new_kiosk(shared_central_server)
    cash = CashEmulator("ccnet", table_code="RUS", state_file=tmp_path / "cassette.json")
    printer = PrinterEmulator(tmp_path / "receipts")
    try:
        config = kiosk_test_config(
            tmp_path / "data",
            central_url=shared_central_server.url,
            secret=secret,
            kiosk_id=kiosk_id,
            cash_url=cash.start(),
            printer_url=printer.start(),
        )
        runtime = Runtime(config)
        snapshots = Snapshots()
        runtime.engine.subscribe(snapshots)
        runtime.start()
        try:
            engine = runtime.engine
            deadline = time.monotonic() + 20
            while engine.acceptor_state.get("state") != "fault":
                assert time.monotonic() < deadline, engine.acceptor_state
                time.sleep(0.05)
            snapshots.wait_for("methods.cash.ok", False)
            assert engine.acceptor_state["last_error"] == REASON
            assert engine.health.acceptor_fault == "bill_table"
            assert cash.status()["enabled_fen"] == []  # nothing may be accepted
        finally:
            runtime.stop()
    finally:
        cash.stop()
        printer.stop()
