"""Banknotes pictured: a coloured card per denomination with its face value and count."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from kiosk.money import format_fen

# The people's-money palette, for recognition at a glance; the value is printed too.
NOTE_COLOURS = {1000: "note10", 2000: "note20", 5000: "note50", 10000: "note100"}


class NoteStrip(QWidget):
    """A row of note pictures; counts shown as '×2' when a mapping of counts is given."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(10)
        self._shown: tuple[tuple[int, int | None], ...] = ()

    def show_notes(self, notes: dict[int, int | None]) -> None:
        key = tuple(sorted(notes.items()))
        if key == self._shown:
            return
        self._shown = key
        while self._row.count():
            item = self._row.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()  # gone from the screen now, not at the next loop turn
                widget.deleteLater()
        for denomination, count in key:
            label = QLabel(self._text(denomination, count))
            label.setObjectName(f"{self.objectName()}_{denomination}")
            label.setProperty("role", "note")
            label.setProperty("tone", NOTE_COLOURS.get(denomination, "note"))
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self._row.addWidget(label)
        self._row.addStretch(1)

    @staticmethod
    def face(denomination: int) -> str:
        """1000 -> '¥10'; 150 -> '¥1.50'."""
        return format_fen(denomination, bare_whole_yuan=True)

    @classmethod
    def _text(cls, denomination: int, count: int | None) -> str:
        face = cls.face(denomination)
        return face if count is None else f"{face}\n×{count}"
