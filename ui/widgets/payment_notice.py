"""The payment notice of an unattended machine (人民币现金收付及服务规定, in force 2026-02-01):
which ways to pay this kiosk accepts now, how to pay in cash when it cannot take cash, and
the utility's service phone. Shown on the home and out-of-service screens."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFrame, QVBoxLayout

from ui.i18n import tr
from ui.screens.base import label

METHOD_ORDER = ("cash", "paycode", "qr", "card")


class PaymentNotice(QFrame):
    def __init__(self, name: str, service_phone: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setProperty("role", "panel")
        self.service_phone = service_phone
        column = QVBoxLayout(self)
        column.setSpacing(4)
        self.accepted = label(f"{name}_accepted", "hint")
        self.cash = label(f"{name}_cash", "hint")
        self.phone = label(f"{name}_phone", "hint")
        for widget in (self.accepted, self.cash, self.phone):
            column.addWidget(widget)

    def render(self, snap: dict[str, Any], language: str) -> None:
        methods = snap.get("methods") or {}
        working = [
            tr(f"method.{m}", language) for m in METHOD_ORDER if (methods.get(m) or {}).get("ok")
        ]
        separator = "、" if language == "zh" else ", "
        self.accepted.setText(
            tr("notice.accepted", language, methods=separator.join(working))
            if working
            else tr("notice.accepted_none", language)
        )
        takes_cash = bool((methods.get("cash") or {}).get("ok"))
        self.cash.setText(
            tr("notice.cash_here" if takes_cash else "notice.cash_elsewhere", language)
        )
        self.phone.setText(tr("notice.phone", language, phone=self.service_phone))
