"""Entry point the core finds through the `kiosk.frontends` entry point group.

``run_frontend`` wires the real runtime (journal, central client, devices, engine) to the
window through the bridge. Qt owns the main thread; the engine runs on its own thread.
"""

from __future__ import annotations

import copy
import logging
import os
import signal
import sys
from typing import Any

log = logging.getLogger("ui")

DEFAULT_WINDOW = (1024, 768)
RESTART_EXIT_CODE = 75  # EX_TEMPFAIL: systemd's Restart= brings the application back


def window_size() -> tuple[int, int]:
    """--windowed size: KIOSK_WINDOW_SIZE=1080x1920 for portrait, else 1024x768."""
    text = os.environ.get("KIOSK_WINDOW_SIZE", "")
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        if text:
            log.warning(
                "KIOSK_WINDOW_SIZE=%r is not WIDTHxHEIGHT; using %dx%d", text, *DEFAULT_WINDOW
            )
        return DEFAULT_WINDOW
    return max(320, width), max(320, height)


def build_window(
    source: Any,
    utility_name: str,
    *,
    fullscreen: bool,
    service_phone: str = "95598",
    voice: Any = None,
) -> Any:
    """The window over any snapshot source (the engine, or kiosk_demo's FakeSource)."""
    from ui.bridge import Bridge
    from ui.window import KioskWindow

    bridge = Bridge(_Snapshotting(source))
    window = KioskWindow(
        bridge, utility_name, fullscreen=fullscreen, service_phone=service_phone, voice=voice
    )
    bridge.setParent(window)
    return window


class _Snapshotting:
    """Hands subscribers a deep copy taken on the publishing thread, at publish time.

    A snapshot may hold containers the engine keeps mutating on its own thread after
    publishing (the maintenance view); the GUI must render the state as it was published.
    """

    def __init__(self, source: Any) -> None:
        self._source = source

    def subscribe(self, callback: Any) -> None:
        self._source.subscribe(lambda snapshot: callback(copy.deepcopy(snapshot)))

    def intent(self, name: str, **args: Any) -> None:
        self._source.intent(name, **args)


def run_frontend(config: Any, windowed: bool = False, beside: Any = None) -> int:
    """Run the kiosk window.

    ``beside(window, engine)``, when given, opens a window of its own beside the kiosk's and
    returns it (``kiosk demo`` shows its emulator control window so); it is closed at the end.
    """
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk.runtime import Runtime

    app = QApplication.instance() or QApplication(sys.argv[:1])
    fullscreen = bool(config.ui.fullscreen) and not windowed
    runtime = Runtime(config)
    from kiosk.voice import Voice, VoiceSettings

    voice = Voice(
        config.kiosk.data_dir / "voice",  # the rendered prompts' cache
        VoiceSettings(enabled=config.ui.voice, volume=config.ui.voice_volume),
    )
    window = build_window(
        runtime.engine,
        config.kiosk.utility_name,
        fullscreen=fullscreen,
        service_phone=config.ui.service_phone,  # the payment notice's phone ([ui])
        voice=voice,
    )
    window.maintenance_requested.connect(lambda: log.info("maintenance entry pressed"))
    # "Restart the application" from the maintenance screen: leave the event loop with a
    # code the service manager restarts on (the engine calls this on its own thread).
    window.restart_requested.connect(
        lambda: app.exit(RESTART_EXIT_CODE), Qt.ConnectionType.QueuedConnection
    )
    runtime.engine.maintenance.restart_requested = window.restart_requested.emit
    if fullscreen:
        app.setOverrideCursor(Qt.CursorShape.BlankCursor)
        window.showFullScreen()
    else:
        window.resize(*window_size())
        window.show()
    panel = None if beside is None else beside(window, runtime.engine)
    # Ctrl+C / SIGTERM end the event loop; Python handles signals only between Qt events,
    # so a timer gives it a chance every 200 ms.
    signal.signal(signal.SIGTERM, lambda *_: app.quit())
    signal.signal(signal.SIGINT, lambda *_: app.quit())
    pulse = QTimer()
    pulse.start(200)
    pulse.timeout.connect(lambda: None)
    runtime.start()
    window.show_snapshot(runtime.engine.snapshot())
    try:
        code = app.exec()
    finally:
        window.allow_close = True
        window.close()
        if panel is not None:
            panel.close()
        # Closing the last window posts a Quit event; handle it now so that it cannot stop
        # the next event loop of a process that goes on (tests, an in-process restart).
        app.processEvents()
        voice.close()
        runtime.stop()
    return int(code)
