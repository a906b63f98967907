"""From a stacked note to its amount on the customer's screen, through the real kiosk.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/note_to_screen.py [--notes 30]

The whole chain is real: the CCNET emulator on a pty, the acceptor host's poll thread, the
engine (the ``stacked`` event fsynced to the journal before the ACK), the snapshot, the Qt
bridge and the window's render of the cash screen. The clock starts when the host hands
the engine the device's "stacked" report, so the device's own mechanics (drawing the note
in, validating, stacking, the poll interval) are not counted; it stops when the window has
rendered a snapshot whose inserted amount includes that note.

Baseline in the same run: the same snapshot delivered from a plain thread straight into the
bridge (no device, no journal): what the GUI path alone costs on this machine.
Nothing is asserted; the target is under 100 ms (issue 15).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtWidgets import QApplication

from drivers.cash.api import Stacked
from tests.support.central_server import start_central_server
from tests.support.kiosk_stack import KioskStack
from ui.app import build_window

NOTE_FEN = 1000  # ten yuan a note, the smallest the demo config takes


def percentiles(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return f"median {statistics.median(ms):6.1f} ms   p95 {p95:6.1f} ms   max {ms[-1]:6.1f} ms"


def wait_until(app: QApplication, done: Any, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("the kiosk did not get there in time")
        app.processEvents()
        time.sleep(0.001)


def through_the_kiosk(app: QApplication, work: Path, notes: int) -> list[float]:
    server = start_central_server(work / "central")
    (work / "kiosk").mkdir()
    stack = KioskStack.start(work / "kiosk", server, protocol="ccnet")
    window = build_window(stack.engine, "示范供电公司", fullscreen=False)
    try:
        window.resize(1080, 1920)
        window.show()
        window.show_snapshot(stack.engine.snapshot())
        reported: dict[int, float] = {}  # inserted total -> when its stacked report came
        shown: dict[int, float] = {}
        host = stack.runtime.engine.acceptor
        deliver = host._on_event
        inserted = [0]

        def timed(event: Any) -> None:
            if isinstance(event, Stacked):
                inserted[0] += event.denomination_fen
                reported[inserted[0]] = time.perf_counter()
            deliver(event)

        host._on_event = timed

        def on_render(snap: dict[str, Any]) -> None:
            total = int((snap.get("cash") or {}).get("inserted_fen") or 0)
            if total in reported and total not in shown:
                shown[total] = time.perf_counter()

        window.rendered.connect(on_render)
        account = server.accounts["residential_arrears"]
        stack.to_cash_insert(account, amount_fen=NOTE_FEN * (notes + 1))
        wait_until(app, lambda: window.stack.currentWidget().objectName() == "screen_cash")
        for n in range(1, notes + 1):
            stack.cash.insert(NOTE_FEN)
            wait_until(app, lambda n=n: n * NOTE_FEN in shown)
        return [shown[t] - reported[t] for t in sorted(shown)]
    finally:
        window.allow_close = True
        window.close()
        stack.stop()
        server.stop()


def gui_only(app: QApplication, snapshot: dict[str, Any], rounds: int) -> list[float]:
    """The same kind of snapshot published from a plain thread into a window's bridge."""

    class Source:
        def __init__(self) -> None:
            self.callback: Any = None

        def subscribe(self, callback: Any) -> None:
            self.callback = callback

        def intent(self, name: str, **args: Any) -> None:
            pass

    source = Source()
    window = build_window(source, "示范供电公司", fullscreen=False)
    window.resize(1080, 1920)
    window.show()
    window.show_snapshot(snapshot)
    sent: dict[int, float] = {}
    shown: dict[int, float] = {}

    def on_render(snap: dict[str, Any]) -> None:
        total = int((snap.get("cash") or {}).get("inserted_fen") or 0)
        if total in sent and total not in shown:
            shown[total] = time.perf_counter()

    window.rendered.connect(on_render)
    try:
        for n in range(1, rounds + 1):
            snap = {**snapshot, "seq": snapshot.get("seq", 0) + n}
            snap["cash"] = {**(snapshot.get("cash") or {}), "inserted_fen": n * NOTE_FEN}

            def publish(snap: dict[str, Any] = snap, total: int = n * NOTE_FEN) -> None:
                sent[total] = time.perf_counter()
                source.callback(snap)

            threading.Thread(target=publish).start()
            wait_until(app, lambda n=n: n * NOTE_FEN in shown)
        return [shown[t] - sent[t] for t in sorted(shown)]
    finally:
        window.allow_close = True
        window.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=30)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(prefix="bench-note-") as tmp:
        kiosk = through_the_kiosk(app, Path(tmp), args.notes)
    baseline_snapshot = _cash_screen_snapshot()
    gui = gui_only(app, baseline_snapshot, args.notes)
    print(f"stacked report -> amount on screen ({args.notes} notes, CCNET emulator on a pty)")
    print(f"  real kiosk (host, engine+fsync, bridge, render)  {percentiles(kiosk)}")
    print(f"  baseline: snapshot from a thread to render        {percentiles(gui)}")
    print(
        f"  kiosk median / baseline median                    "
        f"{statistics.median(kiosk) / statistics.median(gui):6.1f}x   target: under 100 ms"
    )
    return 0


def _cash_screen_snapshot() -> dict[str, Any]:
    from kiosk_demo.fake_source import make_snapshot

    return make_snapshot("cash_insert")


if __name__ == "__main__":
    raise SystemExit(main())
