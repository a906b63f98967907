"""UI figures, each next to a baseline measured in the same run (nothing asserted).

1. Cold start: a fresh process to the home screen shown, vs a bare PySide6 window.
2. Longest GUI event-loop stall while a full cash payment's snapshots stream in from
   another thread (as the engine delivers them), vs the same loop with no snapshots.
3. Memory (RSS) after N scripted payments through every screen, and its growth.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/ui.py [--payments 1000]
Devices and the central server are not in this measurement (the engine's integration is
still landing); the window renders the same snapshots the engine would publish.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

BARE = """
import time, sys
t0 = float(sys.argv[1])
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication([])
w = QWidget(); w.resize(1080, 1920); w.show(); app.processEvents()
print(time.time() - t0)
"""

KIOSK = """
import time, sys
t0 = float(sys.argv[1])
from PySide6.QtWidgets import QApplication
from ui.app import build_window
from kiosk_demo.fake_source import FakeSource, make_snapshot
app = QApplication([])
w = build_window(FakeSource(), "示范供电公司", fullscreen=False)
w.resize(1080, 1920); w.show(); w.show_snapshot(make_snapshot("home")); app.processEvents()
w.grab()  # painted, not just laid out
print(time.time() - t0)
"""


def cold_start(code: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code, repr(time.time())],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def payment_script() -> list[dict]:
    from kiosk_demo.fake_source import make_snapshot

    snaps = [
        make_snapshot("home"),
        make_snapshot("account_entry"),
        make_snapshot("looking_up"),
        make_snapshot("account_shown"),
        make_snapshot("amount_chosen", amount_fen=22580),
        make_snapshot("method_chosen", amount_fen=22580, method="cash"),
    ]
    inserted = 0
    notes: dict[str, int] = {}
    for note in (10000, 10000, 5000):
        snaps.append(
            make_snapshot(
                "cash_insert",
                amount_fen=22580,
                cash={"inserted_fen": inserted, "in_escrow_fen": note, "notes": dict(notes)},
            )
        )
        inserted += note
        notes[str(note)] = notes.get(str(note), 0) + 1
        snaps.append(
            make_snapshot(
                "cash_insert",
                amount_fen=22580,
                notice="note_accepted",
                cash={
                    "inserted_fen": inserted,
                    "notes": dict(notes),
                    "still_due_fen": max(0, 22580 - inserted),
                    "surplus_fen": max(0, inserted - 22580),
                },
            )
        )
    snaps.append(make_snapshot("processing", amount_fen=22580))
    result = {
        "status": "posted",
        "txn_id": "K0001-00000001",
        "amount_fen": inserted,
        "credited_to_balance_fen": inserted - 22580,
        "balance_fen": 3654,
        "receipt_url": "http://127.0.0.1/r/1",
        "printing": "pending",
    }
    snaps.append(make_snapshot("done", result=result))
    snaps.append(make_snapshot("done", result={**result, "printing": "printed"}))
    return snaps


def rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--payments", type=int, default=1000)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    bare = cold_start(BARE, args.runs)
    kiosk = cold_start(KIOSK, args.runs)
    print(
        f"cold start (median of {args.runs}): bare window {bare * 1000:.0f} ms, "
        f"kiosk home {kiosk * 1000:.0f} ms, ratio {kiosk / bare:.2f} (target <= 1.5)"
    )

    from PySide6.QtCore import QEvent, QTimer
    from PySide6.QtWidgets import QApplication

    sys.path.insert(0, str(REPO))
    from kiosk_demo.fake_source import FakeSource
    from ui.app import build_window

    app = QApplication.instance() or QApplication([])
    source = FakeSource()
    window = build_window(source, "示范供电公司", fullscreen=False)
    window.resize(1080, 1920)
    window.show()
    script = payment_script()

    def stall_during(feed: bool, seconds: float = 3.0) -> float:
        """Longest gap between 5 ms ticks of the GUI loop while the feeder runs."""
        gaps: list[float] = []
        last = [time.perf_counter()]

        def tick() -> None:
            now = time.perf_counter()
            gaps.append(now - last[0])
            last[0] = now

        timer = QTimer()
        timer.setInterval(5)
        timer.timeout.connect(tick)
        stop = threading.Event()

        def feeder() -> None:
            while not stop.is_set():
                for snap in script:
                    source.emit(snap)
                    time.sleep(0.02)  # the engine publishes at most tens per second

        worker = threading.Thread(target=feeder, daemon=True)
        timer.start()
        if feed:
            worker.start()
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.001)
        stop.set()
        if feed:
            worker.join(timeout=5)
        timer.stop()
        app.processEvents()
        return max(gaps) * 1000 if gaps else float("nan")

    idle = stall_during(False)
    busy = stall_during(True)
    print(
        f"longest GUI stall: idle loop {idle:.1f} ms, during cash payments {busy:.1f} ms "
        f"(target < 50 ms)"
    )

    def pay_once() -> None:
        for snap in script:
            window.show_snapshot(snap)
        app.processEvents()
        # what returning to the event loop does in the app: delete replaced widgets
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    for _ in range(20):  # warm-up: caches, fonts, first allocations
        pay_once()
    before = rss_mb()
    start = time.perf_counter()
    for _ in range(args.payments):
        pay_once()
    elapsed = time.perf_counter() - start
    after = rss_mb()
    print(
        f"memory after {args.payments} scripted payments: {after:.1f} MB RSS, growth "
        f"{after - before:+.1f} MB (targets < 200 MB, < 5 MB); "
        f"{elapsed / args.payments * 1000:.1f} ms of rendering per payment"
    )
    window.allow_close = True
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
