"""Choosing how to pay, then cash insertion, the QR wait, card entry and processing."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from kiosk.money import format_fen
from ui.messages import due_advice, owed_after, reason_text
from ui.screens.base import Screen, Send, button, keep_place, label
from ui.widgets.keypad import Keypad
from ui.widgets.notes import NoteStrip
from ui.widgets.overlay import ConfirmOverlay
from ui.widgets.qr import QrLabel

METHODS = ("cash", "paycode", "qr", "card")
OPTIONAL_METHODS = ("paycode",)  # shown only when the kiosk offers them (a scanner is fitted)
CARD_MAX_DIGITS = 24
NOTE_ROW_PX = 72  # a row of note pictures (kiosk.qss: QLabel[role="note"] is 64 px high)


class MethodScreen(Screen):
    """Every way to pay with whether it works now and, if not, why; when the printer cannot
    print, the on-screen receipt is said up front, before the customer chooses."""

    def __init__(self, send: Send) -> None:
        super().__init__("screen_method", send)
        column = QVBoxLayout(self)
        column.setSpacing(8)
        self.title = label("method_title", "title")
        self.amount = label("method_amount", "total")
        heading = QHBoxLayout()
        heading.addWidget(self.title, 1)
        heading.addWidget(self.amount)
        column.addLayout(heading)
        self.buttons = {}
        self.reasons = {}
        self.cells: dict[str, QWidget] = {}
        # one cell per way to pay (its button, and under it whether it works and why):
        # two columns in landscape, one in portrait
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(24)
        self.grid.setVerticalSpacing(10)
        for method in METHODS:
            cell = QWidget()
            cell.setObjectName(f"method_{method}_cell")
            inside = QVBoxLayout(cell)
            inside.setContentsMargins(0, 0, 0, 0)
            inside.setSpacing(2)
            choice = button(f"method_{method}", "big")
            choice.clicked.connect(self._chooser(method))
            reason = label(f"method_{method}_reason", "reason")
            inside.addWidget(choice)
            inside.addWidget(reason)
            self.cells[method] = cell
            self.buttons[method] = choice
            self.reasons[method] = reason
        column.addLayout(self.grid)
        self._place_cells(columns=1)
        self.preparing = label("method_preparing", "hint")
        self.progress = QProgressBar()
        self.progress.setObjectName("method_progress")
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        # below the stretch: appearing, these take free room and move no button
        column.addStretch(1)
        column.addWidget(self.preparing)
        column.addWidget(self.progress)
        self.receipt_note = label("method_receipt_note", "notice")
        column.addWidget(self.receipt_note)
        self.back = button("method_back", "secondary")
        self.back.clicked.connect(lambda: self.send("back"))
        column.addWidget(self.back)

    def _chooser(self, method: str) -> Any:
        return lambda: self.send("choose_method", method=method)

    def _place_cells(self, columns: int) -> None:
        offered = [m for m in METHODS if not self.cells[m].isHidden()]
        for method in METHODS:
            self.grid.removeWidget(self.cells[method])
        for index, method in enumerate(offered + [m for m in METHODS if m not in offered]):
            self.grid.addWidget(self.cells[method], index // columns, index % columns)
        self._columns = columns

    def set_portrait(self, portrait: bool) -> None:
        super().set_portrait(portrait)
        self._arrange()

    def set_senior(self, senior: bool) -> None:
        super().set_senior(senior)
        self._arrange()

    def _arrange(self) -> None:
        """Two columns of cells in landscape; in senior mode one column of rows, each
        reason beside its button (its larger text has no room under a half-width button)."""
        rows = self.senior and not self.portrait
        for cell in self.cells.values():
            inside = cell.layout()
            assert isinstance(inside, QBoxLayout)
            inside.setDirection(
                QBoxLayout.Direction.LeftToRight if rows else QBoxLayout.Direction.TopToBottom
            )
            inside.setSpacing(16 if rows else 2)
            inside.setStretch(0, 1)
            inside.setStretch(1, 1 if rows else 0)
        self._place_cells(1 if self.portrait or self.senior else 2)

    def render(self, snap: dict[str, Any]) -> None:
        preparing = snap.get("state") == "method_chosen"
        self.title.setText(self.t("method.title"))
        self.amount.setText(self.t("method.amount", amount=format_fen(snap.get("amount_fen") or 0)))
        methods = snap.get("methods") or {}
        for method in METHODS:
            offered = method in methods or method not in OPTIONAL_METHODS
            if self.cells[method].isHidden() == offered:
                self.cells[method].setVisible(offered)
                self._place_cells(self._columns)
            info = methods.get(method) or {"ok": False, "reason": "unknown"}
            ok = bool(info.get("ok"))
            self.buttons[method].setText(self.t(f"method.{method}"))
            self.buttons[method].setEnabled(ok and not preparing)
            why = reason_text(info.get("reason"), self.language)
            self.reasons[method].setText(
                ""  # senior: only "why not"; the empty place keeps the buttons one width
                if ok and self.senior
                else self.t("method.available")
                if ok
                else why  # senior: beside a dashed button, the reason alone says it
                if self.senior
                else self.t("method.unavailable", reason=why)
            )
            self.reasons[method].setVisible(offered)
            self.reasons[method].setProperty("tone", "ok" if ok else "bad")
            self.reasons[method].style().polish(self.reasons[method])
        note = receipt_note(snap, self.language, short=self.senior)
        self.receipt_note.setText(note)
        self.receipt_note.setVisible(bool(note))
        self.preparing.setText(self.t("method.preparing"))
        self.preparing.setVisible(preparing)
        self.progress.setVisible(preparing)
        self.back.setText(self.t("nav.back"))
        self.back.setEnabled(not preparing)


def receipt_note(snap: dict[str, Any], language: str, *, short: bool = False) -> str:
    """What the customer gets instead of a paper receipt, said before they choose.

    The engine's ``printer`` section (``can_print``, ``reason``, ``onscreen_receipt``) says
    it; without one, a method greyed for a printer reason tells as much as is known.
    """
    from ui.i18n import tr

    printer = snap.get("printer")
    if isinstance(printer, dict):
        if printer.get("can_print", True):
            return ""
        reason = reason_text(printer.get("reason") or "printer", language)
        onscreen = bool(printer.get("onscreen_receipt"))
    else:
        reasons = [str((m or {}).get("reason") or "") for m in (snap.get("methods") or {}).values()]
        printer_reasons = [r for r in reasons if r.startswith("printer")]
        if not printer_reasons:
            return ""
        reason, onscreen = reason_text(printer_reasons[0], language), False
    msg_id = "method.receipt_qr" if onscreen else "method.receipt_none"
    return tr(f"{msg_id}_short" if short else msg_id, language, reason=reason)


class CashScreen(Screen):
    def __init__(self, send: Send) -> None:
        super().__init__("screen_cash", send)
        self.box = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self.box.setSpacing(24)
        column = QVBoxLayout()
        column.setSpacing(14)
        actions = QVBoxLayout()
        actions.setSpacing(14)
        self.box.addLayout(column, 3)
        self.box.addLayout(actions, 2)
        self.title = label("cash_title", "title")
        # the accepted notes in words: pictures of notes looked like buttons that did nothing
        self.accepts = label("cash_accepts", "value")
        self.no_change = label("cash_no_change", "hint")
        panel = QFrame()
        panel.setObjectName("cash_panel")
        panel.setProperty("role", "panel")
        figures = QVBoxLayout(panel)
        self.inserted = label("cash_inserted", "total")
        self.inserted_notes = NoteStrip("cash_inserted_notes")
        self.still_due = label("cash_still_due", "value")
        self.surplus = label("cash_surplus", "value")
        self.escrow = label("cash_escrow", "hint")
        for widget in (
            self.inserted,
            self.inserted_notes,
            self.still_due,
            self.surplus,
            self.escrow,
        ):
            figures.addWidget(widget)
        for widget in (self.title, self.accepts, self.no_change, panel):
            column.addWidget(widget)
        column.addStretch(1)
        self.finish = button("cash_finish", "bigprimary")
        self.finish.clicked.connect(self._finish_pressed)
        self.confirm = ConfirmOverlay("partial_confirm", self)
        self.confirm.yes.clicked.connect(self._finish_confirmed)
        self.confirm.no.clicked.connect(self._finish_declined)
        self.cancel = button("cash_cancel", "secondary")
        self.cancel.clicked.connect(lambda: self.send("cancel"))
        self.cancel_hint = label("cash_cancel_hint", "hint")
        self.inserted_notes.setMinimumHeight(NOTE_ROW_PX)
        actions.addStretch(1)
        actions.addWidget(self.cancel_hint)
        actions.addWidget(self.finish)
        actions.addWidget(self.cancel)

    def _finish_pressed(self) -> None:
        """With money still due, ask first: finishing early must never look like paid."""
        if int((self.snap.get("cash") or {}).get("still_due_fen") or 0) > 0:
            self.confirm.open()
            self._render_confirm(self.snap)
            self.send("touch")
            return
        self.send("finish")

    def _finish_confirmed(self) -> None:
        self.confirm.hide()
        self.send("finish")

    def _finish_declined(self) -> None:
        self.confirm.hide()
        self.send("touch")

    def _render_confirm(self, snap: dict[str, Any]) -> None:
        cash = snap.get("cash") or {}
        paid = int(cash.get("inserted_fen") or 0)
        short = int(cash.get("still_due_fen") or 0)
        account = snap.get("account")
        owed, due = owed_after(account, paid)
        if owed > 0:
            text = self.t("cash.confirm_owed", paid=format_fen(paid), owed=format_fen(owed))
            today = (account or {}).get("as_of")
            self.confirm.detail.setText(due_advice(due, today, self.language))
        else:
            text = self.t("cash.confirm_short", paid=format_fen(paid), short=format_fen(short))
            self.confirm.detail.setText("")
        self.confirm.detail.setVisible(bool(self.confirm.detail.text()))
        self.confirm.message.setText(text)
        self.confirm.yes.setText(self.t("cash.confirm_yes"))
        self.confirm.no.setText(self.t("cash.confirm_no"))

    def set_portrait(self, portrait: bool) -> None:
        super().set_portrait(portrait)
        self.confirm.set_portrait(portrait)
        # stacked (portrait), the figures sit above the buttons: they keep their room when
        # hidden, so a note taken moves nothing; side by side they cannot move the buttons
        keep_place(self.inserted_notes, self.surplus, self.escrow, keep=portrait)

    def render(self, snap: dict[str, Any]) -> None:
        cash = snap.get("cash") or {}
        inserted = int(cash.get("inserted_fen") or 0)
        if snap.get("state") != "cash_insert" or not int(cash.get("still_due_fen") or 0):
            self.confirm.hide()  # finished, or paid up meanwhile: nothing left to confirm
        elif self.confirm.isVisibleTo(self):
            self._render_confirm(snap)
        self.title.setText(self.t("cash.title"))
        separator = "、" if self.language == "zh" else ", "
        faces = separator.join(NoteStrip.face(d) for d in cash.get("denominations_fen") or [])
        self.accepts.setText(self.t("cash.accepts_list", notes=faces))
        self.no_change.setText(self.t("cash.no_change"))
        self.inserted.setText(f"{self.t('cash.inserted')}  {format_fen(inserted)}")
        notes = {int(k): int(v) for k, v in (cash.get("notes") or {}).items()}
        self.inserted_notes.show_notes(notes)
        self.inserted_notes.setVisible(bool(notes) and not self.senior)  # senior: the total
        self.still_due.setText(
            f"{self.t('cash.still_due')}  {format_fen(int(cash.get('still_due_fen') or 0))}"
        )
        surplus = int(cash.get("surplus_fen") or 0)
        self.surplus.setText(f"{self.t('cash.surplus')}  {format_fen(surplus)}")
        self.surplus.setVisible(surplus > 0)
        paused = bool(cash.get("paused"))
        self.escrow.setText(self.t("cash.paused" if paused else "cash.in_escrow"))
        self.escrow.setVisible(paused or bool(cash.get("in_escrow_fen")))
        self.finish.setText(self.t("cash.finish"))
        # While paused the customer may end the payment: a note not yet recorded is shown
        # as pending verification rather than keeping them waiting.
        self.finish.setEnabled(
            (inserted > 0 and not cash.get("in_escrow_fen"))
            or (paused and bool(inserted or cash.get("in_escrow_fen")))
        )
        self.cancel.setText(self.t("nav.cancel"))
        # "cancel" keeps its place; it is greyed once a note is taken, as said up front
        self.cancel.setEnabled(bool(cash.get("can_cancel")))
        self.cancel_hint.setText(self.t("cash.cancel_hint"))


class QrScreen(Screen):
    def __init__(self, send: Send) -> None:
        super().__init__("screen_qr", send)
        self.box = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self.box.setSpacing(24)
        column = QVBoxLayout()
        column.setSpacing(18)
        self.title = label("qr_title", "title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code = QrLabel("qr_code", 440)
        self.amount = label("qr_amount", "total")
        self.amount.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.countdown = label("qr_countdown", "value")
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.cancel = button("qr_cancel", "secondary")
        self.cancel.clicked.connect(lambda: self.send("cancel"))
        self.box.addWidget(self.code, 1)
        self.box.addLayout(column, 1)
        column.addStretch(1)
        column.addWidget(self.title)
        column.addWidget(self.amount)
        column.addWidget(self.countdown)
        column.addStretch(1)
        column.addWidget(self.cancel)

    def render(self, snap: dict[str, Any]) -> None:
        qr = snap.get("qr") or {}
        self.title.setText(self.t("qr.title"))
        self.code.show_payload(qr.get("payload"))
        self.amount.setText(self.t("qr.amount", amount=format_fen(snap.get("amount_fen") or 0)))
        seconds = qr.get("seconds_left")
        if not qr.get("payload"):
            self.countdown.setText(self.t("qr.waiting"))
        else:
            self.countdown.setText(
                "" if seconds is None else self.t("qr.seconds_left", seconds=seconds)
            )
        self.cancel.setText(self.t("nav.cancel"))


class CardScreen(Screen):
    """Card number and PIN on one keypad; the PIN is masked and never logged.

    One primary action only: the keypad's OK, which reads "next" on the number and "pay" on
    the PIN. The field the keypad types into is marked; the number shows in groups of four.
    """

    def __init__(self, send: Send) -> None:
        super().__init__("screen_card", send)
        self.box = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self.box.setSpacing(20)
        fields = QVBoxLayout()
        fields.setSpacing(8)
        self.title = label("card_title", "title")
        self.number_name = label("card_number_name", "fieldname")
        self.number = QLineEdit()
        self.number.setObjectName("card_number")
        self.number.setMaxLength(CARD_MAX_DIGITS + CARD_MAX_DIGITS // 4)  # with the spaces
        self.pin_name = label("card_pin_name", "fieldname")
        self.pin = QLineEdit()
        self.pin.setObjectName("card_pin")
        self.pin.setMaxLength(12)
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.number.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"[\d ]*"), self.number)
        )
        self.pin.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d*"), self.pin))
        for field in (self.number, self.pin):
            field.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.number.textChanged.connect(self._group_number)
        self.error = label("card_error", "error")
        keep_place(self.error)  # an error appearing moves no field or button
        self.cancel = button("card_cancel", "secondary")
        self.cancel.clicked.connect(lambda: self.send("cancel"))
        for widget in (
            self.title,
            self.number_name,
            self.number,
            self.pin_name,
            self.pin,
            self.error,
        ):
            fields.addWidget(widget)
        fields.addStretch(1)
        fields.addWidget(self.cancel)
        self.keypad = Keypad("card_keypad")
        self.keypad.confirmed.connect(self._next_field)
        self.number.returnPressed.connect(self._next_field)
        self.pin.returnPressed.connect(self.submit)
        self.number.installEventFilter(self)
        self.pin.installEventFilter(self)
        self.box.addLayout(fields, 1)
        self.box.addWidget(self.keypad, 1)
        self._activate(self.number)

    def eventFilter(self, watched: Any, event: Any) -> bool:  # noqa: N802 - Qt's name
        if event.type() == event.Type.FocusIn and watched in (self.number, self.pin):
            self._activate(watched)
        return False

    def _activate(self, field: QLineEdit) -> None:
        """The keypad types into ``field``; it and its name are marked, OK says what's next."""
        self.keypad.target = field
        for each, name in ((self.number, self.number_name), (self.pin, self.pin_name)):
            for widget in (each, name):
                widget.setProperty("active", each is field)
                widget.style().polish(widget)
        self._ok_text()

    def _ok_text(self) -> None:
        ok = self.keypad.keys["ok"]
        ok.setText(self.t("card.submit" if self.keypad.target is self.pin else "card.next"))

    def _group_number(self, text: str) -> None:
        """'8800123456789012' shows as '8800 1234 5678 9012'."""
        digits = text.replace(" ", "")
        grouped = " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))
        if grouped != text:
            self.number.setText(grouped)  # the cursor goes to the end, where typing is

    def card_no(self) -> str:
        return self.number.text().replace(" ", "")

    def _next_field(self) -> None:
        if self.keypad.target is self.number and self.number.text():
            self.pin.setFocus()
            self._activate(self.pin)
        else:
            self.submit()

    def submit(self) -> None:
        pin = self.pin.text()
        self.pin.clear()  # a wrong PIN is typed again from scratch
        self.send("submit_card", card_no=self.card_no(), pin=pin)
        self._activate(self.pin)

    def render(self, snap: dict[str, Any]) -> None:
        card = snap.get("card") or {}
        if snap.get("state") != "card_entry":
            self.number.clear()
            self.pin.clear()
            self._activate(self.number)
        self.title.setText(self.t("card.title"))
        self.title.setVisible(not self.senior)  # senior: the two marked fields say it all
        self.number_name.setText(self.t("card.number"))
        self.pin_name.setText(self.t("card.pin"))
        self.number.setPlaceholderText(self.t("card.number_placeholder"))
        self.pin.setPlaceholderText(self.t("card.pin"))
        error = card.get("error")
        if error == "card_pin_invalid" and card.get("attempts_left") is not None:
            text = self.t("card.attempts_left", n=card["attempts_left"])
        elif error:
            from ui.messages import error_text

            text = error_text(
                {"code": "card_number_invalid" if error == "card_format" else error}, self.language
            )
        else:
            text = ""
        self.error.setText(text)
        self.error.setVisible(bool(text))
        self.cancel.setText(self.t("nav.cancel"))
        self.keypad.retranslate_ui(self.language)
        self._ok_text()


class ProcessingScreen(Screen):
    def __init__(self, send: Send) -> None:
        super().__init__("screen_processing", send)
        column = QVBoxLayout(self)
        self.title = label("processing_title", "title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.progress = QProgressBar()
        self.progress.setObjectName("processing_progress")
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        column.addStretch(1)
        column.addWidget(self.title)
        column.addWidget(self.progress)
        column.addStretch(1)

    def render(self, snap: dict[str, Any]) -> None:  # noqa: ARG002 - texts only
        self.title.setText(self.t("processing.title"))
