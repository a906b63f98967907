"""An on-screen keyboard for short texts (reasons, transaction ids): no physical keyboard."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLineEdit, QPushButton, QSizePolicy, QWidget

from ui.i18n import tr

ROWS = ("1234567890", "QWERTYUIOP", "ASDFGHJKL-", "ZXCVBNM.,/")


class TextKeyboard(QWidget):
    """Letters, digits and a few marks; types into ``target`` (the focused field)."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.target: QLineEdit | None = None
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(6)
        self.keys: dict[str, QPushButton] = {}
        for row, keys in enumerate(ROWS):
            for column, key in enumerate(keys):
                grid.addWidget(self._button(key, _key_name(key), key), row, column)
        last = len(ROWS)
        grid.addWidget(self._button(" ", "space", ""), last, 0, 1, 6)
        grid.addWidget(self._button("delete", "delete", ""), last, 6, 1, 2)
        grid.addWidget(self._button("clear", "clear", ""), last, 8, 1, 2)

    def _button(self, key: str, name: str, text: str) -> QPushButton:
        widget = QPushButton(text)
        widget.setObjectName(f"{self.objectName()}_key_{name}")
        widget.setProperty("role", "textkey")
        widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the field being typed keeps the focus
        widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        widget.clicked.connect(self._presser(key))
        self.keys[name] = widget
        return widget

    def _presser(self, key: str) -> Any:
        return lambda: self.press(key)

    def press(self, key: str) -> None:
        field = self.target
        if field is None or not field.isEnabled():
            return
        if key == "clear":
            field.clear()
        elif key == "delete":
            field.backspace()
        elif len(field.text()) < field.maxLength():
            field.insert(key)

    def type_text(self, text: str) -> None:
        """Press the keys for text, one by one (tests, and the preset reason buttons)."""
        for char in text:
            self.press(char)

    def retranslate_ui(self, language: str) -> None:
        self.keys["delete"].setText(tr("key.delete", language))
        self.keys["clear"].setText(tr("key.clear", language))
        self.keys["space"].setText(tr("mt.key.space", language))


def _key_name(key: str) -> str:
    return {"-": "dash", ".": "dot", ",": "comma", "/": "slash"}.get(key, key)
