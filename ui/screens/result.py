"""The end of a session (done or cancelled) and the kiosk's out-of-service screens."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QVBoxLayout

from kiosk.money import format_fen
from ui.messages import due_advice, error_text, owed_after
from ui.screens.base import Screen, Send, button, label
from ui.widgets.payment_notice import PaymentNotice
from ui.widgets.qr import QrLabel

METHOD_ORDER = ("cash", "qr", "card")


class DoneScreen(Screen):
    """Posted or recorded offline; printing, then "take your receipt", or an on-screen QR."""

    def __init__(self, send: Send) -> None:
        super().__init__("screen_done", send)
        outer = QVBoxLayout(self)
        outer.setSpacing(12)
        self.headline = label("done_headline", "title")
        self.headline.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(self.headline)
        # the figures, then (beside them in landscape, below in portrait) the receipt: what
        # printing did, the transaction number, the on-screen receipt code
        self.box = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.box.setSpacing(24)
        outer.addLayout(self.box, 1)
        column = QVBoxLayout()
        column.setSpacing(10)
        side = QVBoxLayout()
        side.setSpacing(10)
        self.box.addLayout(column, 3)
        self.box.addLayout(side, 2)
        self.amount = label("done_amount", "total")
        self.credited = label("done_credited", "value")
        self.owed = label("done_owed", "owed")
        self.owed_due = label("done_owed_due", "value")
        self.balance = label("done_balance", "value")
        self.txn = label("done_txn", "hint")
        self.pending = label("done_pending", "value")
        self.pending.setWordWrap(True)
        self.reason = label("done_reason", "hint")
        self.printing = label("done_printing", "subtitle")
        self.receipt_qr = QrLabel("done_receipt_qr", 320)
        self.qr_caption = label("done_qr_caption", "hint")
        self.home = button("done_home", "bigprimary")
        self.home.clicked.connect(lambda: self.send("home"))
        for widget in (
            self.amount,
            self.owed,
            self.owed_due,
            self.credited,
            self.balance,
            self.reason,
        ):
            column.addWidget(widget)
        column.addStretch(1)
        # a note pending verification is told beside the receipt that lists it
        for widget in (self.printing, self.pending, self.txn, self.qr_caption):
            side.addWidget(widget)
        side.addWidget(self.receipt_qr, 1)
        side.addStretch(0)
        self.home_in = label("done_home_in", "hint")
        self.home_in.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.home_in.hide()  # shown from the start when the engine counts down: moves nothing
        outer.addWidget(self.home_in)
        outer.addWidget(self.home)

    def set_senior(self, senior: bool) -> None:
        super().set_senior(senior)
        self.box.setStretch(0, 1 if senior else 3)  # senior: the receipt side gets half
        self.box.setStretch(1, 1 if senior else 2)
        # beside the receipt code the explanation takes the smaller of the senior sizes
        self.pending.setProperty("role", "hint" if senior else "value")
        self.pending.style().polish(self.pending)
        self._size_code()

    def set_portrait(self, portrait: bool) -> None:
        super().set_portrait(portrait)
        self._size_code()

    def _size_code(self) -> None:
        """The on-screen receipt code shrinks (still easily scanned) to leave text its room:
        beside the figures in landscape, and in senior mode."""
        size = 220 if self.senior else 320 if self.portrait else 240
        if size != self.receipt_qr.size_px:
            self.receipt_qr.size_px = size
            payload, self.receipt_qr.payload = self.receipt_qr.payload, None
            self.receipt_qr.show_payload(payload)

    def _show_code(self, result: dict[str, Any], *, paid: bool, receipt: bool) -> None:
        """The on-screen receipt when paper failed; otherwise the e-invoice request page."""
        invoice = result.get("invoice_url") if paid and not receipt else None
        payload = result.get("receipt_url") if receipt else invoice
        self.receipt_qr.show_payload(payload)
        self.receipt_qr.setVisible(bool(payload))
        self.qr_caption.setText(self.t("done.invoice_qr") if invoice else "")
        self.qr_caption.setVisible(bool(invoice))

    def render(self, snap: dict[str, Any]) -> None:
        result = snap.get("result") or {}
        status = result.get("status") or (
            "cancelled" if snap.get("state") == "cancelled" else "unconfirmed"
        )
        headline = (
            f"done.{status}"
            if status in ("posted", "queued", "unconfirmed", "cancelled", "pending_verification")
            else "done.unconfirmed"
        )
        if status == "queued" and int(result.get("pending_fen") or 0) > 0:
            headline = "done.partly_pending"  # recorded, but not all of it is certain
        paid = status not in ("cancelled",)
        amount = result.get("amount_fen")
        owed, due = (0, None)
        if paid and isinstance(amount, int) and status in ("posted", "queued"):
            owed, due = owed_after(snap.get("account"), amount)
        target = snap.get("amount_fen")
        short = isinstance(target, int) and isinstance(amount, int) and amount < target
        if owed and short and status == "posted":
            # less than the customer meant to pay (finished early, idle, a jam): never green
            headline = "done.partial"
        self.headline.setText(self.t(headline))
        self.headline.setProperty(
            "tone",
            "ok"
            if status == "posted" and not (owed and short)
            else "warn"
            if owed or status in ("queued", "cancelled", "pending_verification")
            else "bad",
        )
        self.headline.style().polish(self.headline)
        self._render_owed(snap, owed, due)
        self.amount.setText(
            self.t("done.amount", amount=format_fen(amount))
            if paid and isinstance(amount, int)
            else ""
        )
        self.amount.setVisible(bool(self.amount.text()))
        credited = result.get("credited_to_balance_fen")
        self.credited.setText(
            self.t("done.credited", amount=format_fen(credited))
            if isinstance(credited, int) and credited > 0
            else ""
        )
        self.credited.setVisible(bool(self.credited.text()) and not self.senior)
        balance = result.get("balance_fen")
        self.balance.setText(
            self.t("done.balance", amount=format_fen(balance))
            if isinstance(balance, int) and paid and (balance > 0 or not owed)
            else ""
        )
        self.balance.setVisible(bool(self.balance.text()) and not self.senior)  # on the receipt
        pending = result.get("pending_fen")
        late = result.get("late_credited_fen")
        pending_text = (
            self.t(
                "done.pending_short" if self.senior or not self.portrait else "done.pending",
                amount=format_fen(pending),
            )
            if isinstance(pending, int) and pending > 0
            else ""
        )
        if isinstance(late, int) and late > 0:
            late_text = self.t("done.late_credited", amount=format_fen(late))
            pending_text = f"{pending_text}\n{late_text}" if pending_text else late_text
        self.pending.setText(pending_text)
        self.pending.setVisible(bool(pending_text))
        txn = result.get("txn_id") or snap.get("txn_id")
        self.txn.setText(self.t("done.txn", txn=txn) if txn else "")
        self.txn.setVisible(bool(txn))
        error = snap.get("error")
        short = self.senior and str((error or {}).get("code", "")).startswith("acceptor_")
        self.reason.setText(
            self.t("error.acceptor_fault_short")
            if short
            else error_text(error, self.language)
            if error
            else ""
        )
        self.reason.setVisible(bool(error))
        printing = result.get("printing")
        show_qr = paid and printing in ("failed", "skipped") and bool(result.get("receipt_url"))
        self.printing.setText(
            self.t(
                f"print.{printing}_short"
                if self.senior and printing in ("failed", "skipped")
                else f"print.{printing}",
                where=self.t("where.below"),  # the code is under the text
            )
            if paid and printing in ("pending", "printed", "failed", "skipped")
            else ""
        )
        self.printing.setVisible(bool(self.printing.text()))
        self._show_code(result, paid=paid, receipt=show_qr)
        self.home.setText(self.t("nav.home"))
        home_in = snap.get("home_in_s")  # seconds until the kiosk goes home by itself
        self.home_in.setText(
            self.t("done.home_in", seconds=home_in) if isinstance(home_in, int) else ""
        )
        self.home_in.setVisible(bool(self.home_in.text()))

    def _render_owed(self, snap: dict[str, Any], owed: int, due: str | None) -> None:
        """What the account still owes after this payment, and by when."""
        self.owed.setText(self.t("owed.amount", amount=format_fen(owed)) if owed else "")
        self.owed.setVisible(bool(owed))
        today = (snap.get("account") or {}).get("as_of")
        short = self.senior
        self.owed_due.setText(due_advice(due, today, self.language, short=short) if owed else "")
        self.owed_due.setVisible(bool(self.owed_due.text()))


class OutOfServiceScreen(Screen):
    """Says what still works (say, QR while the acceptor is jammed)."""

    def __init__(self, send: Send, service_phone: str = "95598") -> None:
        super().__init__("screen_out_of_service", send)
        column = QVBoxLayout(self)
        column.setSpacing(24)
        self.title = label("oos_title", "title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = label("oos_hint", "subtitle")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.still = label("oos_still_works", "value")
        self.still.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.notice = PaymentNotice("oos_notice", service_phone)
        column.addStretch(1)
        for widget in (self.title, self.hint, self.still):
            column.addWidget(widget)
        column.addStretch(1)
        column.addWidget(self.notice)

    def render(self, snap: dict[str, Any]) -> None:
        self.notice.render(snap, self.language)
        state = snap.get("state")
        if snap.get("recovering"):
            self.title.setText(self.t("recovering"))
        else:
            self.title.setText(
                self.t("maintenance.title" if state == "maintenance" else "oos.title")
            )
        methods = snap.get("methods") or {}
        # An operator's remote lock shows the operator's own words; a kiosk not paired yet
        # says so (and where a technician fixes it): nothing else will bring it back.
        unpaired = any((m or {}).get("reason") == "unpaired" for m in methods.values())
        self.hint.setText(
            str(snap.get("locked") or "") or self.t("reason.unpaired" if unpaired else "oos.hint")
        )
        working = [self.t(f"method.{m}") for m in METHOD_ORDER if (methods.get(m) or {}).get("ok")]
        separator = "、" if self.language == "zh" else ", "
        self.still.setText(
            self.t("oos.still_works", methods=separator.join(working))
            if working and state != "maintenance"
            else self.t("oos.nothing")
        )
