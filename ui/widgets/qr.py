"""QR codes drawn locally from the ``qrcode`` package's module matrix (no network, no PIL)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QWidget

QUIET_MODULES = 4


def qr_pixmap(payload: str, size_px: int) -> QPixmap:
    """A black-on-white QR code for payload, scaled to whole pixels per module."""
    import qrcode  # lazily: it is not needed to show the home screen

    code = qrcode.QRCode(border=QUIET_MODULES, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()
    modules = len(matrix)
    scale = max(1, size_px // modules)
    # One byte per module, then an exact integer upscale: no painter calls per module
    # (PySide6's per-call overhead, and a refcount bug in fillRect's overloads).
    pixels = bytes(0 if dark else 255 for row in matrix for dark in row)
    small = QImage(pixels, modules, modules, modules, QImage.Format.Format_Grayscale8)
    image = small.scaled(
        modules * scale,
        modules * scale,
        Qt.AspectRatioMode.IgnoreAspectRatio,
        Qt.TransformationMode.FastTransformation,
    )
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
