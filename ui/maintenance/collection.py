"""Cash collection: the journal's count per note, the physical count typed on a keypad, the
difference shown before committing, then the slip (printed by the core, shown here too)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QBoxLayout, QGridLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from kiosk.maintenance_actions import Action
from ui.maintenance.base import (
    CHOOSING_EVENTS,
    Act,
    Page,
    button,
    fen,
    label,
    local_time,
    scrolled,
    set_tone,
)
from ui.widgets.keypad import Keypad

MAX_NOTES_DIGITS = 5  # a cash box holds a few thousand notes at most


class CollectionPage(Page):
    opens_with = (Action.COLLECTION_PREVIEW, {})

    def __init__(self, act: Act) -> None:
        super().__init__("maint_collection", act)
        self.box = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(16)
        content = QWidget()
        content.setObjectName("maint_collection_content")
        self.content = content
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 12, 0)
        column.setSpacing(10)
        self.title = label("maint_collection_title", "title")
        self.since = label("maint_collection_since", "hint")
        self.table = QGridLayout()
        self.table.setHorizontalSpacing(16)
        self.headers = [label(f"maint_collection_head_{i}", "cellname") for i in range(5)]
        for index, header in enumerate(self.headers):
            self.table.addWidget(header, 0, index)
        self.totals = label("maint_collection_totals", "value")
        self.difference = label("maint_collection_difference", "total")
        self.commit = button("maint_collection_commit", "primary")
        self.commit.clicked.connect(self.submit)
        self.slip = label("maint_collection_slip", "slip")
        self.slip.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.again = button("maint_collection_again", "secondary")
        self.again.clicked.connect(lambda: self.act(Action.COLLECTION_PREVIEW))
        column.addWidget(self.title)
        column.addWidget(self.since)
        column.addLayout(self.table)
        for shown in (self.totals, self.difference, self.commit, self.slip, self.again):
            column.addWidget(shown)
        column.addStretch(1)
        self.keypad = Keypad("maint_collection_keypad")
        self.keypad.confirmed.connect(self._next_field)
        self.box.addWidget(scrolled(content, "maint_collection_scroll"), 3)
        self.box.addWidget(self.keypad, 2)
        self.rows: list[int] = []
        self.journal_counts: dict[int, int] = {}
        self.cells: dict[int, tuple[QLabel, QLabel, QLabel, QLineEdit, QLabel]] = {}

    def set_portrait(self, portrait: bool) -> None:
        super().set_portrait(portrait)
        self.box.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )

    def eventFilter(self, watched: Any, event: Any) -> bool:  # noqa: N802 - Qt's name
        if event.type() in CHOOSING_EVENTS and isinstance(watched, QLineEdit):
            self.keypad.target = watched
        return False

    def _build_rows(self, rows: list[dict[str, Any]]) -> None:
        denominations = [int(r["denomination_fen"]) for r in rows]
        if denominations == self.rows:
            return
        for cells in self.cells.values():
            for cell in cells:
                self.table.removeWidget(cell)
                cell.hide()
                cell.deleteLater()
        self.cells = {}
        self.rows = denominations
        for index, denomination in enumerate(sorted(denominations, reverse=True), start=1):
            name = f"maint_collection_{denomination}"
            physical = QLineEdit()
            physical.setObjectName(f"{name}_physical")
            physical.setProperty("role", "count")
            physical.setMaxLength(MAX_NOTES_DIGITS)
            physical.setAlignment(Qt.AlignmentFlag.AlignCenter)
            physical.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d*"), physical))
            physical.textChanged.connect(self._update_difference)
            physical.returnPressed.connect(self._next_field)
            physical.installEventFilter(self)
            cells = (
                label(f"{name}_face", "value"),
                label(f"{name}_journal", "cell"),
                label(f"{name}_device", "cell"),
                physical,
                _no_wrap(label(f"{name}_diff", "cell")),  # "−¥10.00" on one line
            )
            for column, part in enumerate(cells):
                self.table.addWidget(part, index, column)
            self.cells[denomination] = cells
        first = self._fields()[:1]
        self.keypad.target = first[0] if first else None

    def _fields(self) -> list[QLineEdit]:
        return [self.cells[d][3] for d in sorted(self.cells, reverse=True)]

    def _next_field(self) -> None:
        fields = self._fields()
        if self.keypad.target in fields:
            index = fields.index(self.keypad.target)
            if index + 1 < len(fields):
                self.keypad.target = fields[index + 1]
                fields[index + 1].setFocus()
                return
        if self.commit.isEnabled():
            self.submit()

    def physical(self) -> dict[str, int] | None:
        """The typed counts, or None while a field is empty."""
        counts = {}
        for denomination, cells in self.cells.items():
            text = cells[3].text()
            if not text:
                return None
            counts[str(denomination)] = int(text)
        return counts

    def _update_difference(self) -> None:
        physical = self.physical()
        total_diff = 0
        for denomination, cells in self.cells.items():
            text = cells[3].text()
            if text:
                diff = (int(text) - self.journal_counts.get(denomination, 0)) * denomination
                total_diff += diff
                cells[4].setText(_signed(diff))
                set_tone(cells[4], "bad" if diff else "ok")
            else:
                cells[4].setText("")
        journal_total = sum(d * n for d, n in self.journal_counts.items())
        if physical is None:
            self.difference.setText(self.t("mt.collection.type_all"))
            set_tone(self.difference, "")
        else:
            physical_total = sum(int(d) * n for d, n in physical.items())
            self.difference.setText(
                self.t(
                    "mt.collection.difference" if total_diff else "mt.collection.no_difference",
                    physical=fen(physical_total),
                    journal=fen(journal_total),
                    diff=_signed(total_diff),
                )
            )
            set_tone(self.difference, "bad" if total_diff else "ok")
        self.commit.setEnabled(physical is not None)

    def submit(self) -> None:
        physical = self.physical()
        if physical is None:
            return
        self.act(Action.COLLECTION_COMMIT, physical=physical)

    def reset(self) -> None:
        for field in self._fields():
            field.clear()

    def render_view(self, m: dict[str, Any], snap: dict[str, Any]) -> None:  # noqa: ARG002
        collection = (m.get("view") or {}).get("collection") or {}
        done = collection.get("done")
        self.title.setText(self.t("mt.page.collection"))
        self.keypad.retranslate_ui(self.language)
        for index, key in enumerate(("face", "journal", "device", "physical", "diff")):
            self.headers[index].setText(self.t(f"mt.collection.{key}"))
        self.commit.setText(self.t("mt.collection.commit"))
        self.again.setText(self.t("mt.collection.again"))
        if done:
            self.reset()  # first: clearing the fields re-computes the preview's difference
            self.since.setText(self.t("mt.collection.done", id=done))
            diff = int(collection.get("difference_fen") or 0)
            self.difference.setText(
                self.t(
                    "mt.collection.recorded_difference" if diff else "mt.collection.recorded_even",
                    diff=_signed(diff),
                )
            )
            set_tone(self.difference, "bad" if diff else "ok")
            self.slip.setText(str(collection.get("slip_text") or ""))
        else:
            self._build_rows(list(collection.get("rows") or []))
            self.journal_counts = {
                int(r["denomination_fen"]): int(r.get("journal_count") or 0)
                for r in collection.get("rows") or []
            }
            self.since.setText(
                self.t("mt.collection.since", since=local_time(collection.get("since")))
            )
            for row in collection.get("rows") or []:
                denomination = int(row["denomination_fen"])
                face, journal, device, _physical, _diff = self.cells[denomination]
                face.setText(fen(denomination))
                journal.setText(str(row.get("journal_count") or 0))
                device_count = row.get("device_count")
                device.setText("—" if device_count is None else str(device_count))
            self.totals.setText(
                self.t(
                    "mt.collection.journal_total",
                    total=fen(collection.get("journal_total_fen") or 0),
                )
            )
            self._update_difference()
        preview = bool(collection.get("rows")) and not done
        for cells in self.cells.values():
            for cell in cells:
                cell.setVisible(preview)
        for header in self.headers:
            header.setVisible(preview)
        for widget in (self.totals, self.commit, self.keypad):
            widget.setVisible(preview)
        self.slip.setVisible(bool(done))
        self.again.setVisible(bool(done))
        # rows shown again after the slip: the scrolled content must grow back to hold them
        # (else they are squeezed on top of each other until the next resize)
        self.content.adjustSize()


def _signed(fen_value: int) -> str:
    if fen_value > 0:
        return "+" + fen(fen_value)
    if fen_value < 0:
        return "−" + fen(-fen_value)
    return fen(0)


def _no_wrap(widget: Any) -> Any:
    widget.setWordWrap(False)
    widget.setMinimumWidth(widget.fontMetrics().horizontalAdvance("−¥00,000.00") + 8)
    return widget
