"""The demo's emulator control window, shown beside the kiosk by `kiosk demo`.

It plays the customer's hands and bad luck on the emulated devices (insert a note, pull it
back, jam, cassette full, paper out, cover open), lists the demo accounts and recharge cards
with copy buttons, links the demo wallet page of the QR order on screen, and shows every
printed receipt as the picture the printer emulator drew.

Device calls go through ``kiosk_demo.rig.Demo`` on one worker thread, results come back as a
queued signal: the GUI thread never waits on an emulator. It is a developer's tool, so its
texts are fixed bilingual labels rather than the kiosk's translated catalogue.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices, QIcon, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk import money
from kiosk_demo.rig import Demo, DeviceAction
from ui.bridge import Bridge, SnapshotSource

log = logging.getLogger("kiosk_demo.panel")

REFRESH_MS = 500  # device state and new receipts are looked at this often
NOTES_FEN = (1000, 2000, 5000, 10000)
THUMB_SIZE = (72, 144)
PANEL_SIZE = (880, 760)  # beside a 1024-wide kiosk on a 1920 screen
RECEIPT_COLUMN_MIN_PX = 340
GAP_PX = 8  # between the kiosk window and the panel

ACCEPTOR_ACTIONS = (
    (DeviceAction.PULL_BACK, "取回 Pull back"),
    (DeviceAction.JAM, "卡币 Jam"),
    (DeviceAction.CLEAR_JAM, "清除卡币 Clear jam"),
    (DeviceAction.CASSETTE_FULL, "钱箱满 Cassette full"),
    (DeviceAction.EMPTY_CASSETTE, "清空钱箱 Empty cassette"),
)
PRINTER_ACTIONS = (
    (DeviceAction.PAPER_OUT, "缺纸 Paper out"),
    (DeviceAction.PAPER_NEAR_END, "纸将尽 Near end"),
    (DeviceAction.PAPER_READY, "就绪 Ready"),
    (DeviceAction.COVER_OPEN, "开盖 Cover open"),
)


# The sandbox provider's cases (central/providers): a WeChat-format code, case in the last 4.
PAYCODE_CASES = (
    ("130000000000000000", "成功 Paid"),
    ("130000000000001111", "手机确认 Confirm on phone"),
    ("130000000000002222", "不确认 Never confirmed"),
    ("130000000000003333", "余额不足 No funds"),
    ("130000000000004444", "支付机构超时 Provider slow"),
    ("6901234567892", "非付款码 Not a code"),
)


class _DeviceWorker(QObject):
    """Runs device calls on one thread; ``finished(kind, result, error)`` on the GUI thread."""

    finished = Signal(str, object, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-panel")
        self._closed = False

    def run(self, kind: str, call: Callable[[], Any]) -> None:
        if self._closed:
            return

        def report(future: Future[Any]) -> None:
            error = future.exception()
            if error is None:
                self.finished.emit(kind, future.result(), "")
            else:
                self.finished.emit(kind, None, str(error))

        self._pool.submit(call).add_done_callback(report)

    def close(self) -> None:
        self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)


class DemoPanel(QWidget):
    """The control window over a started ``Demo``; ``source`` (the engine) for QR orders."""

    closed = Signal()
    refreshed = Signal(object)  # the device summary after each refresh (tests wait on it)
    acted = Signal(str, str)  # (message, error) after each button's device call

    def __init__(
        self, demo: Demo, source: SnapshotSource | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("demo_panel")
        self.setWindowTitle("演示控制台 Demo controls")
        self.demo = demo
        self.order_id: str | None = None
        self._receipts: list[str] = []
        self._picture: QPixmap | None = None
        self._worker = _DeviceWorker(self)
        self._worker.finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        self._bridge: Bridge | None = None
        if source is not None:
            self._bridge = Bridge(source, self)
            self._bridge.connect_view(self.show_snapshot)

        columns = QHBoxLayout(self)
        left = QVBoxLayout()
        columns.addLayout(left, 3)
        left.addWidget(self._acceptor_box())
        left.addWidget(self._printer_box())
        self.message = QLabel("")
        self.message.setObjectName("demo_message")
        self.message.setWordWrap(True)
        self.devices = QLabel("")
        self.devices.setObjectName("demo_devices")
        self.devices.setWordWrap(True)
        left.addWidget(self.devices)
        left.addWidget(self.message)
        left.addWidget(self._wallet_box())
        left.addWidget(self._paycode_box())
        left.addWidget(self._people_box(), 1)
        columns.addWidget(self._receipts_box(), 2)

        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.refresh()

    # ---- building -------------------------------------------------------------------------

    def _button(self, name: str, text: str, slot: Callable[[], None]) -> QPushButton:
        widget = QPushButton(text)
        widget.setObjectName(name)
        # clicked(bool) would land in a default argument of the slot: call it bare
        widget.clicked.connect(lambda _checked=False: slot())
        return widget

    def _acceptor_box(self) -> QGroupBox:
        box = QGroupBox("纸币器 Cash acceptor")
        grid = QGridLayout(box)
        grid.addWidget(QLabel("投入 Insert:"), 0, 0)
        notes = QHBoxLayout()
        for fen in NOTES_FEN:
            notes.addWidget(
                self._button(
                    f"demo_insert_{fen}",
                    money.format_fen(fen).removesuffix(".00"),
                    functools.partial(self.insert, fen),
                )
            )
        grid.addLayout(notes, 0, 1, 1, 2)
        for index, (action, text) in enumerate(ACCEPTOR_ACTIONS):
            widget = self._button(f"demo_{action.value}", text, functools.partial(self.act, action))
            grid.addWidget(widget, 1 + index // 3, index % 3)
        return box

    def _printer_box(self) -> QGroupBox:
        box = QGroupBox("打印机 Printer")
        row = QHBoxLayout(box)
        for action, text in PRINTER_ACTIONS:
            row.addWidget(
                self._button(f"demo_{action.value}", text, functools.partial(self.act, action))
            )
        return box

    def _wallet_box(self) -> QGroupBox:
        box = QGroupBox("扫码支付 QR wallet")
        column = QVBoxLayout(box)
        self.wallet_link = QLabel("选择扫码支付后，这里出现演示钱包链接 / Choose QR on the kiosk")
        self.wallet_link.setObjectName("demo_wallet_link")
        self.wallet_link.setWordWrap(True)
        self.wallet_link.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        self.wallet_open = self._button("demo_wallet_open", "在浏览器打开 Open", self.open_wallet)
        self.wallet_copy = self._button("demo_wallet_copy", "复制 Copy", self.copy_wallet)
        row.addWidget(self.wallet_open)
        row.addWidget(self.wallet_copy)
        column.addWidget(self.wallet_link)
        column.addLayout(row)
        self._show_wallet(None)
        return box

    def _paycode_box(self) -> QGroupBox:
        """Show a payment code to the scanner: the sandbox provider's cases by last 4 digits."""
        box = QGroupBox("付款码 Scan a payment code")
        grid = QGridLayout(box)
        for index, (code, text) in enumerate(PAYCODE_CASES):
            widget = self._button(
                f"demo_scan_{code[-4:]}", text, functools.partial(self.scan, code)
            )
            grid.addWidget(widget, index // 3, index % 3)
        return box

    def scan(self, code: str) -> None:
        self._worker.run("act", lambda: self.demo.scan(code))

    def _people_box(self) -> QGroupBox:
        box = QGroupBox("演示户号与充值卡 Demo accounts and cards")
        grid = QGridLayout(box)
        row = 0
        for account in self.demo.seeded.accounts:
            grid.addWidget(QLabel(account.account_no), row, 0)
            grid.addWidget(QLabel(account.role.replace("_", " ")), row, 1, 1, 2)
            grid.addWidget(
                self._copy_button(f"demo_copy_account_{account.account_no}", account.account_no),
                row,
                3,
            )
            row += 1
        for card in self.demo.seeded.cards:
            grid.addWidget(QLabel(card.card_no), row, 0)
            grid.addWidget(QLabel(f"PIN {card.pin}"), row, 1)
            grid.addWidget(QLabel(money.format_fen(card.face_fen)), row, 2)
            copies = QHBoxLayout()
            copies.addWidget(self._copy_button(f"demo_copy_card_{card.card_no}", card.card_no))
            copies.addWidget(
                self._copy_button(f"demo_copy_pin_{card.card_no}", card.pin, "复制 PIN")
            )
            grid.addLayout(copies, row, 3)
            row += 1
        return box

    def _copy_button(self, name: str, text: str, label: str = "复制 Copy") -> QPushButton:
        return self._button(name, label, lambda: self.copy(text))

    def _receipts_box(self) -> QGroupBox:
        box = QGroupBox("打印的凭证 Printed receipts")
        box.setMinimumWidth(RECEIPT_COLUMN_MIN_PX)
        column = QVBoxLayout(box)
        self.receipt_list = QListWidget()
        self.receipt_list.setObjectName("demo_receipts")
        self.receipt_list.setViewMode(QListWidget.ViewMode.IconMode)
        self.receipt_list.setFlow(QListWidget.Flow.LeftToRight)
        self.receipt_list.setWrapping(False)
        self.receipt_list.setIconSize(QPixmap(*THUMB_SIZE).size())
        self.receipt_list.setFixedHeight(THUMB_SIZE[1] + 48)
        self.receipt_list.currentItemChanged.connect(self._show_receipt)
        self.receipt_view = QLabel("还没有打印凭证 / No receipt printed yet")
        self.receipt_view.setObjectName("demo_receipt_view")
        self.receipt_view.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.receipt_scroll = QScrollArea()
        self.receipt_scroll.setObjectName("demo_receipt_scroll")
        self.receipt_scroll.setWidgetResizable(True)
        self.receipt_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.receipt_scroll.setWidget(self.receipt_view)
        column.addWidget(self.receipt_list)
        column.addWidget(self.receipt_scroll, 1)
        return box

    # ---- actions ----------------------------------------------------------------------------

    def insert(self, denomination_fen: int) -> None:
        self._worker.run("act", lambda: self.demo.insert(denomination_fen))

    def act(self, action: DeviceAction) -> None:
        self._worker.run("act", lambda: self.demo.act(action))

    def refresh(self) -> None:
        self._worker.run("status", self.demo.device_status)

    def copy(self, text: str) -> None:
        QApplication.clipboard().setText(text)
        self.message.setText(f"已复制 Copied: {text}")

    def wallet_url(self) -> str | None:
        return None if self.order_id is None else self.demo.wallet_url(self.order_id)

    def open_wallet(self) -> None:
        url = self.wallet_url()
        if url is not None and not QDesktopServices.openUrl(QUrl(url)):
            self.message.setText(f"没有浏览器可打开 No browser to open {url}; copy the link")

    def copy_wallet(self) -> None:
        url = self.wallet_url()
        if url is not None:
            self.copy(url)

    # ---- rendering --------------------------------------------------------------------------

    def show_snapshot(self, snap: dict[str, Any]) -> None:
        order_id = (snap.get("qr") or {}).get("order_id")
        if snap.get("state") != "qr_wait":
            order_id = None
        if order_id != self.order_id:
            self._show_wallet(order_id)

    def _show_wallet(self, order_id: str | None) -> None:
        self.order_id = order_id
        url = self.wallet_url()
        if url is None:
            self.wallet_link.setText(
                "选择扫码支付后，这里出现演示钱包链接 / Choose QR on the kiosk"
            )
        else:
            self.wallet_link.setText(f"演示钱包 Demo wallet: {url}")
        self.wallet_open.setEnabled(url is not None)
        self.wallet_copy.setEnabled(url is not None)

    def _on_finished(self, kind: str, result: object, error: str) -> None:
        if kind == "act":
            self.message.setText(str(result) if not error else f"不行 Refused: {error}")
            self.acted.emit(str(result or ""), error)
            self.refresh()
        elif kind == "status" and isinstance(result, dict):
            self._render_devices(result)
            self.refreshed.emit(result)
        elif error:
            self.devices.setText(f"设备状态不可用 Device state unavailable: {error}")

    def _render_devices(self, status: dict[str, Any]) -> None:
        enabled = ", ".join(money.format_fen(f).removesuffix(".00") for f in status["enabled_fen"])
        self.devices.setText(
            f"纸币器 Acceptor: {status['acceptor']}"
            f" — {'takes ' + enabled if enabled else 'not taking notes'}\n"
            f"钱箱 Cassette: {status['cassette_notes']} notes, "
            f"{money.format_fen(status['cassette_total_fen'])}\n"
            f"打印机 Printer: {status['printer'].replace('_', ' ')}"
        )
        for png in status["receipts"]:
            if png not in self._receipts:
                self._add_receipt(png)

    def _add_receipt(self, png: str) -> None:
        self._receipts.append(png)
        item = QListWidgetItem(QIcon(QPixmap(png)), Path(png).stem.removeprefix("receipt-"))
        item.setData(Qt.ItemDataRole.UserRole, png)
        item.setToolTip(png)
        self.receipt_list.addItem(item)
        self.receipt_list.setCurrentItem(item)  # the newest receipt is the one to look at

    def _show_receipt(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        self._picture = QPixmap(str(item.data(Qt.ItemDataRole.UserRole)))
        self._fit_receipt()

    def _fit_receipt(self) -> None:
        """The receipt as wide as its column (a whole 80 mm line readable), scrolled down."""
        if self._picture is None or self._picture.isNull():
            return
        # room kept for the vertical scroll bar, which a long receipt brings in
        scroll = self.receipt_scroll
        width = scroll.contentsRect().width() - scroll.verticalScrollBar().sizeHint().width()
        width = max(120, width)
        picture = self._picture
        if picture.width() > width:
            picture = picture.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
        self.receipt_view.setPixmap(picture)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit_receipt()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self._timer.stop()
        self._worker.close()
        event.accept()
        self.closed.emit()


class _QuitOnClose(QObject):
    """Closing the kiosk window in the demo ends the whole demo (the panel too)."""

    def __init__(self, window: QWidget, quit_app: Callable[[], None]) -> None:
        super().__init__(window)
        self._window = window
        self._quit = quit_app

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self._window and event.type() == QEvent.Type.Close:
            self._quit()
        return False


def show_demo_panel(window: QWidget, demo: Demo, source: SnapshotSource) -> DemoPanel:
    """Open the panel beside ``window``; closing either one quits the application."""
    app = QApplication.instance()
    assert app is not None

    def quit_running_loop() -> None:
        # Only while the event loop runs: a quit after it (the front end closing its
        # windows on the way out) would stop the next event loop of this thread at once.
        if app.thread().loopLevel() > 0:
            app.quit()

    panel = DemoPanel(demo, source)
    panel.resize(PANEL_SIZE[0], max(PANEL_SIZE[1], window.height()))
    panel.move(window.frameGeometry().topRight() + QPoint(GAP_PX, 0))
    panel.closed.connect(quit_running_loop)
    window.installEventFilter(_QuitOnClose(window, quit_running_loop))
    panel.show()
    return panel
