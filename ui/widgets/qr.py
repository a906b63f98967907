"""QR codes drawn locally from the ``qrcode`` package's module matrix (no network, no PIL)."""

from __future__ import annotations

import qrcode
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QLabel, QWidget

QUIET_MODULES = 4


def qr_pixmap(payload: str, size_px: int) -> QPixmap:
    """A black-on-white QR code for payload, scaled to whole pixels per module."""
    code = qrcode.QRCode(border=QUIET_MODULES, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()
    modules = len(matrix)
    scale = max(1, size_px // modules)
    side = modules * scale
    image = QImage(side, side, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    black = QColor("black")
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                painter.fillRect(x * scale, y * scale, scale, scale, black)
    painter.end()
    return QPixmap.fromImage(image)


class QrLabel(QLabel):
    """Shows one payload as a QR code; re-renders only when the payload or size changes."""

    def __init__(self, name: str, size_px: int = 420, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.size_px = size_px
        self.payload: str | None = None

    def show_payload(self, payload: str | None) -> None:
        if payload == self.payload:
            return
        self.payload = payload
        if payload:
            self.setPixmap(qr_pixmap(payload, self.size_px))
        else:
            self.clear()
