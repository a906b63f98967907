"""The attract screen: the utility's name and the three big choices."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QVBoxLayout

from ui.screens.base import Screen, Send, button, label
from ui.widgets.payment_notice import PaymentNotice


class HomeScreen(Screen):
    def __init__(self, send: Send, utility_name: str, service_phone: str = "95598") -> None:
        super().__init__("screen_home", send)
        self.utility_name = utility_name
        # the name and the payment notice, then the choices: side by side in landscape
        self.box = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self.box.setSpacing(24)
        about = QVBoxLayout()
        about.setSpacing(12)
        column = QVBoxLayout()
        column.setSpacing(16)
        self.box.addLayout(about, 1)
        self.box.addLayout(column, 1)
        self.notice = PaymentNotice("home_notice", service_phone)
        self.utility = label("home_utility", "title")
        self.utility.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title = label("home_title", "subtitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = label("home_hint", "hint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        about.addStretch(1)
        about.addWidget(self.utility)
        about.addWidget(self.title)
        about.addStretch(1)
        about.addWidget(self.notice)
        column.addStretch(1)
        column.addWidget(self.hint)  # "touch a button below": above the buttons it names
        self.choices = {}
        for mode, name in (("pay", "home_pay"), ("card", "home_card"), ("check", "home_check")):
            choice = button(name, "big")
            choice.clicked.connect(self._starter(mode))
            column.addWidget(choice)
            self.choices[mode] = choice
        self.choices["pay"].setProperty("role", "bigprimary")
        column.addStretch(1)

    def _starter(self, mode: str) -> Any:
        # a closure without parameters: PySide6 then passes no `checked` argument
        return lambda: self.send("start", mode=mode)

    def render(self, snap: dict[str, Any]) -> None:
        self.utility.setText(self.utility_name)
        self.notice.render(snap, self.language)
        self.title.setText(self.t("home.title"))
        self.title.setVisible(not self.senior)  # fewer items in senior mode
        self.choices["pay"].setText(self.t("home.pay"))
        self.choices["card"].setText(self.t("home.card"))
        self.choices["check"].setText(self.t("home.check"))
        self.hint.setText(self.t("home.hint"))
