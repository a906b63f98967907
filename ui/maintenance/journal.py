"""Journal search by txn id, account or day; a transaction's events; reprint marked as a copy."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QFrame, QGridLayout, QLineEdit, QPushButton, QVBoxLayout

from kiosk.maintenance_actions import Action
from ui.maintenance.base import (
    CHOOSING_EVENTS,
    Act,
    Page,
    button,
    label,
    local_time,
    page_column,
)
from ui.maintenance.keyboard import TextKeyboard
from ui.maintenance.words import amount_of, event_line, method_name, txn_state

MAX_ROWS = 50  # the core returns at most 50


class JournalPage(Page):
    opens_with = (Action.JOURNAL_SEARCH, {"query": ""})

    def __init__(self, act: Act) -> None:  # noqa: PLR0915 - one flat list of widgets
        super().__init__("maint_journal", act)
        column = page_column(self, "maint_journal")
        self.title = label("maint_journal_title", "title")
        fields = QGridLayout()
        self.query_name = label("maint_journal_query_name", "fieldname")
        self.query = QLineEdit()
        self.query.setObjectName("maint_journal_query")
        self.query.setMaxLength(40)
        self.day_name = label("maint_journal_day_name", "fieldname")
        self.day = QLineEdit()
        self.day.setObjectName("maint_journal_day")
        self.day.setMaxLength(10)
        self.day.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9-]*"), self.day))
        fields.addWidget(self.query_name, 0, 0)
        fields.addWidget(self.query, 0, 1)
        fields.addWidget(self.day_name, 1, 0)
        fields.addWidget(self.day, 1, 1)
        fields.setColumnStretch(1, 1)
        self.keyboard = TextKeyboard("maint_journal_keyboard")
        self.keyboard.target = self.query
        for field in (self.query, self.day):
            field.installEventFilter(self)
            field.returnPressed.connect(self.search)
        self.search_button = button("maint_journal_search", "primary")
        self.search_button.clicked.connect(self.search)
        self.error = label("maint_journal_error", "error")
        self.summary = label("maint_journal_summary", "hint")
        column.addWidget(self.title)
        column.addLayout(fields)
        column.addWidget(self.keyboard)
        column.addWidget(self.error)
        column.addWidget(self.search_button)
        column.addWidget(self.summary)
        self.row_buttons: list[QPushButton] = []
        for index in range(MAX_ROWS):
            row = button(f"maint_journal_row_{index}", "row")
            row.clicked.connect(self._opener(index))
            row.hide()
            column.addWidget(row)
            self.row_buttons.append(row)
        self.detail = QFrame()
        self.detail.setObjectName("maint_journal_detail")
        self.detail.setProperty("role", "panel")
        detail = QVBoxLayout(self.detail)
        self.detail_title = label("maint_journal_detail_title", "subtitle")
        self.events = label("maint_journal_events", "slip")
        self.reprint = button("maint_journal_reprint", "primary")
        self.reprint.clicked.connect(self._reprint)
        self.back_to_results = button("maint_journal_back", "secondary")
        self.back_to_results.clicked.connect(self.close_detail)
        for widget in (self.detail_title, self.reprint, self.events, self.back_to_results):
            detail.addWidget(widget)
        column.addWidget(self.detail)
        column.addStretch(1)
        self.results: list[dict[str, Any]] = []
        self.shown_txn: str | None = None
        self._m: dict[str, Any] = {}

    def eventFilter(self, watched: Any, event: Any) -> bool:  # noqa: N802 - Qt's name
        if event.type() in CHOOSING_EVENTS and watched in (self.query, self.day):
            self.keyboard.target = watched
        return False

    def _opener(self, index: int) -> Any:
        return lambda: self.open_txn(index)

    def search(self) -> None:
        day = self.day.text().strip()
        if day and not _is_day(day):
            self.error.setText(self.t("mt.journal.bad_day"))
            self.error.show()
            return
        self.error.hide()
        self.shown_txn = None
        args: dict[str, Any] = {"query": self.query.text().strip()}
        if day:
            args["day"] = day
        self.act(Action.JOURNAL_SEARCH, **args)

    def open_txn(self, index: int) -> None:
        if index < len(self.results):
            self.shown_txn = self.results[index]["txn_id"]
            self.act(Action.JOURNAL_SHOW, txn_id=self.shown_txn)
            self.render_view(self._m, {})

    def close_detail(self) -> None:
        self.shown_txn = None
        self.render_view(self._m, {})

    def _reprint(self) -> None:
        if self.shown_txn:
            self.act(Action.REPRINT, txn_id=self.shown_txn)

    def reset(self) -> None:
        self.query.clear()
        self.day.clear()
        self.shown_txn = None

    def render_view(self, m: dict[str, Any], snap: dict[str, Any]) -> None:  # noqa: ARG002
        self._m = m
        if m.get("shown_txn"):  # scripted snapshots (screenshots) open a transaction
            self.shown_txn = m["shown_txn"]
        view = m.get("view") or {}
        journal = view.get("journal") or {}
        self.results = list(journal.get("results") or [])[:MAX_ROWS]
        self.title.setText(self.t("mt.page.journal"))
        self.query_name.setText(self.t("mt.journal.query"))
        self.query.setPlaceholderText(self.t("mt.journal.query_hint"))
        self.day_name.setText(self.t("mt.journal.day"))
        self.day.setPlaceholderText("YYYY-MM-DD")
        self.search_button.setText(self.t("mt.journal.search"))
        self.keyboard.retranslate_ui(self.language)
        self.summary.setText(self.t("mt.journal.count", n=len(self.results)))
        transaction = view.get("transaction") or {}
        showing = self.shown_txn is not None
        for widget in (
            self.query_name,
            self.query,
            self.day_name,
            self.day,
            self.keyboard,
            self.search_button,
            self.summary,
        ):
            widget.setVisible(not showing)
        if showing:
            self.error.hide()
        for index, row in enumerate(self.row_buttons):
            if not showing and index < len(self.results):
                row.setText(self._summary(self.results[index]))
                row.show()
            else:
                row.hide()
        self.detail.setVisible(showing)
        if showing:
            self.detail_title.setText(self.t("mt.journal.detail", txn=self.shown_txn))
            loaded = transaction.get("txn_id") == self.shown_txn
            self.events.setText(
                _events_text(transaction.get("events") or [], self.language)
                if loaded
                else self.t("mt.loading")
            )
            self.reprint.setText(self.t("mt.journal.reprint"))
            self.back_to_results.setText(self.t("mt.journal.back"))

    def _summary(self, row: dict[str, Any]) -> str:
        return self.t(
            "mt.journal.row",
            txn=row.get("txn_id") or "?",
            account=row.get("account_no") or "—",
            method=method_name(row.get("method"), self.language),
            state=txn_state(row.get("state"), self.language),
            amount=amount_of(row),
            when=local_time(row.get("created_at")),
        )


def _is_day(text: str) -> bool:
    from datetime import date

    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _events_text(events: list[dict[str, Any]], language: str) -> str:
    """One line per event, in words: time, what happened, the fields that say how."""
    return "\n".join(event_line(event, language) for event in events)
