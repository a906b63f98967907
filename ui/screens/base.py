"""What every screen shares: the last snapshot, the language, and small widget helpers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from ui.i18n import tr

Send = Callable[..., None]


class Screen(QWidget):
    """Renders snapshots; ``retranslate_ui`` re-renders every text in the new language."""

    def __init__(self, name: str, send: Send, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.send = send
        self.language = "zh"
        self.snap: dict[str, Any] = {}
        self.portrait = True
        self.senior = False  # large text (适老化): fewer items, as each screen decides

    def t(self, msg_id: str, **values: object) -> str:
        return tr(msg_id, self.language, **values)

    def retranslate_ui(self, language: str) -> None:
        self.language = language
        if self.snap:
            self.render(self.snap)

    def show_snapshot(self, snap: dict[str, Any]) -> None:
        self.snap = snap
        self.language = snap.get("language", self.language)
        self.render(snap)

    def render(self, snap: dict[str, Any]) -> None:
        raise NotImplementedError

    def set_senior(self, senior: bool) -> None:
        """Senior mode on or off: the screen shows fewer, larger items."""
        if senior != self.senior:
            self.senior = senior
            if self.snap:
                self.render(self.snap)

    def where(self) -> str:
        """Where the second part of a two-part screen is: below (portrait) or on the right."""
        return self.t("where.below" if self.portrait else "where.side")

    def set_portrait(self, portrait: bool) -> None:
        """Screens with a two-part ``box`` stack it in portrait, side by side in landscape."""
        self.portrait = portrait
        box = getattr(self, "box", None)
        if isinstance(box, QBoxLayout):
            box.setDirection(
                QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
            )
        if self.snap:
            self.render(self.snap)  # texts that say "below" or "on the right" follow


def button(name: str, role: str = "action", parent: QWidget | None = None) -> QPushButton:
    widget = QPushButton(parent)
    widget.setObjectName(name)
    widget.setProperty("role", role)
    widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return widget


def label(name: str, role: str = "text", parent: QWidget | None = None) -> QLabel:
    widget = QLabel(parent)
    widget.setObjectName(name)
    widget.setProperty("role", role)
    widget.setWordWrap(True)
    return widget


def keep_place(*widgets: QWidget, keep: bool = True) -> None:
    """Hidden, these widgets still hold their room: showing one later moves nothing else."""
    for widget in widgets:
        policy = widget.sizePolicy()
        policy.setRetainSizeWhenHidden(keep)
        widget.setSizePolicy(policy)
