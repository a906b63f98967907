"""A line edit whose digits always show whole: the font steps down instead of scrolling.

A 13-digit account number in a field sized for 10 used to scroll, hiding its first digits;
account numbers differ in length from one utility to another, so the field fits what is
typed (or its placeholder) at the largest of a few sizes (kiosk.qss: ``QLineEdit[fit=N]``).
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QLineEdit, QWidget

from ui.style import SIZES

FIT_STEPS = ("key", "subtitle", "small", 18)  # style sizes (or pixels), largest first
MARGIN_PX = 40  # padding, border and the cursor


class FitLineEdit(QLineEdit):
    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.large = False
        self.textChanged.connect(self.refit)

    def set_large(self, large: bool) -> None:
        self.large = large
        self.refit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.refit()

    def refit(self) -> None:
        text = self.text() or self.placeholderText() or "0"
        room = self.width() - MARGIN_PX
        step = len(FIT_STEPS) - 1
        for index, size in enumerate(FIT_STEPS):
            font = QFont(self.font())
            font.setPixelSize(size if isinstance(size, int) else SIZES[self.large][size])
            if QFontMetrics(font).horizontalAdvance(text) <= room:
                step = index
                break
        if self.property("fit") != step:
            self.setProperty("fit", step)
            self.style().unpolish(self)
            self.style().polish(self)
