"""Account entry (keypad or barcode scanner), looking up, and the account with its bills."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from kiosk.money import MoneyError, format_fen, parse_yuan
from ui.i18n import format_date
from ui.screens.base import Screen, Send, button, label
from ui.screens.usage import UsagePanel
from ui.widgets.fit_field import FitLineEdit
from ui.widgets.keypad import Keypad

ACCOUNT_MAX_DIGITS = 20


class AccountEntryScreen(Screen):
    """The scanner types digits and Enter into the focused field, like a keyboard."""

    def __init__(self, send: Send) -> None:
        super().__init__("screen_account_entry", send)
        self.box = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self.box.setSpacing(24)
        left = QVBoxLayout()
        left.setSpacing(18)
        self.title = label("account_title", "title")
        self.hint = label("account_hint", "hint")
        self.input = FitLineEdit("account_input")  # every digit shows, whatever the length
        self.input.setMaxLength(ACCOUNT_MAX_DIGITS)
        self.input.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"\d{0,20}"), self.input)
        )
        self.input.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.input.returnPressed.connect(self.submit)
        self.back = button("account_back", "secondary")
        self.back.clicked.connect(lambda: self.send("back"))
        left.addWidget(self.title)
        left.addWidget(self.input)
        left.addWidget(self.hint)
        left.addStretch(1)
        left.addWidget(self.back)
        self.keypad = Keypad("account_keypad")
        self.keypad.target = self.input
        self.keypad.confirmed.connect(self.submit)
        self.box.addLayout(left, 1)
        self.box.addWidget(self.keypad, 2)

    def set_senior(self, senior: bool) -> None:
        # the larger texts get half the width beside the keypad, not a third
        self.box.setStretch(1, 1 if senior else 2)
        self.input.set_large(senior)
        super().set_senior(senior)

    def submit(self) -> None:
        self.send("enter_account", account_no=self.input.text().strip())

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.input.setFocus()  # the barcode scanner types into the focused field

    def render(self, snap: dict[str, Any]) -> None:
        if snap.get("state") == "home":
            self.input.clear()
        self.title.setText(self.t("account.title"))
        self.hint.setText(self.t("account.hint", where=self.where()))
        self.input.setPlaceholderText(self.t("account.placeholder"))
        self.back.setText(self.t("nav.back"))
        self.keypad.retranslate_ui(self.language)


class LookingUpScreen(Screen):
    def __init__(self, send: Send) -> None:
        super().__init__("screen_looking_up", send)
        column = QVBoxLayout(self)
        column.setSpacing(30)
        self.title = label("lookup_title", "title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = label("lookup_hint", "hint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.progress = QProgressBar()
        self.progress.setObjectName("lookup_progress")
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.cancel = button("lookup_cancel", "secondary")
        self.cancel.clicked.connect(lambda: self.send("cancel"))
        column.addStretch(1)
        for widget in (self.title, self.progress, self.hint):
            column.addWidget(widget)
        column.addStretch(1)
        column.addWidget(self.cancel)

    def render(self, snap: dict[str, Any]) -> None:
        account = snap.get("account") or {}
        number = account.get("account_no") or snap.get("pending_account_no") or ""
        self.title.setText(self.t("lookup.title", account_no=number).strip())
        self.hint.setText(self.t("lookup.hint"))
        self.cancel.setText(self.t("nav.cancel"))


class AccountShownScreen(Screen):
    """Masked holder, address, bills, total due and balance; then the amount choice."""

    def __init__(self, send: Send) -> None:  # noqa: PLR0915 - a flat list of widgets
        super().__init__("screen_account_shown", send)
        outer = QVBoxLayout(self)
        outer.setSpacing(16)
        self.title = label("shown_title", "title")
        outer.addWidget(self.title)
        # the account and its choices; the "other amount" panel takes their place when open
        self.main = QWidget()
        self.main.setObjectName("shown_main")
        self.box = QBoxLayout(QBoxLayout.Direction.TopToBottom, self.main)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(20)
        outer.addWidget(self.main, 1)

        info = QFrame()
        info.setObjectName("shown_info")
        info.setProperty("role", "panel")
        info_column = QVBoxLayout(info)
        self.facts = QGridLayout()
        self.fact_names: dict[str, Any] = {}
        self.fact_values: dict[str, Any] = {}
        for row, key in enumerate(("account_no", "holder", "address")):
            self.fact_names[key] = label(f"shown_{key}_name", "fieldname")
            self.fact_values[key] = label(f"shown_{key}", "value")
            self.facts.addWidget(self.fact_names[key], row, 0)
            self.facts.addWidget(self.fact_values[key], row, 1)
        self.facts.setColumnStretch(1, 1)
        info_column.addLayout(self.facts)
        self.bills = QGridLayout()
        self.bills.setHorizontalSpacing(18)
        info_column.addLayout(self.bills)
        self.total = label("shown_total_due", "total")
        self.balance = label("shown_balance", "value")
        self.as_of = label("shown_as_of", "hint")
        info_column.addWidget(self.total)
        info_column.addWidget(self.balance)
        info_column.addWidget(self.as_of)
        info_column.addStretch(1)
        self.box.addWidget(info, 1)

        actions = QWidget()
        actions.setObjectName("shown_actions")
        self.actions = QVBoxLayout(actions)
        self.actions.setSpacing(16)
        self.pay_all = button("shown_pay_all", "bigprimary")
        self.pay_all.clicked.connect(lambda: self.send("choose_amount", amount_fen=None))
        self.other = button("shown_other", "big")
        self.other.clicked.connect(self._open_amount)
        self.card = button("shown_card", "bigprimary")
        self.card.clicked.connect(lambda: self.send("choose_method", method="card"))
        self.usage = button("shown_usage", "big")  # only when the server sent usage
        self.usage.clicked.connect(self._open_usage)
        self.finish = button("shown_done", "secondary")
        self.finish.clicked.connect(lambda: self.send("home"))
        self.back = button("shown_back", "secondary")
        self.back.clicked.connect(lambda: self.send("back"))
        # the "another amount" panel: local view state only; the engine checks the limits.
        # It replaces the account panel while open, so the keypad has the whole screen.
        self.amount_panel = QWidget()
        self.amount_panel.setObjectName("amount_panel")
        self.amount_box = QBoxLayout(QBoxLayout.Direction.TopToBottom, self.amount_panel)
        self.amount_box.setContentsMargins(0, 0, 0, 0)
        self.amount_box.setSpacing(24)
        panel = QVBoxLayout()
        panel.setSpacing(14)
        self.amount_title = label("amount_title", "subtitle")
        self.amount_due = label("amount_due", "total")
        self.amount_limits = label("amount_limits", "hint")
        self.amount_input = QLineEdit()
        self.amount_input.setObjectName("amount_input")
        self.amount_input.setMaxLength(10)
        self.amount_input.setValidator(
            QRegularExpressionValidator(
                QRegularExpression(r"\d{0,7}(\.\d{0,2})?"), self.amount_input
            )
        )
        self.amount_input.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.amount_input.returnPressed.connect(self._submit_amount)
        self.amount_error = label("amount_error", "error")
        self.amount_keypad = Keypad("amount_keypad", decimal=True)
        self.amount_keypad.target = self.amount_input
        self.amount_keypad.confirmed.connect(self._submit_amount)
        self.amount_close = button("amount_back", "secondary")
        self.amount_close.clicked.connect(self._close_amount)
        for widget in (
            self.amount_title,
            self.amount_due,
            self.amount_limits,
            self.amount_input,
            self.amount_error,
        ):
            panel.addWidget(widget)
        panel.addStretch(1)
        panel.addWidget(self.amount_close)
        self.amount_box.addLayout(panel, 1)
        self.amount_box.addWidget(self.amount_keypad, 1)
        self.amount_panel.hide()
        outer.addWidget(self.amount_panel, 1)
        # the usage view: local view state too, in place of the account while open
        self.usage_panel = UsagePanel(self._close_usage)
        self.usage_panel.hide()
        outer.addWidget(self.usage_panel, 1)
        for widget in (self.pay_all, self.other, self.card, self.usage):
            self.actions.addWidget(widget)
        self.actions.addStretch(1)
        self.actions.addWidget(self.finish)
        self.actions.addWidget(self.back)
        self.box.addWidget(actions, 1)

    def set_portrait(self, portrait: bool) -> None:
        self.usage_panel.set_portrait(portrait)
        super().set_portrait(portrait)
        self.amount_box.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )

    def _open_usage(self) -> None:
        self.main.hide()
        self.usage_panel.show()
        self.send("touch")  # a tap like any other: the engine's idle clock starts again
        self.render(self.snap)

    def _close_usage(self) -> None:
        self.usage_panel.hide()
        self.main.show()
        self.send("touch")
        self.render(self.snap)

    def _open_amount(self) -> None:
        self.main.hide()
        self.amount_panel.show()
        self.amount_input.setFocus()
        self.send("touch")
        self.render(self.snap)

    def _close_amount(self) -> None:
        self.amount_panel.hide()
        self.main.show()
        self.amount_input.clear()
        self.amount_error.clear()
        self.render(self.snap)

    def _submit_amount(self) -> None:
        try:
            fen = parse_yuan(self.amount_input.text())
        except MoneyError:
            self.amount_error.setText(self.t("amount.bad"))
            self.send("touch")
            return
        self.amount_error.clear()
        self.send("choose_amount", amount_fen=fen)

    def render(self, snap: dict[str, Any]) -> None:
        if snap.get("state") == "home":  # a new customer: nothing of the last one stays open
            self.amount_panel.hide()
            self.usage_panel.hide()
            self.main.show()
            self.amount_input.clear()
            self.amount_error.clear()
        account = snap.get("account") or {}
        mode = snap.get("mode", "pay")
        self.title.setText(self.t("shown.title"))
        for key in ("account_no", "holder", "address"):
            self.fact_names[key].setText(self.t(f"shown.{key}"))
            self.fact_values[key].setText(str(account.get(key) or ""))
        # senior mode: the account, the name and the totals; no address or bill table
        for key in ("address",):
            self.fact_names[key].setVisible(not self.senior)
            self.fact_values[key].setVisible(not self.senior)
        self._render_bills([] if self.senior else account.get("bills") or [])
        self._bills_hidden(self.senior)
        due = account.get("due_fen") or 0
        self.total.setText(f"{self.t('shown.total_due')}  {format_fen(due)}")
        self.balance.setText(
            f"{self.t('shown.balance')}  {format_fen(account.get('balance_fen') or 0)}"
        )
        self.as_of.setText(
            self.t("shown.as_of", when=format_date(account.get("as_of"), self.language))
        )
        self.as_of.setVisible(not self.senior)
        entering = self.amount_panel.isVisibleTo(self)
        looking = self._render_usage(account.get("usage"))
        # the amount and usage panels have their own titles: the screen's title says which
        title = "amount.title" if entering else "usage.title" if looking else "shown.title"
        self.title.setText(self.t(title))
        self.amount_title.hide()
        limits = snap.get("limits") or {}
        pay_all = self.t("shown.pay_all", amount=format_fen(due))
        if self.senior:  # the amount on a line of its own, for room at the larger size
            pay_all = "\n".join(pay_all.rsplit(" ", 1))
        self.pay_all.setText(pay_all)
        self.other.setText(self.t("shown.other"))
        self.card.setText(self.t("method.card"))
        self.finish.setText(self.t("shown.done_checking"))
        self.back.setText(self.t("nav.back"))
        self.amount_title.setText(self.t("amount.title"))
        self.amount_due.setText(f"{self.t('shown.total_due')}  {format_fen(due)}")
        self.amount_input.setPlaceholderText(self.t("amount.title"))
        self.amount_limits.setText(
            self.t(
                "amount.limits",
                min=format_fen(limits.get("min_payment_fen", 0)),
                max=format_fen(limits.get("max_payment_fen", 0)),
            )
        )
        self.amount_close.setText(self.t("nav.back"))
        self.amount_keypad.retranslate_ui(self.language)
        self.pay_all.setVisible(mode != "card" and due > 0)
        self.other.setVisible(mode != "card")
        self.card.setVisible(mode == "card")
        self.finish.setVisible(mode == "check")

    def _render_usage(self, usage: dict[str, Any] | None) -> bool:
        """The usage button (only with usage) and the usage view; True while the view is open."""
        self.usage.setText(self.t("shown.usage"))
        self.usage.setVisible(bool(usage))
        if not usage:
            if self.usage_panel.isVisibleTo(self):  # another account, from an older server
                self.usage_panel.hide()
                self.main.show()
            return False
        self.usage_panel.render(usage, self.t, self.language, self.senior)
        return self.usage_panel.isVisibleTo(self)

    def _bills_hidden(self, hidden: bool) -> None:
        for index in range(self.bills.count()):
            widget = self.bills.itemAt(index).widget()
            if widget is not None:
                widget.setVisible(not hidden)

    def _render_bills(self, bills: list[dict[str, Any]]) -> None:
        key = (self.language, repr(bills))
        if key == getattr(self, "_bills_key", None):
            return  # unchanged: no widget churn on every snapshot
        self._bills_key = key
        while self.bills.count():
            item = self.bills.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()  # gone from the screen now, not at the next loop turn
                widget.deleteLater()
        if not bills:
            self.bills.addWidget(label("shown_no_bills", "value"), 0, 0)
            self.bills.itemAt(0).widget().setText(self.t("shown.no_bills"))  # type: ignore[union-attr]
            return
        headers = ("shown.period", "shown.amount", "shown.late_fee")
        for column, msg_id in enumerate(headers):
            self.bills.addWidget(
                self._cell(f"bills_header_{column}", "fieldname", self.t(msg_id)), 0, column
            )
        for row, bill in enumerate(bills, start=1):
            owed = int(bill.get("amount_fen", 0)) - int(bill.get("paid_fen", 0))
            cells = (
                format_date(bill.get("period"), self.language),
                format_fen(owed),
                format_fen(int(bill.get("late_fee_fen", 0))),
            )
            for column, text in enumerate(cells):
                self.bills.addWidget(self._cell(f"bill_{row}_{column}", "cell", text), row, column)

    @staticmethod
    def _cell(name: str, role: str, text: str) -> Any:
        cell = label(name, role)
        cell.setWordWrap(False)
        cell.setText(text)
        return cell
