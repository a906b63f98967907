"""A question laid over a screen: it covers the controls below instead of moving them."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from ui.screens.base import button, label


class ConfirmOverlay(QFrame):
    """Message plus a "yes" and a "no" button over the whole of ``parent``.

    It follows the parent's size; the controls underneath stay where they are, covered
    (never pushed), so nothing moves under a finger.
    """

    def __init__(self, name: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setProperty("role", "overlay")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        column = QVBoxLayout(self)
        column.setContentsMargins(32, 32, 32, 32)
        column.setSpacing(24)
        self.message = label(f"{name}_message", "total")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail = label(f"{name}_detail", "value")
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.yes: QPushButton = button(f"{name}_yes", "bigprimary")
        self.no: QPushButton = button(f"{name}_no", "big")
        for choice in (self.yes, self.no):
            choice.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(24)
        self.buttons.addWidget(self.no)
        self.buttons.addWidget(self.yes)
        column.addStretch(1)
        column.addWidget(self.message)
        column.addWidget(self.detail)
        column.addStretch(1)
        column.addLayout(self.buttons)
        parent.installEventFilter(self)
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.parent() and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.parentWidget().rect())
        return False

    def set_portrait(self, portrait: bool) -> None:
        """Buttons side by side in landscape, stacked (yes first) in portrait."""
        self.buttons.setDirection(
            QHBoxLayout.Direction.BottomToTop if portrait else QHBoxLayout.Direction.LeftToRight
        )

    def open(self) -> None:
        self.setGeometry(self.parentWidget().rect())
        self.show()
        self.raise_()
