"""A large on-screen numeric keypad that types into a QLineEdit."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLineEdit, QPushButton, QSizePolicy, QWidget

from ui.i18n import tr


class Keypad(QWidget):
    """Digits 0-9, optional decimal point, delete, clear and OK. Emits ``confirmed``."""

    confirmed = Signal()

    def __init__(self, name: str, *, decimal: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.target: QLineEdit | None = None
        grid = QGridLayout(self)
        grid.setSpacing(12)
        grid.setContentsMargins(0, 0, 0, 0)
        self.keys: dict[str, QPushButton] = {}
        layout = [
            "1",
            "2",
            "3",
            "4",
            "5",
            "6",
            "7",
            "8",
            "9",
            "." if decimal else "clear",
            "0",
            "delete",
        ]
        for index, key in enumerate(layout):
            button = self._button(f"{name}_key_{'dot' if key == '.' else key}", key)
            grid.addWidget(button, index // 3, index % 3)
        ok = self._button(f"{name}_key_ok", "ok")
        ok.setProperty("role", "primary")
        if decimal:  # clear shares the last row with OK, to keep the pad five rows high
            grid.addWidget(self._button(f"{name}_key_clear", "clear"), 4, 0)
            grid.addWidget(ok, 4, 1, 1, 2)
        else:
            grid.addWidget(ok, 4, 0, 1, 3)

    def _button(self, name: str, key: str) -> QPushButton:
        button = QPushButton(key)
        button.setObjectName(name)
        button.setProperty("role", "key")
        button.setProperty("key", True)  # the OK key is primary-coloured, key-sized all the same
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        button.setProperty("word", key in ("clear", "delete", "ok"))  # words: a smaller size
        if key == ".":
            button.setProperty("dot", True)  # a bare "." is too small to see at the digits' size
        button.clicked.connect(self._presser(key))
        self.keys[key] = button
        return button

    def _presser(self, key: str) -> Any:
        return lambda: self._pressed(key)

    def retranslate_ui(self, language: str) -> None:
        for key in ("clear", "delete", "ok"):
            if key in self.keys:
                self.keys[key].setText(tr(f"key.{key}", language))

    def _pressed(self, key: str) -> None:
        if key == "ok":
            self.confirmed.emit()
            return
        if self.target is None:
            return
        text = self.target.text()
        if key == "clear":
            self.target.clear()
        elif key == "delete":
            self.target.setText(text[:-1])
        elif self.target.maxLength() > len(text):
            self.target.setText(text + key)
