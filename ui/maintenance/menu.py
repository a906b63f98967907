"""The menu after login; collectors see only the cash collection."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QVBoxLayout

from ui.maintenance.base import Act, Page, button, label

TECHNICIAN_PAGES = ("status", "tests", "collection", "suspects", "journal", "system", "pair")
COLLECTOR_PAGES = ("collection",)


def pages_for(role: object) -> tuple[str, ...]:
    return TECHNICIAN_PAGES if role == "technician" else COLLECTOR_PAGES


class MenuPage(Page):
    chosen = Signal(str)

    def __init__(self, act: Act) -> None:
        super().__init__("maint_menu", act)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(14)
        self.title = label("maint_menu_title", "title")
        self.who = label("maint_menu_who", "subtitle")
        column.addWidget(self.title)
        column.addWidget(self.who)
        self.grid = QGridLayout()
        self.grid.setSpacing(14)
        self.entries = {}
        for page in TECHNICIAN_PAGES:
            entry = button(f"maint_menu_{page}", "big")
            entry.clicked.connect(self._chooser(page))
            self.entries[page] = entry
        column.addLayout(self.grid)
        column.addStretch(1)
        self._placed: tuple[tuple[str, ...], bool] | None = None

    def _chooser(self, page: str) -> Any:
        return lambda: self.chosen.emit(page)

    def _place(self, visible: tuple[str, ...]) -> None:
        if self._placed == (visible, self.portrait):
            return
        self._placed = (visible, self.portrait)
        for entry in self.entries.values():
            self.grid.removeWidget(entry)
            entry.hide()
        columns = 2 if self.portrait else 3
        for index, page in enumerate(visible):
            self.grid.addWidget(self.entries[page], index // columns, index % columns)
            self.entries[page].show()

    def render_view(self, m: dict[str, Any], snap: dict[str, Any]) -> None:  # noqa: ARG002
        user = m.get("user") or {}
        self._place(pages_for(user.get("role")))
        self.title.setText(self.t("mt.menu.title"))
        role = (
            self.t(f"mt.role.{user.get('role')}")
            if user.get("role") in ("technician", "collector")
            else "?"
        )
        self.who.setText(
            self.t("mt.menu.who", name=user.get("name") or "?", id=user.get("id") or "?", role=role)
        )
        for page, entry in self.entries.items():
            entry.setText(self.t(f"mt.page.{page}"))
