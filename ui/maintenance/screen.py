"""The maintenance screen: login, then a menu of pages; hosted by the window in state
``maintenance``. Which page is shown is the only thing decided here (navigation); a
snapshot may name one in ``maintenance.page`` (screenshots, tests), the engine never does.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QStackedWidget, QVBoxLayout, QWidget

from kiosk.maintenance_actions import Action
from ui.i18n.catalog import has
from ui.maintenance.base import Page, button, label, local_time, set_tone
from ui.maintenance.collection import CollectionPage
from ui.maintenance.device_tests import TestsPage
from ui.maintenance.journal import JournalPage
from ui.maintenance.login import LoginPage, attempts_left
from ui.maintenance.menu import MenuPage, pages_for
from ui.maintenance.pairing import PairPage
from ui.maintenance.status import StatusPage
from ui.maintenance.suspects import SuspectsPage
from ui.maintenance.system import SystemPage
from ui.maintenance.words import human_reason
from ui.screens.base import Screen, Send

log = logging.getLogger("ui.maintenance")

# Actions confirmed on screen once sent (the engine reports failures as messages).
ACKNOWLEDGED = frozenset(
    {
        Action.REPRINT,
        Action.PRINT_TEST_PAGE,
        Action.OUTBOX_RETRY,
        Action.SET_METHOD,
        Action.RESOLVE_SUSPECT,
        Action.RETRY_ITEM,
        Action.COLLECTION_COMMIT,
        Action.ACCEPTOR_TEST,
    }
)


class MaintenanceScreen(Screen):
    def __init__(self, send: Send) -> None:
        super().__init__("screen_maintenance", send)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        bar = QWidget()
        bar.setObjectName("maint_bar")
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        self.user = label("maint_user", "hint")
        self.to_menu = button("maint_to_menu", "secondary")
        self.to_menu.clicked.connect(lambda: self.open_page("menu"))
        self.logout = button("maint_logout", "secondary")
        self.logout.clicked.connect(lambda: self.act(Action.LOGOUT))
        row.addWidget(self.user, 2)
        row.addWidget(self.to_menu, 1)
        row.addWidget(self.logout, 1)
        self.message = label("maint_message", "banner")
        self.stack = QStackedWidget()
        self.stack.setObjectName("maint_pages")
        # As in the window: a hidden page's minimum size must not force the window bigger.
        self.stack.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        column.addWidget(bar)
        column.addWidget(self.message)
        column.addWidget(self.stack, 1)
        self.menu = MenuPage(self.act)
        self.menu.chosen.connect(self.open_page)
        self.pages: dict[str, Page] = {
            "login": LoginPage(self.act),
            "menu": self.menu,
            "status": StatusPage(self.act),
            "tests": TestsPage(self.act),
            "collection": CollectionPage(self.act),
            "suspects": SuspectsPage(self.act),
            "journal": JournalPage(self.act),
            "system": SystemPage(self.act),
            "pair": PairPage(self.act),
        }
        for page in self.pages.values():
            self.stack.addWidget(page)
        self.page = "menu"
        self.user_id: str | None = None
        self.ack: str | None = None  # the last action to confirm once it went through

    def act(self, action: Action, **args: Any) -> None:
        # every action that changes something is confirmed on screen (unless it fails)
        self.ack = action if action in ACKNOWLEDGED else None
        self.send("maintenance", action=action, **args)

    def open_page(self, name: str) -> None:
        self.page = name
        self.ack = None
        opener = self.pages[name].opens_with
        if opener is not None:
            self.act(opener[0], **opener[1])
        if self.snap:
            self.render(self.snap)

    def set_portrait(self, portrait: bool) -> None:
        super().set_portrait(portrait)
        for page in self.pages.values():
            page.set_portrait(portrait)

    def render(self, snap: dict[str, Any]) -> None:
        m = snap.get("maintenance") or {}
        user = m.get("user") or {}
        user_id = user.get("id")
        if user_id != self.user_id:  # someone logged in or out: nothing typed carries over
            self.user_id = user_id
            for page in self.pages.values():
                page.reset()
            allowed = pages_for(user.get("role"))
            self.page = allowed[0] if len(allowed) == 1 else "menu"
            if user_id is not None and self.page != "menu":
                self.open_page(self.page)
                return
        if m.get("stage") != "menu":
            name = "login"
        else:
            name = m.get("page") or self.page
            if name not in ("menu", *pages_for(user.get("role"))):
                name = "menu"
        page = self.pages[name]
        page.language = self.language
        page.render_view(m, snap)
        if self.stack.currentWidget() is not page:
            self.stack.setCurrentWidget(page)
        logged_in = user_id is not None
        self.user.setText(
            self.t("mt.bar.user", name=user.get("name") or "?", id=user_id)
            if logged_in
            else self.t("mt.bar.title")
        )
        self.to_menu.setText(self.t("mt.bar.menu"))
        self.to_menu.setVisible(
            logged_in and name != "menu" and len(pages_for(user.get("role"))) > 1
        )
        self.logout.setText(self.t("mt.bar.logout"))
        self.logout.setVisible(logged_in)
        text, tone = self._message(m.get("message"))
        if not text and self.ack is not None and logged_in:
            text, tone = self.t(f"mt.ack.{self.ack}"), "ok"
        elif text:
            self.ack = None
        self.message.setText(text)
        self.message.setVisible(bool(text))
        set_tone(self.message, tone)

    def _message(self, message: object) -> tuple[str, str]:  # noqa: PLR0911 - one per code
        if not isinstance(message, dict) or not message.get("code"):
            return "", ""
        code = str(message["code"])
        detail = message.get("detail")
        if code == "locked":
            return self.t("mt.msg.locked", until=local_time(message.get("until"))), "error"
        if code == "login_failed":
            left = attempts_left(detail)
            if left is not None:
                return self.t("mt.msg.login_failed_left", n=left), "error"
            return self.t("mt.msg.login_failed"), "error"
        if code == "action_failed":
            return self.t(
                "mt.msg.action_failed", detail=human_reason(detail, self.language)
            ), "error"
        if has(f"mt.msg.{code}"):
            return self.t(f"mt.msg.{code}", detail=detail or ""), "error"
        log.warning("maintenance message %r has no text", code)
        return self.t("error.generic", code=code), "error"
