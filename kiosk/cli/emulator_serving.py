"""Run one device emulator in the foreground for ``kiosk emulate ...``: start it, print
``DEVICE <path>`` and ``CONTROL <socket>`` (flushed: the caller reads them to connect), run
until SIGTERM or SIGINT, then stop it so its pty and socket are gone."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType

from drivers.emulators.device_emulator import DeviceEmulator

IDLE_WAIT_S = 1.0


def serve(emulator: DeviceEmulator, each_round: Callable[[], None] | None = None) -> int:
    """``each_round`` runs in a loop while the emulator is up (it must return within a
    fraction of a second, so a signal is seen); without it the process only waits."""
    finished = threading.Event()

    def finish(_signal: int, _frame: FrameType | None) -> None:
        finished.set()

    previous = {s: signal.signal(s, finish) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        path = emulator.start()
        print(f"DEVICE {path}", flush=True)
        print(f"CONTROL {emulator.control_path}", flush=True)
        while not finished.is_set():
            if each_round is None:
                finished.wait(IDLE_WAIT_S)
            else:
                each_round()
    finally:
        emulator.stop()
        for number, handler in previous.items():
            signal.signal(number, handler)
    return 0
