"""Pairing with the central server: the one-time code typed on the on-screen keyboard.

The code (from `kiosk-central pair-code KIOSK_ID`) is shown in groups of four as printed;
its shape is checked here first (kiosk.pairing.normalise_code, as the core checks it again),
so a mistyped code is said at once and never sent. The core fetches the secret in the
background and reports the outcome in ``view["pair"]``; once paired the kiosk signs with the
new secret at once (kiosk/engine/remote.py), so there is nothing more to do here: no restart.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QBoxLayout, QLineEdit, QVBoxLayout, QWidget

from kiosk.maintenance_actions import Action
from kiosk.pairing import CODE_LENGTH, MalformedCode, grouped, normalise_code
from ui.maintenance.base import Act, Page, button, label, set_tone
from ui.maintenance.keyboard import TextKeyboard

# the outcome's tone on the page: green when paired, grey while waiting, red otherwise
TONES = {"paired": "ok", "busy": "wait"}
# TextKeyboard's keys a pairing code never holds (kiosk.pairing.CODE_ALPHABET)
UNUSED_KEYS = ("0", "1", "I", "L", "O", "dot", "comma", "slash", "space")


class PairPage(Page):
    # the status view carries the kiosk id and the central server's address shown here
    opens_with = (Action.STATUS, {})

    def __init__(self, act: Act) -> None:
        super().__init__("maint_pair", act)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)  # 1024x768 side by side: the keyboard needs every pixel
        self.title = label("maint_pair_title", "title")
        self.intro = label("maint_pair_intro", "hint")
        # the outcome spans the page: it says what to do next, in whole sentences
        self.outcome = label("maint_pair_outcome", "reason")
        self.code_name = label("maint_pair_code_name", "fieldname")
        self.code = QLineEdit()
        self.code.setObjectName("maint_pair_code")
        self.code.setMaxLength(CODE_LENGTH + CODE_LENGTH // 4 - 1)  # with the dashes
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"[A-Za-z0-9 -]*"), self.code)
        )
        self.code.textChanged.connect(self._regroup)
        self.code.returnPressed.connect(self.submit)
        self.submit_button = button("maint_pair_submit", "primary")
        self.submit_button.clicked.connect(self.submit)
        self.letters = TextKeyboard("maint_pair_letters")
        self.letters.target = self.code
        for key in UNUSED_KEYS:  # what a code never holds cannot be typed
            self.letters.keys[key].setEnabled(False)
        entry = QWidget()
        entry.setObjectName("maint_pair_entry")
        fields = QVBoxLayout()
        fields.setSpacing(10)
        for widget in (self.code_name, self.code):
            fields.addWidget(widget)
        fields.addStretch(1)
        fields.addWidget(self.submit_button)
        self.box = QBoxLayout(QBoxLayout.Direction.TopToBottom, entry)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(16)
        self.box.addLayout(fields, 1)
        self.box.addWidget(self.letters, 1)
        self.entry = entry
        for widget in (self.title, self.intro, self.outcome):
            column.addWidget(widget)
        column.addWidget(entry, 1)
        column.addStretch(0)  # takes the room instead of the entry while that is hidden
        self.column = column
        self.said: str | None = None  # a mistake found here, before anything was sent
        self._m: dict[str, Any] = {}

    def set_portrait(self, portrait: bool) -> None:
        super().set_portrait(portrait)
        self.box.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )
        # side by side, the letter keys need three quarters of the width to be 60 px wide
        self.box.setStretch(0, 2)
        self.box.setStretch(1, 2 if portrait else 5)

    def _regroup(self, text: str) -> None:
        """Upper case, in groups of four as printed: what is typed reads like the slip."""
        raw = text.replace("-", "").replace(" ", "").upper()
        shown = grouped(raw)
        if shown != text:
            self.code.setText(shown)  # emits textChanged again, with nothing left to change
        if self.said is not None:
            self.said = None
            self.render_view(self._m, {})

    def submit(self) -> None:
        try:
            code = normalise_code(self.code.text())
        except MalformedCode:
            self.said = "malformed"
            self.render_view(self._m, {})
            return
        self.said = None
        self.code.clear()  # a code is used once: never left on the screen
        self.act(Action.PAIR, code=code)

    def reset(self) -> None:
        self.code.clear()
        self.said = None

    def render_view(self, m: dict[str, Any], snap: dict[str, Any]) -> None:  # noqa: ARG002
        self._m = m
        view = m.get("view") or {}
        status = view.get("status") or {}
        pair = view.get("pair") or {}
        state = str(pair.get("state") or "")
        kiosk_id = pair.get("kiosk_id") or status.get("kiosk_id") or "?"
        url = pair.get("url") or status.get("central_url") or "?"
        self.title.setText(self.t("mt.page.pair"))
        self.intro.setText(self.t("mt.pair.intro", kiosk_id=kiosk_id, url=url))
        self.code_name.setText(self.t("mt.pair.code"))
        self.code.setPlaceholderText("XXXX-XXXX-XXXX")
        self.submit_button.setText(self.t("mt.pair.submit"))
        self.letters.retranslate_ui(self.language)
        if self.said is not None:
            text, tone = self.t(f"mt.pair.{self.said}"), "error"
        elif state:
            text = self.t(
                f"mt.pair.{state}",
                kiosk_id=kiosk_id,
                url=url,
                # overridden: which setting outranks the file pairing writes, in words
                detail=self.t(f"mt.pair.source.{pair.get('source')}")
                if state == "overridden"
                else pair.get("detail") or "",
                path=pair.get("secret_file") or "",
            )
            tone = TONES.get(state, "error")
        else:
            text, tone = "", ""
        self.outcome.setText(text)
        self.outcome.setVisible(bool(text))
        set_tone(self.outcome, tone)
        # Waiting, or paired: nothing to type (a second code would be spent for nothing).
        done_or_waiting = state in ("busy", "paired") and self.said is None
        self.entry.setVisible(not done_or_waiting)
        self.column.setStretch(self.column.count() - 1, 1 if done_or_waiting else 0)
        # One text at a time: an outcome says what to do next (and where to get a new code),
        # so it takes the instructions' place; side by side the keyboard needs the height.
        self.intro.setVisible(not text)
