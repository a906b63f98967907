"""UI fixtures: the real window over a FakeSource (records intents, emits snapshots)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("PySide6")

from kiosk_demo.fake_source import FakeSource, make_snapshot
from ui.app import build_window


class Kiosk:
    def __init__(self, qtbot: Any, window: Any, source: FakeSource) -> None:
        self.qtbot = qtbot
        self.window = window
        self.source = source

    def show(self, state: str = "home", **overrides: Any) -> dict[str, Any]:
        snap = make_snapshot(state, **overrides)
        with self.qtbot.waitSignal(self.window.rendered, timeout=5000):
            self.source.emit(snap)  # through the bridge's queued connection, as in the app
        return snap

    def find(self, name: str) -> Any:
        from PySide6.QtWidgets import QWidget

        widget = self.window.findChild(QWidget, name)
        assert widget is not None, f"no widget named {name!r}"
        return widget

    def click(self, name: str) -> None:
        from PySide6.QtCore import Qt

        widget = self.find(name)
        assert widget.isVisible(), f"{name} is not visible"
        assert widget.isEnabled(), f"{name} is disabled"
        self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)

    def intents(self) -> list[tuple[str, dict[str, Any]]]:
        return [(n, a) for n, a in self.source.intents if n != "touch"]


@pytest.fixture
def kiosk(qtbot: Any) -> Iterator[Kiosk]:
    source = FakeSource()
    window = build_window(source, "示范供电公司 Demo Power Supply Co.", fullscreen=False)
    qtbot.addWidget(window)
    window.resize(1080, 1920)
    window.show()
    qtbot.waitExposed(window)
    yield Kiosk(qtbot, window, source)
    window.allow_close = True
    window.close()
