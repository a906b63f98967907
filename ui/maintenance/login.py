"""Technician id and PIN on a keypad; the PIN is masked, cleared after each try, never logged."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QBoxLayout, QLineEdit, QVBoxLayout

from kiosk.maintenance_actions import Action
from ui.maintenance.base import CHOOSING_EVENTS, Act, Page, button, label, local_time
from ui.maintenance.keyboard import TextKeyboard
from ui.widgets.keypad import Keypad


class LoginPage(Page):
    def __init__(self, act: Act) -> None:
        super().__init__("maint_login", act)
        self.box = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(16)
        fields = QVBoxLayout()
        fields.setSpacing(10)
        self.title = label("maint_login_title", "title")
        self.id_name = label("maint_login_id_name", "fieldname")
        self.technician = QLineEdit()
        self.technician.setObjectName("maint_login_id")
        self.technician.setMaxLength(32)
        self.technician.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"[A-Za-z0-9]*"), self.technician)
        )
        self.pin_name = label("maint_login_pin_name", "fieldname")
        self.pin = QLineEdit()
        self.pin.setObjectName("maint_login_pin")
        self.pin.setMaxLength(12)
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d*"), self.pin))
        self.status = label("maint_login_status", "error")
        self.submit_button = button("maint_login_submit", "primary")
        self.submit_button.clicked.connect(self.submit)
        self.close_button = button("maint_login_close", "secondary")
        self.close_button.clicked.connect(lambda: self.act(Action.CLOSE))
        for widget in (
            self.title,
            self.id_name,
            self.technician,
            self.pin_name,
            self.pin,
            self.status,
        ):
            fields.addWidget(widget)
        fields.addStretch(1)
        fields.addWidget(self.submit_button)
        fields.addWidget(self.close_button)
        pads = QVBoxLayout()
        self.keypad = Keypad("maint_login_keypad")
        self.keypad.confirmed.connect(self._next_field)
        self.letters = TextKeyboard("maint_login_letters")
        pads.addWidget(self.keypad, 1)
        pads.addWidget(self.letters)
        self.box.addLayout(fields, 1)
        self.box.addLayout(pads, 1)
        self.pads = pads
        for field in (self.technician, self.pin):
            field.setAlignment(Qt.AlignmentFlag.AlignCenter)
            field.installEventFilter(self)
        self.technician.returnPressed.connect(self._next_field)
        self.pin.returnPressed.connect(self.submit)
        self._choose(self.technician)

    def set_portrait(self, portrait: bool) -> None:
        super().set_portrait(portrait)
        self.box.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )
        # side by side, the letter keys need three quarters of the width to be 60 px wide
        self.box.setStretch(0, 2)
        self.box.setStretch(1, 2 if portrait else 5)

    def eventFilter(self, watched: Any, event: Any) -> bool:  # noqa: N802 - Qt's name
        if event.type() in CHOOSING_EVENTS and watched in (self.technician, self.pin):
            self._choose(watched)
        return False

    def _choose(self, field: QLineEdit) -> None:
        """Ids may hold letters: the letter keyboard for the id, the keypad for the PIN."""
        self.keypad.target = field
        self.letters.target = field
        self.keypad.setVisible(field is self.pin)
        self.letters.setVisible(field is self.technician)

    def _next_field(self) -> None:
        if self.keypad.target is self.technician and self.technician.text():
            self._choose(self.pin)
            self.pin.setFocus()
        else:
            self.submit()

    def submit(self) -> None:
        technician_id, pin = self.technician.text().strip(), self.pin.text()
        if technician_id and not pin:
            self._choose(self.pin)
            self.pin.setFocus()
            return
        self.pin.clear()  # a wrong PIN is typed again from scratch
        if not technician_id or not pin:
            self.status.setText(self.t("mt.login.fill_both"))
            self.status.setVisible(True)
            return
        self.act(Action.LOGIN, technician_id=technician_id, pin=pin)
        self._choose(self.pin)

    def reset(self) -> None:
        self.technician.clear()
        self.pin.clear()
        self._choose(self.technician)

    def render_view(self, m: dict[str, Any], snap: dict[str, Any]) -> None:  # noqa: ARG002
        self.title.setText(self.t("mt.login.title"))
        self.id_name.setText(self.t("mt.login.id"))
        self.pin_name.setText(self.t("mt.login.pin"))
        self.technician.setPlaceholderText(self.t("mt.login.id"))
        self.pin.setPlaceholderText(self.t("mt.login.pin"))
        self.submit_button.setText(self.t("mt.login.submit"))
        self.close_button.setText(self.t("mt.close"))
        self.keypad.retranslate_ui(self.language)
        self.letters.retranslate_ui(self.language)
        locked = m.get("locked_until")
        self.submit_button.setEnabled(not locked)
        # the message strip above says "locked" when the core says so; said once, not twice
        said = bool(locked) and not m.get("message")
        self.status.setText(self.t("mt.login.locked", until=local_time(locked)) if said else "")
        self.status.setVisible(said)


def attempts_left(detail: object) -> int | None:
    """The core says 'wrong id or PIN; 3 attempts left before a lockout'."""
    if not isinstance(detail, str):
        return None
    words = detail.split()
    for index, word in enumerate(words[1:], start=1):
        if word == "attempts" and words[index - 1].isdigit():
            return int(words[index - 1])
    return None
