"""Suspect and needs-attention transactions: list, details, and a resolution with a
mandatory reason (a preset or typed on the on-screen keyboard)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from kiosk.maintenance_actions import Action
from ui.i18n.catalog import has
from ui.maintenance.base import Act, Page, button, fen, label, local_time, page_column
from ui.maintenance.keyboard import TextKeyboard
from ui.maintenance.words import human_reason

MIN_REASON = 5  # the core refuses shorter reasons
PRESETS = ("counted", "cctv", "customer_receipt", "device_log", "server_fixed")
OUTCOMES = ("credited", "not_received")
MAX_ROWS = 20


class SuspectsPage(Page):
    opens_with = (Action.SUSPECTS, {})

    def __init__(self, act: Act) -> None:  # noqa: PLR0915 - one flat list of widgets
        super().__init__("maint_suspects", act)
        column = page_column(self, "maint_suspects")
        self.title = label("maint_suspects_title", "title")
        self.refresh = button("maint_suspects_refresh", "secondary")
        self.refresh.clicked.connect(lambda: self.act(Action.SUSPECTS))
        self.empty = label("maint_suspects_empty", "hint")
        column.addWidget(self.title)
        column.addWidget(self.refresh)
        column.addWidget(self.empty)
        self.row_buttons: list[QPushButton] = []
        self.list_column = QVBoxLayout()
        column.addLayout(self.list_column)
        for index in range(MAX_ROWS):
            row = button(f"maint_suspects_row_{index}", "row")
            row.clicked.connect(self._selector(index))
            row.hide()
            self.list_column.addWidget(row)
            self.row_buttons.append(row)
        self.detail = QFrame()
        self.detail.setObjectName("maint_suspects_detail")
        self.detail.setProperty("role", "panel")
        detail = QVBoxLayout(self.detail)
        self.detail_text = label("maint_suspects_detail_text", "value")
        self.outcome_name = label("maint_suspects_outcome_name", "fieldname")
        outcomes = QHBoxLayout()
        self.outcomes = {}
        for outcome in OUTCOMES:
            choice = button(f"maint_suspects_outcome_{outcome}", "action")
            choice.clicked.connect(self._outcome_chooser(outcome))
            outcomes.addWidget(choice)
            self.outcomes[outcome] = choice
        self.reason_name = label("maint_suspects_reason_name", "fieldname")
        self.presets = {}
        presets = QGridLayout()
        for index, preset in enumerate(PRESETS):
            choice = button(f"maint_suspects_preset_{preset}", "secondary")
            choice.clicked.connect(self._preset_chooser(preset))
            presets.addWidget(choice, index // 2, index % 2)
            self.presets[preset] = choice
        self.reason = QLineEdit()
        self.reason.setObjectName("maint_suspects_reason")
        self.reason.setMaxLength(200)
        self.reason.textChanged.connect(self._update_submit)
        self.keyboard = TextKeyboard("maint_suspects_keyboard")
        self.keyboard.target = self.reason
        self.submit_button = button("maint_suspects_submit", "primary")
        self.submit_button.clicked.connect(self.submit)
        self.reason_hint = label("maint_suspects_reason_hint", "hint")
        detail.addWidget(self.detail_text)
        detail.addWidget(self.outcome_name)
        detail.addLayout(outcomes)
        detail.addWidget(self.reason_name)
        detail.addLayout(presets)
        detail.addWidget(self.reason)
        detail.addWidget(self.reason_hint)
        detail.addWidget(self.submit_button)
        detail.addWidget(self.keyboard)
        column.addWidget(self.detail)
        column.addStretch(1)
        self.items: list[dict[str, Any]] = []
        self.selected: str | None = None  # suspect_id or item_id
        self.outcome: str | None = None

    def _selector(self, index: int) -> Any:
        return lambda: self.select(index)

    def _outcome_chooser(self, outcome: str) -> Any:
        return lambda: self.choose_outcome(outcome)

    def _preset_chooser(self, preset: str) -> Any:
        return lambda: self.reason.setText(self.t(f"mt.suspects.preset.{preset}"))

    def select(self, index: int) -> None:
        if index < len(self.items):
            item = self.items[index]
            self.selected = item["key"]
            self.outcome = None
            self.reason.clear()
            self._render_detail()

    def choose_outcome(self, outcome: str) -> None:
        self.outcome = outcome
        self._render_detail()

    def _current(self) -> dict[str, Any] | None:
        return next((i for i in self.items if i["key"] == self.selected), None)

    def _update_submit(self) -> None:
        item = self._current()
        long_enough = len(self.reason.text().strip()) >= MIN_REASON
        needs_outcome = item is not None and item["kind"] == "suspect"
        self.submit_button.setEnabled(
            item is not None and long_enough and (self.outcome is not None or not needs_outcome)
        )
        self.reason_hint.setText(
            "" if long_enough else self.t("mt.suspects.reason_required", n=MIN_REASON)
        )

    def submit(self) -> None:
        item = self._current()
        reason = self.reason.text().strip()
        if item is None or len(reason) < MIN_REASON:
            return
        if item["kind"] == "suspect":
            if self.outcome is None:
                return
            self.act(
                Action.RESOLVE_SUSPECT, suspect_id=item["key"], outcome=self.outcome, reason=reason
            )
        else:
            self.act(Action.RETRY_ITEM, item_id=item["key"], reason=reason)
        self.selected, self.outcome = None, None
        self.reason.clear()

    def reset(self) -> None:
        self.selected, self.outcome = None, None
        self.reason.clear()

    def render_view(self, m: dict[str, Any], snap: dict[str, Any]) -> None:  # noqa: ARG002
        view = (m.get("view") or {}).get("suspects") or {}
        self.items = [
            {"kind": "suspect", "key": s["suspect_id"], **s}
            for s in view.get("suspects") or ()
            if s.get("state") == "open"
        ] + [
            {"kind": "parked", "key": p["item_id"], **p} for p in view.get("needs_attention") or ()
        ]
        self.items = self.items[:MAX_ROWS]
        if m.get("selected"):  # scripted snapshots (screenshots) open an item
            self.selected, self.outcome = m["selected"], m.get("outcome")
        self.title.setText(self.t("mt.page.suspects"))
        self.refresh.setText(self.t("mt.refresh"))
        self.empty.setText(self.t("mt.suspects.none"))
        self.empty.setVisible(not self.items)
        for index, row in enumerate(self.row_buttons):
            if index < len(self.items):
                row.setText(self._summary(self.items[index]))
                row.setProperty("selected", self.items[index]["key"] == self.selected)
                row.style().polish(row)
                row.show()
            else:
                row.hide()
        if self._current() is None:
            self.selected = None
        self.outcome_name.setText(self.t("mt.suspects.outcome"))
        for outcome, choice in self.outcomes.items():
            choice.setText(self.t(f"mt.suspects.outcome.{outcome}"))
        self.reason_name.setText(self.t("mt.suspects.reason"))
        for preset, choice in self.presets.items():
            choice.setText(self.t(f"mt.suspects.preset.{preset}"))
        self.reason.setPlaceholderText(self.t("mt.suspects.reason_placeholder"))
        self.keyboard.retranslate_ui(self.language)
        self._render_detail()

    def _summary(self, item: dict[str, Any]) -> str:
        if item["kind"] == "suspect":
            return self.t(
                "mt.suspects.row_suspect",
                txn=item.get("txn_id") or "?",
                amount=fen(item.get("denomination_fen")),
                when=local_time(item.get("created_at")),
            )
        return self.t(
            "mt.suspects.row_parked",
            item=item["key"],
            endpoint=self.t(f"mt.endpoint.{item.get('endpoint')}")
            if has(f"mt.endpoint.{item.get('endpoint')}")
            else item.get("endpoint") or "?",
            amount=fen(item.get("amount_fen")),
        )

    def _render_detail(self) -> None:
        item = self._current()
        self.detail.setVisible(item is not None)
        if item is None:
            return
        if item["kind"] == "suspect":
            text = self.t(
                "mt.suspects.detail_suspect",
                txn=item.get("txn_id") or "?",
                account=item.get("account_no") or "?",
                amount=fen(item.get("denomination_fen")),
                why=human_reason(item.get("reason"), self.language),
                when=local_time(item.get("created_at")),
            )
        else:
            why = human_reason(item.get("detail"), self.language)
            text = self.t(
                "mt.suspects.detail_parked",
                item=item["key"],
                endpoint=item.get("endpoint") or "?",
                amount=fen(item.get("amount_fen")),
                why=why,
            )
        self.detail_text.setText(text)
        suspect = item["kind"] == "suspect"
        self.outcome_name.setVisible(suspect)
        for outcome, choice in self.outcomes.items():
            choice.setVisible(suspect)
            choice.setProperty("role", "primary" if outcome == self.outcome else "action")
            choice.style().polish(choice)
        self.submit_button.setText(self.t("mt.suspects.submit" if suspect else "mt.suspects.retry"))
        self._update_submit()
