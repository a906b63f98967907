"""The kiosk's main window: header, one screen per engine state, banner, idle prompt.

The window renders the engine's snapshots and sends intents through the bridge; it keeps
no business state of its own. Language and large-text mode also come from the snapshot, so
a switch on any screen is the engine's decision, re-rendered everywhere through
``language_changed`` -> every screen's ``retranslate_ui``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent, QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.maintenance_actions import Action
from kiosk.money import format_fen
from ui.bridge import Bridge
from ui.i18n import tr
from ui.messages import error_text, notice_text
from ui.screens.account import AccountEntryScreen, AccountShownScreen, LookingUpScreen
from ui.screens.base import Screen, button, label
from ui.screens.home import HomeScreen
from ui.screens.paycode import PaycodeScreen
from ui.screens.payment import CardScreen, CashScreen, MethodScreen, ProcessingScreen, QrScreen
from ui.screens.result import DoneScreen, OutOfServiceScreen
from ui.style import SIZES, stylesheet
from ui.voice_cues import cue
from ui.widgets.corner import MaintenanceCorner

log = logging.getLogger("ui.window")

BANNER_PADDING_PX = 8  # as in kiosk.qss (QLabel#banner)
TOUCH_EVERY_S = 2.0  # taps that send no intent still keep the session alive, at most this often

SCREEN_FOR_STATE = {
    "home": "home",
    "account_entry": "account_entry",
    "looking_up": "looking_up",
    "account_shown": "account_shown",
    "amount_chosen": "method",
    "method_chosen": "method",
    "cash_insert": "cash",
    "qr_wait": "qr",
    "paycode_scan": "paycode",
    "paycode_wait": "paycode",
    "card_entry": "card",
    "processing": "processing",
    "done": "done",
    "cancelled": "done",
    "out_of_service": "out_of_service",
    "maintenance": "maintenance",
}


class KioskWindow(QMainWindow):
    language_changed = Signal(str)
    maintenance_requested = Signal()
    restart_requested = Signal()  # any thread may emit: delivered queued to the GUI thread
    rendered = Signal(object)  # after each snapshot is on screen (tests and benchmarks wait on it)

    def __init__(  # noqa: PLR0915 - one flat list of widgets reads better than helpers
        self,
        bridge: Bridge,
        utility_name: str,
        *,
        fullscreen: bool = False,
        service_phone: str = "95598",
        voice: Any = None,
    ) -> None:
        super().__init__()
        self.setObjectName("kiosk_window")
        self.bridge = bridge
        self.voice = voice  # kiosk.voice.Voice or None: a prompt per screen and event
        self.fullscreen = fullscreen
        self.language = "zh"
        self.large_text: bool | None = None
        self.state = "home"
        self.snap: dict[str, Any] = {}
        self._last_touch = 0.0
        self._forwarding = False
        self.allow_close = not fullscreen
        if fullscreen:
            self.setWindowFlags(Qt.WindowType.FramelessWindowHint | Qt.WindowType.Window)
        self.setWindowTitle(utility_name)

        root = QWidget()
        root.setObjectName("root")
        column = QVBoxLayout(root)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        header = QWidget()
        header.setObjectName("header")
        header.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        row = QHBoxLayout(header)
        row.setContentsMargins(0, 0, 16, 0)
        self.corner = MaintenanceCorner()
        self.corner.long_pressed.connect(self.maintenance_requested.emit)
        # The hidden entry: the engine opens the screen only between payments.
        self.corner.long_pressed.connect(
            lambda: self.bridge.send("maintenance", action=Action.OPEN)
        )
        self.header_title = QLabel(utility_name)
        self.header_title.setObjectName("header_title")
        self.header_title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.large_text_button = button("large_text_toggle", "header")
        self.large_text_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.large_text_button.clicked.connect(
            lambda: self.bridge.send("set_large_text", on=not self.large_text)
        )
        self.language_button = button("language_switch", "header")
        self.language_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.language_button.clicked.connect(
            lambda: self.bridge.send(
                "set_language", language="en" if self.language == "zh" else "zh"
            )
        )
        row.addWidget(self.corner)
        row.addWidget(self.header_title, 1)
        row.addWidget(self.large_text_button)
        row.addWidget(self.language_button)
        column.addWidget(header)

        body = QVBoxLayout()
        body.setContentsMargins(32, 12, 32, 12)
        body.setSpacing(8)
        self.stack = QStackedWidget()
        self.stack.setObjectName("screens")
        # A hidden screen's minimum size must not stop the window from fitting the display.
        self.stack.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        send = self.bridge.send
        # Screens are built when first needed: start-up builds only the home screen.
        self._factories: dict[str, Callable[[], Screen]] = {
            "home": lambda: HomeScreen(send, utility_name, service_phone),
            "account_entry": lambda: AccountEntryScreen(send),
            "looking_up": lambda: LookingUpScreen(send),
            "account_shown": lambda: AccountShownScreen(send),
            "method": lambda: MethodScreen(send),
            "cash": lambda: CashScreen(send),
            "qr": lambda: QrScreen(send),
            "paycode": lambda: PaycodeScreen(send),
            "card": lambda: CardScreen(send),
            "processing": lambda: ProcessingScreen(send),
            "done": lambda: DoneScreen(send),
            "out_of_service": lambda: OutOfServiceScreen(send, service_phone),
            "maintenance": lambda: _maintenance_screen(send),
        }
        self.screens: dict[str, Screen] = {}
        self._portrait: bool | None = None
        self.screen_named("home")
        # Notices and errors show in a strip whose room is always kept: a notice that comes
        # or goes never moves a button under the customer's finger.
        self.banner_area = QWidget()
        self.banner_area.setObjectName("banner_area")
        strip = QVBoxLayout(self.banner_area)
        strip.setContentsMargins(0, 0, 0, 0)
        self.banner = label("banner", "banner")
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.hide()
        strip.addWidget(self.banner)
        body.addWidget(self.stack, 1)
        body.addWidget(self.banner_area)
        column.addLayout(body, 1)
        self.setCentralWidget(root)
        self._build_idle_prompt(root)

        self.bridge.connect_view(self.show_snapshot)
        QApplication.instance().installEventFilter(self)  # type: ignore[union-attr]
        self.apply_style(False)
        self.retranslate_ui(self.language)

    def screen_named(self, name: str) -> Screen:
        """The screen called ``name``, built (in the current language and layout) if new."""
        screen = self.screens.get(name)
        if screen is None:
            screen = self._factories[name]()
            self.screens[name] = screen
            self.stack.addWidget(screen)
            self.language_changed.connect(screen.retranslate_ui)
            screen.retranslate_ui(self.language)
            screen.set_senior(bool(self.large_text))
            if self._portrait is not None:
                screen.set_portrait(self._portrait)
                screen._oriented = True  # type: ignore[attr-defined]
            if self.snap:
                screen.snap = self.snap
        return screen

    def _build_idle_prompt(self, parent: QWidget) -> None:
        self.idle = QFrame(parent)
        self.idle.setObjectName("idle_prompt")
        column = QVBoxLayout(self.idle)
        column.setContentsMargins(40, 40, 40, 40)
        column.setSpacing(24)
        self.idle_title = label("idle_title", "title")
        self.idle_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.idle_seconds = label("idle_seconds", "subtitle")
        self.idle_seconds.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.idle_yes = button("idle_still_here", "bigprimary")
        self.idle_yes.clicked.connect(lambda: self.bridge.send("still_here"))
        for widget in (self.idle_title, self.idle_seconds, self.idle_yes):
            column.addWidget(widget)
        self.idle.hide()

    # ----------------------------------------------------------------- rendering
    def show_snapshot(self, snap: dict[str, Any]) -> None:
        before, self.snap = self.snap, snap
        if self.voice is not None:
            spoken = cue(before, snap)
            if spoken is not None:
                self.voice.say(spoken[0], snap.get("language") or self.language, spoken[1])
        language = snap.get("language") or self.language
        state = str(snap.get("state") or "home")
        # senior mode is for customers: the technicians' pages keep the normal size
        large = bool(snap.get("large_text")) and state != "maintenance"
        if large != self.large_text:
            self.apply_style(large)
        screen = self.screen_named(SCREEN_FOR_STATE.get(state, "out_of_service"))
        if state not in SCREEN_FOR_STATE:
            log.warning("no screen for engine state %r; showing out of service", state)
        new_customer = state == "home" and self.state != "home"
        for other in self.screens.values():
            if other is screen:
                continue
            if new_customer:
                # Render hidden screens too, so that each clears what the last customer typed
                # (account number, amount, card number): nothing of theirs may show again.
                other.show_snapshot(snap)
            else:
                other.snap = snap  # off-screen screens follow (language) without a render
        screen.show_snapshot(snap)
        if self.stack.currentWidget() is not screen:
            self.stack.setCurrentWidget(screen)
        self.state = state
        # technicians' pages show their own messages: the customer's strip is not kept there
        self.banner_area.setVisible(state != "maintenance")
        if language != self.language:
            self.retranslate_ui(language)
        else:
            self._render_banner(snap)
            self._render_idle(snap)
        self.rendered.emit(snap)

    def retranslate_ui(self, language: str) -> None:
        self.language = language
        self.language_button.setText(tr("lang.switch", language))
        self.large_text_button.setText(
            tr("large_text.off" if self.large_text else "large_text.on", language)
        )
        self.idle_title.setText(tr("idle.title", language))
        self.idle_yes.setText(tr("idle.yes", language))
        self.language_changed.emit(language)
        self._render_banner(self.snap)
        self._render_idle(self.snap)

    def apply_style(self, large: bool) -> None:
        self.large_text = large
        self.setStyleSheet(stylesheet(large))
        for screen in self.screens.values():
            screen.set_senior(large)
        # room for two lines of the banner's text, its padding and border, always kept
        font = QFont(self.banner.font())
        font.setPixelSize(SIZES[large]["banner"])
        font.setBold(True)
        line = QFontMetrics(font).lineSpacing()
        self.banner_area.setFixedHeight(2 * line + 2 * BANNER_PADDING_PX + 6 + 4)
        self.large_text_button.setText(
            tr("large_text.off" if large else "large_text.on", self.language)
        )

    def _render_banner(self, snap: dict[str, Any]) -> None:
        error = snap.get("error")
        # The done screen explains its own error; the card screen shows card errors itself.
        if error and self.state not in ("done", "cancelled"):
            text, tone = error_text(error, self.language, snap.get("methods")), "error"
        elif snap.get("notice"):
            text, tone = notice_text(snap.get("notice"), self.language), "notice"
        else:
            text, tone = "", ""
        self.banner.setText(text)
        self.banner.setProperty("tone", tone)
        self.banner.style().polish(self.banner)
        self.banner.setVisible(bool(text))

    def _render_idle(self, snap: dict[str, Any]) -> None:
        prompt = snap.get("idle_prompt")
        if not prompt:
            self.idle.hide()
            return
        seconds = prompt.get("seconds_left") or 0
        cash = snap.get("cash") or {}
        inserted = int(cash.get("inserted_fen") or 0) + int(cash.get("in_escrow_fen") or 0)
        if snap.get("state") == "cash_insert" and inserted:
            # with money in, "returning home" would sound as if the money were lost
            text = tr(
                "idle.seconds_cash", self.language, seconds=seconds, amount=format_fen(inserted)
            )
        else:
            text = tr("idle.seconds", self.language, seconds=seconds)
        self.idle_seconds.setText(text)
        self._place_idle()
        self.idle.show()
        self.idle.raise_()

    def _place_idle(self) -> None:
        area = self.centralWidget().rect()
        width = min(area.width() - 80, 900)
        layout = self.idle.layout()
        need = layout.heightForWidth(width) if layout is not None else 460
        height = min(area.height() - 40, max(460, need))
        self.idle.setGeometry(
            (area.width() - width) // 2, (area.height() - height) // 2, width, height
        )

    # --------------------------------------------------------------- Qt events
    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        portrait = event.size().height() >= event.size().width()
        self._portrait = portrait
        for screen in self.screens.values():
            if screen.portrait != portrait or not hasattr(screen, "_oriented"):
                screen.set_portrait(portrait)
                screen._oriented = True  # type: ignore[attr-defined]
        self._place_idle()

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in (
            QEvent.Type.MouseButtonPress,
            QEvent.Type.KeyPress,
            QEvent.Type.TouchBegin,
        ):
            now = time.monotonic()
            if now - self._last_touch >= TOUCH_EVERY_S:
                self._last_touch = now
                self.bridge.send("touch")
        return False

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        # The barcode scanner is a keyboard: digits typed anywhere on the entry screen go
        # to the account field, even if a tap moved the focus.
        if self.state == "account_entry" and not self._forwarding:
            entry = self.screen_named("account_entry")
            field = entry.input  # type: ignore[attr-defined]
            # reaching the window means the field did not get the key: hand it over
            field.setFocus()
            self._forwarding = True  # a key the field ignores comes back here: no loop
            try:
                QApplication.sendEvent(field, event)
            finally:
                self._forwarding = False
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if self.allow_close:
            QApplication.instance().removeEventFilter(self)  # type: ignore[union-attr]
            event.accept()
        else:
            event.ignore()  # no way out by keyboard shortcuts on the kiosk


def _maintenance_screen(send: Callable[..., None]) -> Screen:
    # imported on first use: technicians need it, customers' start-up does not
    from ui.maintenance.screen import MaintenanceScreen

    return MaintenanceScreen(send)
