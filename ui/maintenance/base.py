"""What every maintenance page shares: the page base, a scroll wrapper, small formatters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from kiosk.maintenance_actions import Action
from kiosk.money import format_fen
from ui.i18n import tr
from ui.screens.base import button, label

Act = Callable[..., None]  # act(Action.X, **args): a `maintenance` intent

# A field becomes the on-screen pad's target when touched, or when it gets the focus.
CHOOSING_EVENTS = (QEvent.Type.FocusIn, QEvent.Type.MouseButtonPress)

__all__ = [
    "CHOOSING_EVENTS",
    "Act",
    "Page",
    "button",
    "fen",
    "label",
    "local_time",
    "scrolled",
    "set_tone",
]


class Page(QWidget):
    """One maintenance page; ``render`` gets the maintenance snapshot and the whole snapshot."""

    #: the action that fills this page's view, sent when the page is opened
    opens_with: tuple[Action, dict[str, Any]] | None = None

    def __init__(self, name: str, act: Act) -> None:
        super().__init__()
        self.setObjectName(name)
        self.act = act
        self.language = "zh"
        self.portrait = True

    def t(self, msg_id: str, **values: object) -> str:
        return tr(msg_id, self.language, **values)

    def render_view(self, m: dict[str, Any], snap: dict[str, Any]) -> None:
        raise NotImplementedError

    def set_portrait(self, portrait: bool) -> None:
        self.portrait = portrait

    def reset(self) -> None:
        """Forget typed input (on logout, or when another person logs in)."""


def scrolled(content: QWidget, name: str) -> QScrollArea:
    """Long pages scroll instead of forcing the window bigger than the display."""
    area = QScrollArea()
    area.setObjectName(name)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(content)
    return area


def page_column(page: QWidget, name: str) -> QVBoxLayout:
    """The page's own layout holds one scroll area; returns the column inside it."""
    outer = QVBoxLayout(page)
    outer.setContentsMargins(0, 0, 0, 0)
    content = QWidget()
    content.setObjectName(f"{name}_content")
    column = QVBoxLayout(content)
    column.setContentsMargins(0, 0, 12, 0)
    column.setSpacing(10)
    outer.addWidget(scrolled(content, f"{name}_scroll"))
    return column


def set_tone(widget: QLabel, tone: str) -> None:
    widget.setProperty("tone", tone)
    widget.style().polish(widget)


def fen(value: object) -> str:
    return format_fen(value) if isinstance(value, int) and not isinstance(value, bool) else "—"


def local_time(iso: object) -> str:
    """'2026-11-02T10:15:00+08:00' -> '2026-11-02 10:15' in the kiosk's local time."""
    if not isinstance(iso, str) or not iso:
        return "—"
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return f"{moment:%Y-%m-%d %H:%M}"


def duration(seconds: object, language: str) -> str:
    if not isinstance(seconds, int | float) or isinstance(seconds, bool):
        return "—"
    whole = int(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if language == "zh":
        return (f"{days}天" if days else "") + f"{hours}小时{minutes}分"
    return (f"{days} d " if days else "") + f"{hours} h {minutes} min"
