"""Paying by payment code: "show your code to the scanner", then "confirm on your phone"."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.money import format_fen
from ui.i18n.catalog import has
from ui.screens.base import Screen, Send, button, label


class ScannerPicture(QWidget):
    """Where to hold the phone: a phone with its code above the scanner window, drawn here."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("paycode_picture")
        self.setMinimumSize(220, 260)

    def paintEvent(self, _event: Any) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        ink = QColor("#0b4f8a")
        painter.setPen(QPen(ink, 4))
        # the phone, screen towards the scanner
        phone = QRectF(w * 0.32, h * 0.05, w * 0.36, h * 0.55)
        painter.drawRoundedRect(phone, 14, 14)
        for row in range(4):  # the bar code on its screen
            y = phone.top() + phone.height() * (0.25 + row * 0.12)
            painter.drawLine(QPointF(phone.left() + 14, y), QPointF(phone.right() - 14, y))
        # the scanner window in the kiosk's front
        painter.setPen(QPen(ink, 3, Qt.PenStyle.DashLine))
        window = QRectF(w * 0.2, h * 0.78, w * 0.6, h * 0.16)
        painter.drawRect(window)
        painter.setPen(QPen(QColor("#c62828"), 3))
        painter.drawLine(
            QPointF(window.center().x(), phone.bottom() + 6),
            QPointF(window.center().x(), window.top() - 6),
        )
        painter.end()


class PaycodeScreen(Screen):
    def __init__(self, send: Send) -> None:
        super().__init__("screen_paycode", send)
        column = QVBoxLayout(self)
        column.setSpacing(18)
        self.title = label("paycode_title", "title")
        self.amount = label("paycode_amount", "total")
        self.how = label("paycode_how", "subtitle")
        self.status = label("paycode_status", "value")
        self.error = label("paycode_error", "reason")
        self.picture = ScannerPicture()
        row = QHBoxLayout()
        texts = QVBoxLayout()
        for widget in (self.amount, self.how, self.status, self.error):
            texts.addWidget(widget)
        texts.addStretch(1)
        row.addLayout(texts, 3)
        row.addWidget(self.picture, 2)
        column.addWidget(self.title)
        column.addLayout(row, 1)
        self.cancel = button("paycode_cancel", "secondary")
        self.cancel.clicked.connect(lambda: self.send("cancel"))
        column.addWidget(self.cancel)

    def render(self, snap: dict[str, Any]) -> None:
        paycode = snap.get("paycode") or {}
        waiting = snap.get("state") == "paycode_wait"
        status = paycode.get("status") or "scan"
        self.title.setText(self.t("paycode.title"))
        self.amount.setText(
            self.t("paycode.amount", amount=format_fen(snap.get("amount_fen") or 0))
        )
        self.how.setText(self.t("paycode.how"))
        self.how.setVisible(not waiting)
        # senior mode: the words at their larger size get the picture's room
        self.picture.setVisible(not waiting and not self.senior)
        self.status.setText(
            self.t(f"paycode.{status}") if waiting and has(f"paycode.{status}") else ""
        )
        self.status.setVisible(bool(self.status.text()))
        error = paycode.get("error")
        if error:
            msg_id = f"paycode.error.{error}"
            text = self.t(msg_id) if has(msg_id) else self.t("paycode.error.other", reason=error)
        else:
            text = ""
        self.error.setText(text)
        self.error.setVisible(bool(text))
        self.cancel.setText(self.t("nav.cancel"))
        self.cancel.setEnabled(status not in ("cancelling",))
